namespace Werkly.VectorIndex;

/// <summary>Decides whether a record may appear in the results of a filtered search.</summary>
/// <param name="key">The record's key.</param>
/// <param name="metadata">The record's metadata, or null when it has none.</param>
/// <remarks>Called on the searching thread while the partition's read lock is held: keep it fast and side-effect free,
/// and never call back into the index from it.</remarks>
public delegate bool RecordFilter(string key, IReadOnlyDictionary<string, MetadataValue>? metadata);

/// <summary>Per-call search settings.</summary>
public sealed record SearchOptions
{
    /// <summary>Settings that change nothing.</summary>
    public static SearchOptions Default { get; } = new();

    /// <summary>Lists to probe, overriding the company's calibrated default (clamped to the list count).</summary>
    public int? Probes { get; init; }

    /// <summary>
    /// Only records for which this returns true are returned. Unlike pgvector, a filtered search keeps probing lists
    /// in order of centroid similarity until k records pass or every list has been scanned, so it returns k results
    /// whenever k matching records exist.
    /// </summary>
    public RecordFilter? Filter { get; init; }
}
