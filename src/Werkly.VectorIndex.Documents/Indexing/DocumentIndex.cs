using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Ingestion;

namespace Werkly.VectorIndex.Documents.Indexing;

/// <summary>Settings of a <see cref="DocumentIndex"/>.</summary>
public sealed record DocumentIndexOptions
{
    /// <summary>Index settings; <see cref="WerklyIndexOptions.Dimensions"/> must match the generator's.
    /// Null takes the generator's reported dimensions and the defaults.</summary>
    public WerklyIndexOptions? Index { get; init; }

    /// <summary>Commit after every sink call that changed something (durable ingestion). Default true for an opened index.</summary>
    public bool CommitEachBatch { get; init; } = true;

    /// <summary>Options for embedding search questions, or null. Give them the settings the chunks were embedded with
    /// (<see cref="DocumentIngestorOptions.EmbeddingOptions"/>), for example the same shortened
    /// <see cref="EmbeddingGenerationOptions.Dimensions"/>. The input kind is always set to a query.</summary>
    public EmbeddingGenerationOptions? QueryEmbeddingOptions { get; init; }
}

/// <summary>One search result over documents: the chunk, its document and where in it.</summary>
/// <param name="Key">The chunk key, <c>documentId#ordinal</c>.</param>
/// <param name="DocumentId">The document the chunk comes from (for ingested folders, the path relative to the folder).</param>
/// <param name="Score">The score of the chosen mode (fused, cosine, or BM25).</param>
/// <param name="Text">The chunk's text.</param>
/// <param name="HeadingPath">The headings above the chunk, joined with " › ".</param>
/// <param name="Explanation">Each side's rank and score, when asked for.</param>
public sealed record DocumentHit(string Key, string DocumentId, double Score, string Text, string HeadingPath, ScoreBreakdown? Explanation);

/// <summary>
/// The retrieval-augmented-generation store: a <see cref="WerklyIndex"/> of document chunks with an
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> for queries, and the <see cref="IChunkSink"/> that
/// <see cref="DocumentIngestor"/> writes to. Each document's chunks are replaced atomically (its old chunks, whatever
/// version wrote them, out; its new chunks in) and, for an opened index, durably (committed) before the call returns.
/// </summary>
/// <remarks>Thread-safe: searches run concurrently with ingestion; writes are serialised per company by the index.
/// Disposing it disposes the index; see <see cref="WerklyIndex.Dispose"/>.</remarks>
public sealed class DocumentIndex : IChunkSink, IDisposable
{
    private const string OrdinalKey = "ordinal";
    private const string ChunkCountKey = "chunks";
    private const string StartKey = "start";
    private const string EndKey = "end";
    private const string HeadingsKey = "headings";

    private readonly WerklyIndex _index;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly EmbeddingGenerationOptions? _queryOptions;
    private readonly bool _commit;
    // Documents without text have no chunk to carry their hash into the index: remembered for this process only, so a
    // re-ingest skips them, and examined again after reopening (nothing is embedded or written for them).
    private readonly ConcurrentDictionary<(string Company, string Document), string> _emptyDocuments = new();

    private DocumentIndex(WerklyIndex index, IEmbeddingGenerator<string, Embedding<float>> generator, DocumentIndexOptions? options, bool commit)
    {
        _index = index;
        _generator = generator;
        _queryOptions = options?.QueryEmbeddingOptions;
        _commit = commit;
    }

    /// <summary>Creates an in-memory document index.</summary>
    public static DocumentIndex CreateInMemory(IEmbeddingGenerator<string, Embedding<float>> generator, DocumentIndexOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return new DocumentIndex(new WerklyIndex(IndexOptions(generator, options)), generator, options, commit: false);
    }

    /// <summary>Opens (or creates) a persisted document index in <paramref name="directory"/>.</summary>
    /// <exception cref="Werkly.VectorIndex.Exceptions.IndexLockedException">Another writer has the directory open.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable (and <paramref name="readOnly"/> is false).</exception>
    public static DocumentIndex Open(string directory, IEmbeddingGenerator<string, Embedding<float>> generator, DocumentIndexOptions? options = null, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var index = WerklyIndex.Open(directory, IndexOptions(generator, options), readOnly);
        return new DocumentIndex(index, generator, options, commit: !readOnly && (options?.CommitEachBatch ?? true));
    }

    /// <summary>The companies with documents.</summary>
    public IReadOnlyCollection<string> Companies => _index.Companies;

    /// <summary>Vector length of the chunks' embeddings.</summary>
    public int Dimensions => _index.Dimensions;

    /// <summary>The index folder, or null for an in-memory index.</summary>
    public string? DirectoryPath => _index.DirectoryPath;

    /// <summary>Number of chunks a company holds (0 for an unknown company).</summary>
    public int ChunkCount(string companyId) => _index.Count(companyId);

    /// <summary>Number of documents a company holds (0 for an unknown company).</summary>
    public int DocumentCount(string companyId) => _index.GetDocuments(companyId).Count;

    /// <summary>The documents of a company, ordered by id: content hash and chunk count.</summary>
    public IReadOnlyList<DocumentInfo> GetDocuments(string companyId) => _index.GetDocuments(companyId);

    /// <summary>The shape of a company's vector index (lists, probes, live and deleted chunks, segments).</summary>
    /// <exception cref="Werkly.VectorIndex.Exceptions.CompanyNotFoundException">The company has no documents.</exception>
    public CompanyStatistics GetStatistics(string companyId) => _index.GetStatistics(companyId);

    /// <summary>Throws unless the index can write to <paramref name="companyId"/>; see <see cref="WerklyIndex.ValidateCompanyId"/>.</summary>
    /// <exception cref="Werkly.VectorIndex.Exceptions.InvalidIdentifierException">The id is malformed or a case variant of an existing company's.</exception>
    public void ValidateCompanyId(string companyId) => _index.ValidateCompanyId(companyId);

    /// <summary>Read-only: switches to the writer's newest commit, if any; see <see cref="WerklyIndex.Refresh"/>.</summary>
    public bool Refresh(CancellationToken cancellationToken = default) => _index.Refresh(cancellationToken);

    /// <summary>Searches a company's chunks for <paramref name="question"/>.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="question">The question (embedded as a query unless <paramref name="mode"/> is keyword).</param>
    /// <param name="mode">Hybrid (default), vector or keyword.</param>
    /// <param name="top">How many chunks.</param>
    /// <param name="explain">Whether each hit carries its sides' ranks and scores.</param>
    /// <param name="fusion">How hybrid fuses its sides; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <exception cref="Werkly.VectorIndex.Exceptions.CompanyNotFoundException">The company has no documents.</exception>
    public Task<IReadOnlyList<DocumentHit>> SearchAsync(string companyId, string question, SearchMode mode = SearchMode.Hybrid,
        int top = 5, bool explain = false, FusionOptions? fusion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(question);
        if (string.IsNullOrWhiteSpace(question)) throw new ArgumentException("The question is empty.", nameof(question));
        return SearchAsync(companyId, new SearchQuery { Mode = mode, Text = question, Top = top, Explain = explain, Fusion = fusion ?? FusionOptions.Default },
            cancellationToken);
    }

    /// <summary>Searches a company's chunks with every setting of <see cref="SearchQuery"/>: fusion, pseudo-relevance
    /// feedback (<see cref="SearchQuery.Feedback"/>), a score floor (<see cref="SearchQuery.MinScore"/>), one hit per
    /// document (<see cref="SearchQuery.GroupByDocument"/>), a filter and paging.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="query">The query; its <see cref="SearchQuery.Text"/> is the question, embedded as a query unless the
    /// search is keyword-only or <see cref="SearchQuery.Vector"/> is given. Each hit carries its text and heading path
    /// whatever <see cref="SearchQuery.Include"/> says.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The hits, best first; with <see cref="SearchQuery.GroupByDocument"/> one per document (its best chunk,
    /// with the document's score).</returns>
    /// <exception cref="ArgumentException">The query has no text, or is invalid (see <see cref="SearchQuery.Validate"/>).</exception>
    /// <exception cref="Werkly.VectorIndex.Exceptions.CompanyNotFoundException">The company has no documents.</exception>
    public async Task<IReadOnlyList<DocumentHit>> SearchAsync(string companyId, SearchQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (string.IsNullOrWhiteSpace(query.Text)) throw new ArgumentException("The question is empty.", nameof(query));
        query.Validate();
        var vector = query.Vector;
        if (query.Mode != SearchMode.Keyword && vector is null)
            vector = await EmbedQueryAsync(_generator, _queryOptions, query.Text, cancellationToken).ConfigureAwait(false);
        query = query with { Vector = vector, Include = query.Include | RecordFields.Text | RecordFields.Metadata };
        var results = await _index.SearchAsync(companyId, query, cancellationToken).ConfigureAwait(false);
        return [.. results.Select(h => new DocumentHit(h.Key, h.DocumentId ?? h.Key, h.Score, h.Text ?? "",
            h.Metadata is not null && h.Metadata.TryGetValue(HeadingsKey, out var p) ? p.AsString() : "", h.Explanation))];
    }

    /// <summary>Deletes a company and all its documents (committed for an opened index).</summary>
    public bool DeleteCompany(string companyId)
    {
        foreach (var key in _emptyDocuments.Keys.Where(k => k.Company == companyId).ToList()) _emptyDocuments.TryRemove(key, out _);
        var deleted = _index.DeleteCompany(companyId);
        if (deleted && _commit) _index.Commit();
        return deleted;
    }

    /// <inheritdoc />
    public ValueTask<string?> GetDocumentHashAsync(string companyId, string documentId, CancellationToken cancellationToken)
    {
        if (_index.TryGetDocument(companyId, documentId, out var document)) return ValueTask.FromResult<string?>(document.ContentHash);
        return ValueTask.FromResult(_emptyDocuments.GetValueOrDefault((companyId, documentId)));
    }

    /// <inheritdoc />
    public async ValueTask ReplaceDocumentsAsync(string companyId, IReadOnlyList<DocumentReplacement> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var updates = new List<DocumentUpdate>(documents.Count);
        foreach (var document in documents)
        {
            var records = document.Chunks.Select(c => new VectorRecord(c.Chunk.Key, c.Vector, new Dictionary<string, MetadataValue>
            {
                [OrdinalKey] = c.Chunk.Ordinal,
                [ChunkCountKey] = document.Chunks.Count,
                [StartKey] = c.Chunk.Start,
                [EndKey] = c.Chunk.End,
                [HeadingsKey] = c.Chunk.HeadingPathText,
            })
            { Text = c.Chunk.Text }).ToList();
            updates.Add(new DocumentUpdate(document.DocumentId, document.ContentHash, records));
        }
        // One atomic change for the batch: each document's old chunks out, its new chunks in.
        await _index.ReplaceDocumentsAsync(companyId, updates, cancellationToken).ConfigureAwait(false);
        foreach (var document in documents)
        {
            if (document.Chunks.Count == 0) _emptyDocuments[(companyId, document.DocumentId)] = document.ContentHash;
            else _emptyDocuments.TryRemove((companyId, document.DocumentId), out _);
        }
        if (_commit) _index.Commit(CancellationToken.None); // a commit is not interrupted halfway: it is atomic anyway
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteDocumentAsync(string companyId, string documentId, CancellationToken cancellationToken)
    {
        var empty = _emptyDocuments.TryRemove((companyId, documentId), out _);
        var deleted = _index.DeleteDocument(companyId, documentId, cancellationToken);
        if (deleted && _commit) _index.Commit(CancellationToken.None);
        return ValueTask.FromResult(deleted || empty);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListDocumentIdsAsync(string companyId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var ids = _index.GetDocuments(companyId).Select(d => d.DocumentId)
            .Concat(_emptyDocuments.Keys.Where(k => k.Company == companyId).Select(k => k.Document))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _index.Dispose();

    private static WerklyIndexOptions IndexOptions(IEmbeddingGenerator<string, Embedding<float>> generator, DocumentIndexOptions? options)
    {
        var dimensions = options?.QueryEmbeddingOptions?.Dimensions ?? generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions;
        var index = options?.Index ?? new WerklyIndexOptions
        {
            Dimensions = dimensions ?? throw new ArgumentException("The generator does not report its dimensions; set DocumentIndexOptions.Index.", nameof(generator)),
        };
        if (dimensions is { } d && d != index.Dimensions)
            throw new ArgumentException($"The generator produces {d}-dimensional vectors but the index is set to {index.Dimensions}.", nameof(options));
        return index;
    }

    /// <summary>Embeds a search question as a query, not a document: the options carry
    /// <see cref="EmbeddingInputKindProperty.Key"/> = <see cref="EmbeddingInputKindProperty.Query"/>, so a model with a
    /// query prefix applies it (chunks are embedded by the ingestor without it, as documents).</summary>
    private static async Task<ReadOnlyMemory<float>> EmbedQueryAsync(IEmbeddingGenerator<string, Embedding<float>> generator, EmbeddingGenerationOptions? baseOptions,
        string question, CancellationToken cancellationToken)
    {
        var options = baseOptions?.Clone() ?? new EmbeddingGenerationOptions();
        options.AdditionalProperties = options.AdditionalProperties?.Clone() ?? [];
        options.AdditionalProperties[EmbeddingInputKindProperty.Key] = EmbeddingInputKindProperty.Query;
        var embeddings = await generator.GenerateAsync([question], options, cancellationToken).ConfigureAwait(false);
        return embeddings[0].Vector;
    }
}
