using System.Diagnostics.CodeAnalysis;
using Werkly.VectorIndex.Caching;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Partitions;

namespace Werkly.VectorIndex;

public sealed partial class WerklyIndex
{
    /// <summary>The <paramref name="k"/> records of <paramref name="companyId"/> most similar to <paramref name="query"/>, best first.</summary>
    /// <param name="companyId">The company to search.</param>
    /// <param name="query">Exactly <see cref="Dimensions"/> finite floats.</param>
    /// <param name="k">How many results at most (≥ 1; more than the company's records returns them all).</param>
    /// <param name="options">Probes and filter for this call, or null.</param>
    /// <returns>At most <paramref name="k"/> hits ordered by score (descending), ties broken by key (ordinal).</returns>
    /// <remarks>With <see cref="WerklyIndexOptions.QueryCacheBytes"/> set and no filter, a repeated search is answered from
    /// the query-result cache while the company is unchanged.</remarks>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public SearchHit[] Search(string companyId, ReadOnlySpan<float> query, int k, SearchOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        Identifiers.ValidateCompanyId(companyId);
        using var lease = Enter();
        var start = Now();
        var cache = options?.Filter is null ? _queryCache : null;
        var key = cache is null ? null : QueryKey.For(companyId, query, k, options);
        if (cache is not null && cache.TryGet<SearchHit[]>(key!, _partitions.Get(companyId).WriteGeneration, out var cached))
        {
            IndexTelemetry.Record("search", companyId, start);
            return [.. cached];
        }
        while (true)
        {
            var partition = _partitions.Get(companyId);
            if (!partition.TryEnterRead()) continue;
            try
            {
                var generation = partition.WriteGeneration;
                // Never size the result by a huge k: there are at most Count records to return.
                var hits = new SearchHit[Math.Max(1, Math.Min(k, partition.Count))];
                var count = partition.Search(query, hits, options);
                var result = count == hits.Length ? hits : hits[..count];
                if (cache is not null) cache.Add(key!, generation, (SearchHit[])[.. result], QueryKey.SizeOf(result));
                IndexTelemetry.Record("search", companyId, start);
                return result;
            }
            finally
            {
                partition.ExitRead();
            }
        }
    }

    /// <summary>
    /// Allocation-free vector search: fills <paramref name="destination"/> with the best <c>destination.Length</c> records.
    /// </summary>
    /// <returns>How many hits were written.</returns>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public int Search(string companyId, ReadOnlySpan<float> query, Span<SearchHit> destination, SearchOptions? options = null)
    {
        Identifiers.ValidateCompanyId(companyId);
        using var lease = Enter();
        var start = Now();
        while (true)
        {
            var partition = _partitions.Get(companyId);
            if (!partition.TryEnterRead()) continue;
            try
            {
                var count = partition.Search(query, destination, options);
                IndexTelemetry.Record("search", companyId, start);
                return count;
            }
            finally
            {
                partition.ExitRead();
            }
        }
    }

    /// <summary>
    /// Searches one company by vector, by keywords, or both fused (<see cref="SearchQuery.Mode"/>), with a filter,
    /// paging and the fields each result should carry. The whole search runs on one state of the company.
    /// </summary>
    /// <returns>The requested page, best first.</returns>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    /// <exception cref="ArgumentException">The query is invalid, or the vector side needs a vector and there is neither
    /// <see cref="SearchQuery.Vector"/> nor a <see cref="WerklyIndexOptions.QueryEmbedder"/>.</exception>
    public IReadOnlyList<SearchResult> Search(string companyId, SearchQuery query, CancellationToken cancellationToken = default) =>
        SearchCore(companyId, query, synchronous: true, cancellationToken).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc cref="Search(string, SearchQuery, CancellationToken)"/>
    public async ValueTask<IReadOnlyList<SearchResult>> SearchAsync(string companyId, SearchQuery query, CancellationToken cancellationToken = default) =>
        await SearchCore(companyId, query, synchronous: false, cancellationToken).ConfigureAwait(false);

    private async ValueTask<IReadOnlyList<SearchResult>> SearchCore(string companyId, SearchQuery query, bool synchronous, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        Identifiers.ValidateCompanyId(companyId);
        using var lease = Enter();
        var start = Now();
        var operation = query.Mode switch { SearchMode.Vector => "search", SearchMode.Keyword => "keyword_search", _ => "hybrid_search" };
        using var activity = IndexTelemetry.Start(operation, companyId);
        var generation = _partitions.Get(companyId).WriteGeneration; // an unknown company fails before a query is embedded
        // A repeated query is answered before it is embedded or searched (never one with a filter: a delegate has no key).
        var cache = query.Filter is null ? _queryCache : null;
        var key = cache is null ? null : QueryKey.For(companyId, query);
        if (cache is not null && cache.TryGet<SearchResult[]>(key!, generation, out var cached))
        {
            IndexTelemetry.Record(operation, companyId, start);
            return [.. cached];
        }
        ReadOnlyMemory<float>? vector = null;
        if (query.Mode != SearchMode.Keyword)
        {
            vector = query.Vector;
            if (vector is null)
            {
                var embedder = _options.QueryEmbedder ?? throw new ArgumentException(
                    "This search needs a query vector: set SearchQuery.Vector or WerklyIndexOptions.QueryEmbedder.", nameof(query));
                var embedding = embedder(query.Text!, cancellationToken);
                vector = synchronous ? embedding.AsTask().GetAwaiter().GetResult() : await embedding.ConfigureAwait(false);
            }
        }
        while (true)
        {
            var partition = _partitions.Get(companyId);
            partition.EnsureKeyMap();
            if (query.Mode != SearchMode.Vector) partition.EnsureKeywords();
            if (!partition.TryEnterRead()) continue;
            try
            {
                var current = partition.WriteGeneration;
                var results = partition.Search(query, vector, cancellationToken);
                if (cache is not null) cache.Add(key!, current, results.ToArray(), QueryKey.SizeOf(results));
                IndexTelemetry.Record(operation, companyId, start);
                return results;
            }
            finally
            {
                partition.ExitRead();
            }
        }
    }

    /// <summary>Searches and reports the lists probed, vectors scanned and filtered out, and the time per phase.</summary>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public SearchExplanation Explain(string companyId, ReadOnlySpan<float> query, int k, SearchOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        Identifiers.ValidateCompanyId(companyId);
        using var lease = Enter();
        while (true)
        {
            var partition = _partitions.Get(companyId);
            if (!partition.TryEnterRead()) continue;
            try
            {
                return partition.Explain(query, k, options);
            }
            finally
            {
                partition.ExitRead();
            }
        }
    }

    /// <summary>A record as written: its vector (unit length under cosine), title, text and metadata.</summary>
    /// <returns>False when the company or the key does not exist.</returns>
    public bool TryGetRecord(string companyId, string key, [NotNullWhen(true)] out VectorRecord? record)
    {
        Identifiers.ValidateKey(key);
        record = Read(companyId, p => p.GetRecord(key), keyMap: true);
        return record is not null;
    }

    /// <summary>Copies a record's stored vector (unit length under cosine) into <paramref name="destination"/>.</summary>
    /// <returns>False when the company or key does not exist.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Dimensions"/>.</exception>
    public bool TryGetVector(string companyId, string key, Span<float> destination)
    {
        Identifiers.ValidateKey(key);
        if (destination.Length < _options.Dimensions) throw new ArgumentException($"Destination must hold {_options.Dimensions} floats.", nameof(destination));
        Identifiers.ValidateCompanyId(companyId);
        using var lease = Enter();
        while (true)
        {
            if (!_partitions.TryGet(companyId, out var partition)) return false;
            partition.EnsureKeyMap();
            if (!partition.TryEnterRead()) continue;
            try
            {
                return partition.TryCopyVector(key, destination);
            }
            finally
            {
                partition.ExitRead();
            }
        }
    }

    /// <summary>The keys of a company's live records (a snapshot, in no particular order).</summary>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public IReadOnlyList<string> GetKeys(string companyId) =>
        Read(companyId, p => p.GetKeys(), keyMap: true) ?? throw new CompanyNotFoundException(companyId);

    /// <summary>Live records of a company; 0 when it has no partition.</summary>
    public int Count(string companyId) => Read(companyId, p => (int?)p.Count) ?? 0;

    /// <summary>The shape of a company's index: live and deleted rows, lists, default probes, segments.</summary>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public CompanyStatistics GetStatistics(string companyId) =>
        Read(companyId, p => (CompanyStatistics?)p.GetStatistics()) ?? throw new CompanyNotFoundException(companyId);

    /// <summary>A document's content hash and record count.</summary>
    /// <returns>False when the company or the document does not exist.</returns>
    public bool TryGetDocument(string companyId, string documentId, out DocumentInfo document)
    {
        Identifiers.ValidateKey(documentId);
        var found = Read(companyId, p => p.TryGetDocument(documentId, out var info) ? (DocumentInfo?)info : null, documents: true);
        document = found ?? default;
        return found is not null;
    }

    /// <summary>Every document of a company, ordered by id (ordinal); empty when the company does not exist.</summary>
    public IReadOnlyList<DocumentInfo> GetDocuments(string companyId) => Read(companyId, p => p.GetDocuments(), documents: true) ?? [];

    /// <summary>The keys of a document's live records, ordered by key (ordinal); empty when the company or the document does not exist.</summary>
    public IReadOnlyList<string> GetDocumentKeys(string companyId, string documentId)
    {
        Identifiers.ValidateKey(documentId);
        return Read(companyId, p => p.GetDocumentKeys(documentId), documents: true) ?? [];
    }

    /// <summary>Benchmark hook: bytes a company's searches read wholesale, and bytes they read only for re-ranked rows.</summary>
    internal (long Hot, long Rerank) FootprintOf(string companyId) => Read(companyId, p => ((long, long)?)p.Footprint()) ?? (0, 0);

    /// <summary>Benchmark hook: where a company's last retrain spent its time, or null.</summary>
    internal string? RetrainProfileOf(string companyId) => Read(companyId, p => p.LastRetrainProfile);

    /// <summary>How the company's keyword side was loaded after opening (for tests and benchmarks), or null.</summary>
    internal KeywordLoadStatistics? KeywordLoadOf(string companyId) => Read(companyId, p => p.KeywordLoad);

    /// <summary>Test hook: the differences between a company's vector side, keyword side and document table (empty
    /// when they describe the same records, or when the company does not exist).</summary>
    internal List<string> CheckConsistency(string companyId)
    {
        if (_partitions.TryGet(companyId, out var partition)) partition.EnsureKeywords();
        return Read(companyId, p => p.CheckConsistency(), keyMap: true, documents: true) ?? [];
    }

    /// <summary>The last automatic retrain of a company that failed, or null.</summary>
    internal Exception? LastRetrainErrorOf(string companyId) => Read(companyId, p => p.LastRetrainError);

    /// <summary>Runs <paramref name="read"/> under a read lease of the company's partition; default when it has none.</summary>
    private T? Read<T>(string companyId, Func<CompanyPartition, T?> read, bool keyMap = false, bool documents = false)
    {
        Identifiers.ValidateCompanyId(companyId);
        using var lease = Enter();
        while (true)
        {
            if (!_partitions.TryGet(companyId, out var partition)) return default;
            if (keyMap) partition.EnsureKeyMap();
            if (documents) partition.EnsureDocuments();
            if (!partition.TryEnterRead()) continue;
            try
            {
                return read(partition);
            }
            finally
            {
                partition.ExitRead();
            }
        }
    }
}
