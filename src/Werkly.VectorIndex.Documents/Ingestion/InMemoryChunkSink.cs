namespace Werkly.VectorIndex.Documents.Ingestion;

/// <summary>An <see cref="IChunkSink"/> that keeps documents in memory: for tests, and as the reference for the sink contract.</summary>
/// <remarks>Thread-safe: one lock guards all state, so every replace and delete is atomic and readers see whole documents.</remarks>
public sealed class InMemoryChunkSink : IChunkSink
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Company, string Document), DocumentReplacement> _documents = [];

    /// <summary>How many replace calls (batches) and documents have been written, for tests that check skipping.</summary>
    public (int Calls, int Documents) WriteCount
    {
        get { lock (_lock) return (_writeCalls, _writtenDocuments); }
    }

    private int _writeCalls;
    private int _writtenDocuments;

    /// <inheritdoc />
    public ValueTask<string?> GetDocumentHashAsync(string companyId, string documentId, CancellationToken cancellationToken)
    {
        lock (_lock)
            return ValueTask.FromResult(_documents.TryGetValue((companyId, documentId), out var d) ? d.ContentHash : null);
    }

    /// <inheritdoc />
    public ValueTask ReplaceDocumentsAsync(string companyId, IReadOnlyList<DocumentReplacement> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _writeCalls++;
            foreach (var document in documents)
            {
                _documents[(companyId, document.DocumentId)] = document;
                _writtenDocuments++;
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteDocumentAsync(string companyId, string documentId, CancellationToken cancellationToken)
    {
        lock (_lock)
            return ValueTask.FromResult(_documents.Remove((companyId, documentId)));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListDocumentIdsAsync(string companyId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var id in GetDocumentIds(companyId))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>The stored document, or <see langword="null"/>.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="documentId">The document id.</param>
    public DocumentReplacement? GetDocument(string companyId, string documentId)
    {
        lock (_lock)
            return _documents.GetValueOrDefault((companyId, documentId));
    }

    /// <summary>The ids of a company's stored documents, sorted.</summary>
    /// <param name="companyId">The company.</param>
    public IReadOnlyList<string> GetDocumentIds(string companyId)
    {
        lock (_lock)
            return [.. _documents.Keys.Where(k => k.Company == companyId).Select(k => k.Document).Order(StringComparer.Ordinal)];
    }

    /// <summary>The number of chunks stored for a company.</summary>
    /// <param name="companyId">The company.</param>
    public int CountChunks(string companyId)
    {
        lock (_lock)
            return _documents.Where(kv => kv.Key.Company == companyId).Sum(kv => kv.Value.Chunks.Count);
    }
}
