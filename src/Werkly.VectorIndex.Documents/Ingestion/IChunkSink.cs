using Werkly.VectorIndex.Documents.Chunking;

namespace Werkly.VectorIndex.Documents.Ingestion;

/// <summary>A chunk with its embedding, ready to store.</summary>
/// <param name="Chunk">The chunk.</param>
/// <param name="Vector">Its embedding, as the generator returned it.</param>
public sealed record EmbeddedChunk(DocumentChunk Chunk, ReadOnlyMemory<float> Vector);

/// <summary>The new content of one document: every chunk it has now, and the content hash that produced them.</summary>
/// <param name="DocumentId">The document id.</param>
/// <param name="ContentHash">The hash to store and to return from <see cref="IChunkSink.GetDocumentHashAsync"/>.</param>
/// <param name="Chunks">All of the document's chunks, in ordinal order (empty for a document without text).</param>
public sealed record DocumentReplacement(string DocumentId, string ContentHash, IReadOnlyList<EmbeddedChunk> Chunks);

/// <summary>Where the ingestion pipeline stores chunks: the vector index (through an adapter), or
/// <see cref="InMemoryChunkSink"/> in tests.</summary>
/// <remarks>
/// <para><b>Atomicity contract.</b> A document is the unit of consistency: after any call returns or throws —
/// including on cancellation — each document is either fully replaced (all new chunks in, all old chunks gone, new hash
/// stored) or untouched (all old chunks and the old hash). Searches must never see a mix.</para>
/// <para><b>Ordering.</b> Within an ingestion run, the writes (<see cref="ReplaceDocumentsAsync"/> and
/// <see cref="DeleteDocumentAsync"/>) come from one task, one call at a time, in input order, so a document ingested twice
/// ends with its last version. Hash lookups (<see cref="GetDocumentHashAsync"/>) come from the stage that prepares later
/// documents and may run concurrently with those writes. Implementations must therefore be thread-safe, all the more when
/// several runs (or a run and searches) share the sink.</para>
/// </remarks>
public interface IChunkSink
{
    /// <summary>The content hash stored for a document, or <see langword="null"/> when the company has no such document —
    /// including when the company itself does not exist yet (this must not throw for a new company).</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="documentId">The document id.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    ValueTask<string?> GetDocumentHashAsync(string companyId, string documentId, CancellationToken cancellationToken);

    /// <summary>Replaces each listed document's chunks, one document atomically at a time (a sink may commit the whole
    /// list at once: the pipeline groups documents to save commits).</summary>
    /// <param name="companyId">The company all the documents belong to.</param>
    /// <param name="documents">The documents and their new chunks.</param>
    /// <param name="cancellationToken">Cancels the write; documents not yet committed stay untouched.</param>
    ValueTask ReplaceDocumentsAsync(string companyId, IReadOnlyList<DocumentReplacement> documents, CancellationToken cancellationToken);

    /// <summary>Removes a document's chunks and hash atomically.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="documentId">The document id.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns><see langword="true"/> if the document existed.</returns>
    ValueTask<bool> DeleteDocumentAsync(string companyId, string documentId, CancellationToken cancellationToken);

    /// <summary>The ids of every document stored for a company (any order; empty for an unknown company).</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    IAsyncEnumerable<string> ListDocumentIdsAsync(string companyId, CancellationToken cancellationToken);
}
