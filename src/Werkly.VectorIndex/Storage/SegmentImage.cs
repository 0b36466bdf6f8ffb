using Werkly.VectorIndex.Ivf;

namespace Werkly.VectorIndex.Storage;

/// <summary>An in-memory segment handed to <see cref="IndexDirectory.Commit"/> to be written as an immutable segment file.</summary>
/// <remarks>
/// <para>Rows are numbered 0..<c>Keys.Count</c>-1 (segment-local row ids). Every row id in <see cref="Lists"/> must be
/// in that range and appear at most once; a row that no list holds is simply absent (for example deleted before
/// the commit). <see cref="Metadata"/>, when given, has one entry per row (null for a row without metadata).</para>
/// <para>The image is read during the commit only; it must not be mutated until <see cref="IndexDirectory.Commit"/> returns.</para>
/// </remarks>
internal sealed class SegmentImage
{
    /// <summary>Creates the image.</summary>
    /// <param name="segmentId">The caller's id for the segment, unique within its company for the life of the index (0 or more).</param>
    /// <param name="dimensions">Vector dimensions; <c>lists.Stride</c> must be <see cref="StorageFormat.StrideFor"/> of it.</param>
    /// <param name="lists">The vectors and row ids, per list.</param>
    /// <param name="keys">Key of each row.</param>
    /// <param name="metadata">Metadata of each row, or null when no row has any.</param>
    public SegmentImage(long segmentId, int dimensions, IInvertedLists lists, IReadOnlyList<string> keys,
        IReadOnlyList<IReadOnlyDictionary<string, MetadataValue>?>? metadata = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(segmentId);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(keys);
        if (lists.Stride != StorageFormat.StrideFor(dimensions))
            throw new ArgumentException($"The lists' stride {lists.Stride} is not {StorageFormat.StrideFor(dimensions)} (dimensions {dimensions} rounded up to 16).", nameof(lists));
        if (lists.ListCount < 1) throw new ArgumentException("A segment needs at least one list.", nameof(lists));
        if (metadata is not null && metadata.Count != keys.Count)
            throw new ArgumentException($"Metadata has {metadata.Count} entries but there are {keys.Count} rows.", nameof(metadata));
        SegmentId = segmentId;
        Dimensions = dimensions;
        Lists = lists;
        Keys = keys;
        Metadata = metadata;
    }

    /// <summary>The segment's id within its company.</summary>
    public long SegmentId { get; }

    /// <summary>Vector dimensions.</summary>
    public int Dimensions { get; }

    /// <summary>The vectors and row ids per list.</summary>
    public IInvertedLists Lists { get; }

    /// <summary>Key of each row.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The payload of the segment's keyword index block (<see cref="BlockTag.KeywordIndex"/>), or empty for
    /// none. Built by the company partition from the segment's rows' titles and texts;
    /// stored as is (opaque here: the reader validates it).</summary>
    public ReadOnlyMemory<byte> Keywords { get; init; }

    /// <summary>Metadata of each row, or null.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, MetadataValue>?>? Metadata { get; }
}
