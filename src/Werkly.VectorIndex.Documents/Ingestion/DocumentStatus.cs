namespace Werkly.VectorIndex.Documents.Ingestion;

/// <summary>Where a document is in the pipeline, or how it ended.</summary>
public enum DocumentStatus
{
    /// <summary>Waiting in the background queue.</summary>
    Queued,

    /// <summary>Being extracted, chunked, embedded or written.</summary>
    Processing,

    /// <summary>Its chunks were written (new or changed document).</summary>
    Ingested,

    /// <summary>Its content hash matched the stored one, so nothing was written.</summary>
    Unchanged,

    /// <summary>A delete request removed its chunks.</summary>
    Deleted,

    /// <summary>A delete request found no such document.</summary>
    NotFound,

    /// <summary>It failed; <see cref="DocumentOutcome.Error"/> says why. The stored version (if any) is untouched.</summary>
    Failed,

    /// <summary>Ingestion was cancelled before it was written; the stored version (if any) is untouched.</summary>
    Canceled,

    /// <summary>It holds no text (empty, whitespace only, or nothing extractable), so nothing was embedded or stored;
    /// a stored earlier version of it was removed, since what it said is no longer in the document.</summary>
    Empty,
}

/// <summary>How one document's ingestion (or deletion) ended.</summary>
/// <param name="CompanyId">The company.</param>
/// <param name="DocumentId">The document id.</param>
/// <param name="Status">The final status.</param>
/// <param name="ChunkCount">Chunks written (0 unless <see cref="DocumentStatus.Ingested"/>).</param>
/// <param name="ContentHash">The document's content hash, when it was computed.</param>
/// <param name="Error">Why it failed, for <see cref="DocumentStatus.Failed"/>.</param>
public sealed record DocumentOutcome(string CompanyId, string DocumentId, DocumentStatus Status, int ChunkCount = 0, string? ContentHash = null, Exception? Error = null)
{
    /// <summary>What extraction had to guess or repair (see <see cref="Extraction.ExtractedDocument.Warnings"/>); empty when nothing.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
