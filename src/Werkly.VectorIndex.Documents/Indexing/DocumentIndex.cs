using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Ingestion;
using Werkly.VectorIndex.Hybrid;

namespace Werkly.VectorIndex.Documents.Indexing;

/// <summary>Settings of a <see cref="DocumentIndex"/>.</summary>
public sealed record DocumentIndexOptions
{
    /// <summary>Vector index settings; <see cref="VectorIndexOptions.Dimensions"/> must match the generator's.
    /// Null takes the generator's reported dimensions and the defaults.</summary>
    public VectorIndexOptions? Vector { get; init; }

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
public sealed record DocumentHit(string Key, string DocumentId, double Score, string Text, string HeadingPath, HybridExplanation? Explanation);

/// <summary>
/// The retrieval-augmented-generation store: a <see cref="HybridIndex"/> of document chunks with an
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> for queries, and the <see cref="IChunkSink"/> that
/// <see cref="DocumentIngestor"/> writes to. Each document's chunks are replaced atomically and, for an opened index,
/// durably (committed) before the call returns.
/// </summary>
/// <remarks>Thread-safe: searches run concurrently with ingestion; writes are serialised.</remarks>
public sealed class DocumentIndex : IChunkSink, IDisposable
{
    private const string DocumentKey = "document";
    private const string OrdinalKey = "ordinal";
    private const string ChunkCountKey = "chunks";
    private const string HashKey = "hash";
    private const string StartKey = "start";
    private const string EndKey = "end";
    private const string HeadingsKey = "headings";

    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly EmbeddingGenerationOptions? _queryOptions;
    private readonly bool _commit;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, (string Hash, int Chunks)>> _documents = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    private DocumentIndex(HybridIndex index, IEmbeddingGenerator<string, Embedding<float>> generator, DocumentIndexOptions? options, bool commit)
    {
        Index = index;
        _generator = generator;
        _queryOptions = options?.QueryEmbeddingOptions;
        _commit = commit;
    }

    /// <summary>Creates an in-memory document index.</summary>
    public static DocumentIndex CreateInMemory(IEmbeddingGenerator<string, Embedding<float>> generator, DocumentIndexOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return new DocumentIndex(new HybridIndex(HybridOptions(generator, options)), generator, options, commit: false);
    }

    /// <summary>Opens (or creates) a persisted document index in <paramref name="directory"/>.</summary>
    /// <exception cref="Werkly.VectorIndex.Exceptions.IndexLockedException">Another writer has the directory open.</exception>
    public static DocumentIndex Open(string directory, IEmbeddingGenerator<string, Embedding<float>> generator, DocumentIndexOptions? options = null, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var index = HybridIndex.Open(directory, HybridOptions(generator, options), readOnly);
        return new DocumentIndex(index, generator, options, commit: !readOnly && (options?.CommitEachBatch ?? true));
    }

    /// <summary>The underlying hybrid index (statistics, explain).</summary>
    public HybridIndex Index { get; }

    /// <summary>The companies with documents.</summary>
    public IReadOnlyCollection<string> Companies => Index.Companies;

    /// <summary>Number of chunks a company holds.</summary>
    public int ChunkCount(string companyId) => Index.Count(companyId);

    /// <summary>Number of documents a company holds.</summary>
    public int DocumentCount(string companyId) => Documents(companyId).Count;

    /// <summary>Searches a company's chunks for <paramref name="question"/>.</summary>
    /// <exception cref="Werkly.VectorIndex.Exceptions.CompanyNotFoundException">The company has no documents.</exception>
    public async Task<IReadOnlyList<DocumentHit>> SearchAsync(string companyId, string question, HybridSearchMode mode = HybridSearchMode.Hybrid,
        int top = 5, bool explain = false, FusionOptions? fusion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(question);
        if (string.IsNullOrWhiteSpace(question)) throw new ArgumentException("The question is empty.", nameof(question));
        ReadOnlyMemory<float>? vector = null;
        if (mode != HybridSearchMode.Keyword)
            vector = await EmbedQueryAsync(_generator, _queryOptions, question, cancellationToken).ConfigureAwait(false);
        var query = new HybridQuery(question)
        {
            Vector = vector,
            Fusion = (fusion ?? new FusionOptions()) with { Top = top, Explain = explain },
            Include = HybridProjection.Text | HybridProjection.Metadata,
        };
        return [.. Index.Search(companyId, query, mode, cancellationToken).Select(h => new DocumentHit(h.Key,
            h.Metadata is not null && h.Metadata.TryGetValue(DocumentKey, out var d) ? d.AsString() : h.Key,
            h.Score, h.Text ?? "", h.Metadata is not null && h.Metadata.TryGetValue(HeadingsKey, out var p) ? p.AsString() : "", h.Explanation))];
    }

    /// <summary>Deletes a company and all its documents (committed for an opened index).</summary>
    public bool DeleteCompany(string companyId)
    {
        _writeGate.Wait();
        try
        {
            _documents.TryRemove(companyId, out _);
            var deleted = Index.DeleteCompany(companyId);
            if (deleted && _commit) Index.Commit();
            return deleted;
        }
        finally { _writeGate.Release(); }
    }

    /// <inheritdoc />
    public ValueTask<string?> GetDocumentHashAsync(string companyId, string documentId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Documents(companyId).TryGetValue(documentId, out var entry) ? entry.Hash : null);

    /// <inheritdoc />
    public async ValueTask ReplaceDocumentsAsync(string companyId, IReadOnlyList<DocumentReplacement> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var table = Documents(companyId);
            foreach (var document in documents)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var deletes = table.TryGetValue(document.DocumentId, out var old) ? ChunkKeys(document.DocumentId, old.Chunks) : [];
                var records = document.Chunks.Select(c => new HybridRecord(c.Chunk.Key, c.Vector, null, c.Chunk.Text,
                    new Dictionary<string, MetadataValue>
                    {
                        [DocumentKey] = document.DocumentId,
                        [OrdinalKey] = c.Chunk.Ordinal,
                        [ChunkCountKey] = document.Chunks.Count,
                        [HashKey] = document.ContentHash,
                        [StartKey] = c.Chunk.Start,
                        [EndKey] = c.Chunk.End,
                        [HeadingsKey] = c.Chunk.HeadingPathText,
                    })).ToList();
                // One atomic change per document: its old chunks out, its new chunks in.
                Index.Apply(companyId, records, deletes, cancellationToken);
                // A document without text has no chunk to carry its hash into the files: it is remembered for this
                // process only, so after reopening it is examined again (nothing is embedded or written for it).
                table[document.DocumentId] = (document.ContentHash, records.Count);
            }
            if (_commit) Index.Commit(CancellationToken.None); // a commit is not interrupted halfway: it is atomic anyway
        }
        finally { _writeGate.Release(); }
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteDocumentAsync(string companyId, string documentId, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var table = Documents(companyId);
            if (!table.TryRemove(documentId, out var old)) return false;
            Index.Apply(companyId, [], ChunkKeys(documentId, old.Chunks), cancellationToken);
            if (_commit) Index.Commit(CancellationToken.None);
            return true;
        }
        finally { _writeGate.Release(); }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListDocumentIdsAsync(string companyId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var id in Documents(companyId).Keys.Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Index.Dispose();
        _writeGate.Dispose();
    }

    private static string[] ChunkKeys(string documentId, int chunks) =>
        [.. Enumerable.Range(0, chunks).Select(i => DocumentChunk.KeyOf(documentId, i))];

    /// <summary>A company's document table, rebuilt from the chunks' metadata on first use after opening.</summary>
    private ConcurrentDictionary<string, (string Hash, int Chunks)> Documents(string companyId) =>
        _documents.GetOrAdd(companyId, company =>
        {
            var table = new ConcurrentDictionary<string, (string, int)>(StringComparer.Ordinal);
            if (!Index.Vectors.ContainsCompany(company)) return table;
            foreach (var key in Index.Vectors.GetKeys(company))
            {
                // Every document's first chunk, and only a first chunk, has a key ending in "#0" (an ordinal has no '#'
                // and no leading zero): the other keys are skipped before their metadata is decoded.
                if (!key.EndsWith("#0", StringComparison.Ordinal)) continue;
                if (!Index.Vectors.TryGetMetadata(company, key, out var m) || m is null) continue;
                if (!m.TryGetValue(OrdinalKey, out var ordinal) || ordinal.AsNumber() != 0) continue;
                table[m[DocumentKey].AsString()] = (m[HashKey].AsString(), (int)m[ChunkCountKey].AsNumber());
            }
            return table;
        });

    private static HybridIndexOptions HybridOptions(IEmbeddingGenerator<string, Embedding<float>> generator, DocumentIndexOptions? options)
    {
        var dimensions = options?.QueryEmbeddingOptions?.Dimensions ?? generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions;
        var vector = options?.Vector ?? new VectorIndexOptions
        {
            Dimensions = dimensions ?? throw new ArgumentException("The generator does not report its dimensions; set DocumentIndexOptions.Vector.", nameof(generator)),
        };
        if (dimensions is { } d && d != vector.Dimensions)
            throw new ArgumentException($"The generator produces {d}-dimensional vectors but the index is set to {vector.Dimensions}.", nameof(options));
        return new HybridIndexOptions
        {
            Vector = vector,
            QueryEmbedder = (text, ct) => EmbedQueryAsync(generator, options?.QueryEmbeddingOptions, text, ct).GetAwaiter().GetResult(),
        };
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
