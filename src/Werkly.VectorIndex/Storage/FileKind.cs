namespace Werkly.VectorIndex.Storage;

/// <summary>What a file of an index directory holds; stored in <see cref="FileHeader.FileKind"/>.</summary>
internal enum FileKind : ushort
{
    /// <summary>The manifest: the live segments, tombstone files and centroid files of every company.</summary>
    Manifest = 1,

    /// <summary>An immutable segment: per-list vector blocks with row ids, keys and metadata.</summary>
    Segment = 2,

    /// <summary>A company's coarse quantizer (centroids, metric, training version).</summary>
    Centroids = 3,

    /// <summary>The deleted row ids of one segment, as of one commit.</summary>
    Tombstones = 4,

    /// <summary>The write-ahead log: upserts and deletes appended since the last commit.</summary>
    WriteAheadLog = 5,
}
