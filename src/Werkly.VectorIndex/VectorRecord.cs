namespace Werkly.VectorIndex;

/// <summary>A record to upsert: a key unique within its company, a vector, and optional metadata.</summary>
/// <param name="Key">1 to 512 characters, no control characters.</param>
/// <param name="Vector">Exactly the index's dimensions, all finite.</param>
/// <param name="Metadata">Optional small map of strings, numbers, booleans and dates for filtering and projection.</param>
public sealed record VectorRecord(string Key, ReadOnlyMemory<float> Vector, IReadOnlyDictionary<string, MetadataValue>? Metadata = null);
