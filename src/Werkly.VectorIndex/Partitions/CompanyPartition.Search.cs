using Werkly.VectorIndex.Hybrid;
using Werkly.VectorIndex.Ivf;

namespace Werkly.VectorIndex.Partitions;

// Every member here runs under a read lease the caller holds (TryEnterRead … ExitRead), after the caller ensured what
// the member needs (EnsureKeyMap, EnsureKeywords, EnsureDocuments).
internal sealed partial class CompanyPartition
{
    public int Count => _vectors.Count;

    public CompanyStatistics GetStatistics() => _vectors.GetStatistics();

    /// <summary>Bytes searches read wholesale, and bytes read only for re-ranked rows (see <see cref="IvfIndex.Footprint"/>).</summary>
    public (long Hot, long Rerank) Footprint() => _vectors.Footprint();

    /// <summary>Where the last retrain spent its time (for benchmarks), or null.</summary>
    public string? LastRetrainProfile => _vectors.LastRetrainProfile;

    /// <summary>Vector search into <paramref name="destination"/>; allocation-free.</summary>
    public int Search(ReadOnlySpan<float> query, Span<SearchHit> destination, SearchOptions? options) =>
        _vectors.Search(query, destination, options);

    public SearchExplanation Explain(ReadOnlySpan<float> query, int k, SearchOptions? options) => _vectors.Explain(query, k, options);

    /// <summary>
    /// Runs a vector, keyword or hybrid query (key map and, unless vector-only, keywords ensured). The two sides of a
    /// hybrid search run in parallel under the caller's one lease, so both see the same state.
    /// </summary>
    public List<SearchResult> Search(SearchQuery query, ReadOnlyMemory<float>? vector, CancellationToken cancellationToken)
    {
        var candidates = query.Mode == SearchMode.Hybrid ? query.EffectiveCandidatesPerSide : query.Skip + query.Top;
        var filter = query.Filter;
        RankedHit[] vectorHits = [], keywordHits = [];
        switch (query.Mode)
        {
            case SearchMode.Vector:
                vectorHits = VectorSide(vector!.Value, candidates, query);
                break;
            case SearchMode.Keyword:
                keywordHits = KeywordSide(query.Text!, candidates, filter, cancellationToken);
                break;
            default:
                var keywordTask = Task.Run(() => KeywordSide(query.Text!, candidates, filter, cancellationToken), cancellationToken);
                try
                {
                    vectorHits = VectorSide(vector!.Value, candidates, query);
                }
                catch
                {
                    // Never leave the keyword side running past the caller's lease; the vector side's failure is reported.
                    ((IAsyncResult)keywordTask).AsyncWaitHandle.WaitOne();
                    throw;
                }
                keywordHits = keywordTask.GetAwaiter().GetResult();
                break;
        }

        var results = new List<SearchResult>(Math.Min(query.Top, vectorHits.Length + keywordHits.Length));
        if (query.Mode == SearchMode.Hybrid)
        {
            var fused = ScoreFusion.Fuse(vectorHits, keywordHits, query.Fusion);
            for (var i = query.Skip; i < fused.Count && results.Count < query.Top; i++)
                results.Add(Project(fused[i].Key, fused[i].Score, query.Explain ? fused[i].Breakdown : null, query.Include));
        }
        else
        {
            var single = query.Mode == SearchMode.Vector ? vectorHits : keywordHits;
            for (var i = query.Skip; i < single.Length && results.Count < query.Top; i++)
            {
                var (key, score) = single[i];
                ScoreBreakdown? breakdown = null;
                if (query.Explain)
                {
                    breakdown = query.Mode == SearchMode.Vector
                        ? new ScoreBreakdown(i + 1, score, null, null, score, 0, null)
                        : new ScoreBreakdown(null, null, i + 1, score, 0, score, null);
                }
                results.Add(Project(key, score, breakdown, query.Include));
            }
        }
        return results;
    }

    private RankedHit[] VectorSide(ReadOnlyMemory<float> vector, int candidates, SearchQuery query)
    {
        var hits = new SearchHit[Math.Max(1, Math.Min(candidates, _vectors.Count))];
        var options = query.Probes is null && query.Filter is null && query.RerankFactor is null
            ? null
            : new SearchOptions { Probes = query.Probes, Filter = query.Filter, RerankFactor = query.RerankFactor };
        // Without metadata: Project reads it for the results kept (a hybrid search keeps Top of 2 × candidates).
        var count = _vectors.Search(vector.Span, hits, options, withMetadata: false);
        var ranked = new RankedHit[count];
        for (var i = 0; i < count; i++) ranked[i] = new RankedHit(hits[i].Key, hits[i].Score);
        return ranked;
    }

    private RankedHit[] KeywordSide(string text, int candidates, RecordFilter? filter, CancellationToken cancellationToken)
    {
        Func<string, bool>? accept = null;
        if (filter is not null)
            accept = key => _vectors.TryGetMetadata(key, out var metadata) && filter(key, metadata);
        var hits = _keywords!.Search(text, Math.Clamp(candidates, 1, Text.InvertedIndex.MaxTop), null, accept, cancellationToken);
        var ranked = new RankedHit[hits.Length];
        for (var i = 0; i < hits.Length; i++) ranked[i] = new RankedHit(hits[i].Key, hits[i].Score);
        return ranked;
    }

    /// <summary>A result with the fields the query asked for, read from the same state the search saw.</summary>
    private SearchResult Project(string key, double score, ScoreBreakdown? breakdown, RecordFields include)
    {
        SearchResult result;
        if ((include & (RecordFields.Text | RecordFields.Metadata)) == 0)
        {
            // Only the document id: read that one string, not the record's whole map (its title and text included).
            result = new SearchResult(key, score) { DocumentId = _vectors.GetMetadataString(key, ReservedMetadata.Document), Explanation = breakdown };
        }
        else
        {
            _vectors.TryGetMetadata(key, out var metadata);
            result = new SearchResult(key, score) { DocumentId = ReservedMetadata.Get(metadata, ReservedMetadata.Document), Explanation = breakdown };
            if ((include & RecordFields.Text) != 0)
                result = result with { Title = ReservedMetadata.Get(metadata, ReservedMetadata.Title), Text = ReservedMetadata.Get(metadata, ReservedMetadata.Text) };
            if ((include & RecordFields.Metadata) != 0)
                result = result with { Metadata = ReservedMetadata.UserPart(metadata) ?? new Dictionary<string, MetadataValue>() };
        }
        if ((include & RecordFields.Vector) != 0 && _vectors.TryGetVector(key, out var stored))
            result = result with { Vector = stored.ToArray() };
        return result;
    }

    /// <summary>A live record as written (the vector unit length under cosine), or null (key map ensured).</summary>
    public VectorRecord? GetRecord(string key)
    {
        if (!_vectors.TryGetVector(key, out var vector)) return null;
        _vectors.TryGetMetadata(key, out var metadata);
        return new VectorRecord(key, vector.ToArray(), ReservedMetadata.UserPart(metadata))
        {
            Title = ReservedMetadata.Get(metadata, ReservedMetadata.Title),
            Text = ReservedMetadata.Get(metadata, ReservedMetadata.Text),
        };
    }

    /// <summary>Copies a live record's stored vector (key map ensured).</summary>
    public bool TryCopyVector(string key, Span<float> destination)
    {
        if (!_vectors.TryGetVector(key, out var vector)) return false;
        vector.CopyTo(destination);
        return true;
    }

    /// <summary>The keys of the live records (key map ensured).</summary>
    public string[] GetKeys() => _vectors.GetKeys();

    /// <summary>A document's id, hash and record count (documents ensured).</summary>
    public bool TryGetDocument(string documentId, out DocumentInfo info) => _documents!.TryGet(documentId, out info);

    /// <summary>Every document, ordered by id (documents ensured).</summary>
    public DocumentInfo[] GetDocuments() => _documents!.All();

    /// <summary>
    /// Whether the three sides describe the same records (key map, keywords and documents ensured): every live record
    /// with a title or text, and no other, is in the keyword index; every live record of a document, and no other, is in
    /// the document table, with its document's hash. Returns the differences (empty when consistent).
    /// </summary>
    internal List<string> CheckConsistency()
    {
        var problems = new List<string>();
        var keys = _vectors.GetKeys();
        var withText = new HashSet<string>(StringComparer.Ordinal);
        var documentOf = new Dictionary<string, (string Document, string? Hash)>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            _vectors.TryGetMetadata(key, out var metadata);
            if (ReservedMetadata.Get(metadata, ReservedMetadata.Title) is not null || ReservedMetadata.Get(metadata, ReservedMetadata.Text) is not null) withText.Add(key);
            if (ReservedMetadata.Get(metadata, ReservedMetadata.Document) is { } document) documentOf[key] = (document, ReservedMetadata.Get(metadata, ReservedMetadata.Hash));
        }
        var keywordKeys = _keywords!.LiveKeys().ToHashSet(StringComparer.Ordinal);
        foreach (var key in withText.Except(keywordKeys)) problems.Add($"record '{key}' has text but no keyword document");
        foreach (var key in keywordKeys.Except(withText)) problems.Add($"keyword document '{key}' has no record with text");
        var table = _documents!;
        var tableCount = 0;
        foreach (var info in table.All())
        {
            foreach (var key in table.KeysOf(info.DocumentId))
            {
                tableCount++;
                if (!documentOf.TryGetValue(key, out var owner)) problems.Add($"document '{info.DocumentId}' lists '{key}', which is no live record of it");
                else if (owner.Document != info.DocumentId || owner.Hash != info.ContentHash)
                    problems.Add($"record '{key}' belongs to document '{owner.Document}' ({owner.Hash}); the table says '{info.DocumentId}' ({info.ContentHash})");
            }
        }
        if (tableCount != documentOf.Count) problems.Add($"{documentOf.Count} live records carry a document, the table lists {tableCount}");
        return problems;
    }

    /// <summary>Live records with keyword text (keywords ensured).</summary>
    public int KeywordCount => _keywords!.Count;
}
