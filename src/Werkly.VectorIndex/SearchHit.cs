namespace Werkly.VectorIndex;

/// <summary>One search result.</summary>
/// <param name="Key">The record's key within its company.</param>
/// <param name="Score">Similarity (higher is better): cosine similarity, inner product, or the negated squared L2 distance.</param>
/// <param name="Metadata">The record's metadata, or null when it has none. The map is shared, not copied: do not mutate it.</param>
public readonly record struct SearchHit(string Key, float Score, IReadOnlyDictionary<string, MetadataValue>? Metadata);
