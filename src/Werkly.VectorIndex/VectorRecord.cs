namespace Werkly.VectorIndex;

/// <summary>
/// A record: a key unique within its company, a vector, optional title and text for keyword search, and optional
/// metadata for filtering and projection.
/// </summary>
/// <param name="Key">1 to 512 characters, no control characters, valid UTF-16.</param>
/// <param name="Vector">Exactly the index's dimensions, all finite.</param>
/// <param name="Metadata">Optional small map of values for filtering and projection. Keys are 1 to 256 characters of
/// valid UTF-16; keys starting with <c>werkly:</c> are reserved.</param>
/// <remarks>Everything is validated when the record is written, and reads back exactly as written (the vector
/// normalized to unit length under cosine).</remarks>
public sealed record VectorRecord(string Key, ReadOnlyMemory<float> Vector, IReadOnlyDictionary<string, MetadataValue>? Metadata = null)
{
    /// <summary>An optional title, indexed for keyword search as its own field.</summary>
    public string? Title { get; init; }

    /// <summary>An optional text, indexed for keyword search (the body field) and returned by text projections.</summary>
    public string? Text { get; init; }
}

/// <summary>A new version of a document: the records (typically its chunks) that replace all of its previous records.</summary>
/// <param name="DocumentId">The document's id within its company (1 to 512 characters, valid UTF-16).</param>
/// <param name="ContentHash">A hash of the document's content, stored with its records, so a re-ingest can skip an
/// unchanged document (1 to 128 characters).</param>
/// <param name="Records">The records; none deletes the document.</param>
public sealed record DocumentUpdate(string DocumentId, string ContentHash, IReadOnlyList<VectorRecord> Records);

/// <summary>A document of a company: the records a <see cref="DocumentUpdate"/> wrote.</summary>
/// <param name="DocumentId">The document's id.</param>
/// <param name="ContentHash">The content hash given with its last update.</param>
/// <param name="RecordCount">How many records it has.</param>
public readonly record struct DocumentInfo(string DocumentId, string ContentHash, int RecordCount);
