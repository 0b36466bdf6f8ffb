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

    /// <summary>Largest <see cref="RerankFactor"/>.</summary>
    public const int MaxRerankFactor = 64;

    /// <summary>Lists to probe, overriding the company's calibrated default (clamped to the list count).</summary>
    public int? Probes { get; init; }

    /// <summary>For a quantized company: candidates per requested result to re-rank exactly (1 to
    /// <see cref="MaxRerankFactor"/>), overriding the company's calibrated factor. Ignored where lists are scanned in float32.</summary>
    public int? RerankFactor { get; init; }

    /// <summary>
    /// Only records for which this returns true are returned. Unlike pgvector, a filtered search keeps probing lists
    /// in order of centroid similarity until k records pass or every list has been scanned, so it returns k results
    /// whenever k matching records exist.
    /// </summary>
    public RecordFilter? Filter { get; init; }
}
