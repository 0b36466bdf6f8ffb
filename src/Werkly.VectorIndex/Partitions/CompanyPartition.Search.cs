using System.Numerics.Tensors;
using Werkly.VectorIndex.Hybrid;
using Werkly.VectorIndex.Ivf;
using Werkly.VectorIndex.Text;

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
    /// hybrid search run in parallel under the caller's one lease, so both see the same state; so does a feedback pass.
    /// </summary>
    public List<SearchResult> Search(SearchQuery query, ReadOnlyMemory<float>? vector, CancellationToken cancellationToken)
    {
        var filter = query.Filter;
        List<(string Key, double Score, ScoreBreakdown? Breakdown)> ranked;
        if (query.Mode == SearchMode.Hybrid)
        {
            var candidates = query.EffectiveCandidatesPerSide;
            var terms = WeightedTerm.FromText(_keywords!.Analyzer, query.Text);
            var (vectorHits, keywordHits) = BothSides(vector!.Value, terms, candidates, query, cancellationToken);
            var fused = query.Feedback is { } feedback
                ? WithFeedback(query, feedback, vector.Value, terms, vectorHits, keywordHits, cancellationToken)
                : ScoreFusion.Fuse(vectorHits, keywordHits, query.Fusion);
            ranked = [.. fused.Select(f => (f.Key, f.Score, (ScoreBreakdown?)f.Breakdown))];
        }
        else
        {
            var candidates = query.SingleSideCandidates;
            var single = query.Mode == SearchMode.Vector
                ? VectorSide(vector!.Value, candidates, query)
                : KeywordSide(WeightedTerm.FromText(_keywords!.Analyzer, query.Text), candidates, filter, cancellationToken);
            ranked = new(single.Length);
            for (var i = 0; i < single.Length; i++)
            {
                var (key, score) = single[i];
                ranked.Add((key, score, query.Mode == SearchMode.Vector
                    ? new ScoreBreakdown(i + 1, score, null, null, score, 0, null)
                    : new ScoreBreakdown(null, null, i + 1, score, 0, score, null)));
            }
        }
        if (query.MinScore is { } floor) ranked.RemoveAll(r => !(r.Score >= floor));

        var results = new List<SearchResult>(Math.Min(query.Top, ranked.Count));
        if (query.GroupByDocument is { } grouping)
        {
            var documents = new List<(string Document, double Score)>(ranked.Count);
            foreach (var (key, score, _) in ranked)
            {
                _vectors.TryGetMetadata(key, out var metadata);
                // A record outside any document is its own group; the prefix keeps it apart from a document of that id.
                documents.Add((ReservedMetadata.Get(metadata, ReservedMetadata.Document) is { } document ? "d:" + document : "k:" + key, score));
            }
            var groups = DocumentAggregation.Group(documents, grouping);
            for (var i = query.Skip; i < groups.Count && results.Count < query.Top; i++)
            {
                var best = ranked[groups[i].Positions[0]];
                results.Add(Project(best.Key, groups[i].Score, query.Explain ? best.Breakdown : null, query.Include));
            }
            return results;
        }
        for (var i = query.Skip; i < ranked.Count && results.Count < query.Top; i++)
            results.Add(Project(ranked[i].Key, ranked[i].Score, query.Explain ? ranked[i].Breakdown : null, query.Include));
        return results;
    }

    /// <summary>Both sides of a hybrid search: the keyword side on the thread pool while the vector side runs here.</summary>
    private (RankedHit[] Vector, RankedHit[] Keyword) BothSides(ReadOnlyMemory<float> vector, WeightedTerm[] terms, int candidates,
        SearchQuery query, CancellationToken cancellationToken)
    {
        var keywordTask = Task.Run(() => KeywordSide(terms, candidates, query.Filter, cancellationToken), cancellationToken);
        RankedHit[] vectorHits;
        try
        {
            vectorHits = VectorSide(vector, candidates, query);
        }
        catch
        {
            // Never leave the keyword side running past the caller's lease; the vector side's failure is reported.
            ((IAsyncResult)keywordTask).AsyncWaitHandle.WaitOne();
            throw;
        }
        return (vectorHits, keywordTask.GetAwaiter().GetResult());
    }

    /// <summary>
    /// Pseudo-relevance feedback: the first pass's best fused hits expand the keyword query (RM3 over their titles and
    /// texts, weighted 1/rank) and the query vector (Rocchio: q/|q| + β · mean of their vectors); both sides search
    /// again and the two passes are fused (<see cref="ScoreFusion.FuseTwoPasses"/>). Runs under the caller's lease.
    /// </summary>
    private List<FusedHit> WithFeedback(SearchQuery query, FeedbackOptions feedback, ReadOnlyMemory<float> queryVector, WeightedTerm[] terms,
        RankedHit[] vectorHits, RankedHit[] keywordHits, CancellationToken cancellationToken)
    {
        var firstPass = ScoreFusion.Fuse(vectorHits, keywordHits, query.Fusion);
        var count = Math.Min(feedback.Documents, firstPass.Count);
        var documents = new List<FeedbackDocument>(count);
        var dimensions = _vectors.Dimensions;
        var centroid = new float[dimensions];
        var vectors = 0;
        for (var i = 0; i < count; i++)
        {
            var key = firstPass[i].Key;
            if (feedback.OriginalQueryWeight < 1 && _vectors.TryGetMetadata(key, out var metadata))
            {
                var title = ReservedMetadata.Get(metadata, ReservedMetadata.Title);
                var text = ReservedMetadata.Get(metadata, ReservedMetadata.Text);
                if (title is not null || text is not null) documents.Add(new FeedbackDocument(title, text, 1.0 / (i + 1)));
            }
            if (feedback.VectorFeedbackWeight > 0 && _vectors.TryGetVector(key, out var stored))
            {
                TensorPrimitives.Add(centroid, stored, centroid);
                vectors++;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        var expandedTerms = documents.Count > 0
            ? RelevanceFeedback.Expand(_keywords!.Analyzer, query.Text!, documents, feedback.ExpansionTerms, feedback.OriginalQueryWeight)
            : null;
        float[]? expandedVector = null;
        if (vectors > 0)
        {
            // Rocchio on the unit query, so β means the same whatever the query's scale.
            expandedVector = queryVector.ToArray();
            var norm = TensorPrimitives.Norm(expandedVector);
            if (norm > 0) TensorPrimitives.Divide(expandedVector, norm, expandedVector);
            TensorPrimitives.MultiplyAdd(centroid, (float)(feedback.VectorFeedbackWeight / vectors), expandedVector, expandedVector);
            // Feedback vectors that cancel the query leave nothing to search with: keep the first pass's vector side.
            if (!(TensorPrimitives.Norm(expandedVector) > 0)) expandedVector = null;
        }
        if (expandedTerms is null && expandedVector is null) return firstPass;

        var candidates = query.EffectiveCandidatesPerSide;
        RankedHit[] secondVector, secondKeyword;
        if (expandedTerms is not null && expandedVector is not null)
            (secondVector, secondKeyword) = BothSides(expandedVector, expandedTerms, candidates, query, cancellationToken);
        else if (expandedVector is not null)
            (secondVector, secondKeyword) = (VectorSide(expandedVector, candidates, query), keywordHits);
        else
            (secondVector, secondKeyword) = (vectorHits, KeywordSide(expandedTerms!, candidates, query.Filter, cancellationToken));
        return ScoreFusion.FuseTwoPasses(vectorHits, keywordHits, secondVector, secondKeyword, feedback.SecondPassWeight, query.Fusion);
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

    private RankedHit[] KeywordSide(WeightedTerm[] terms, int candidates, RecordFilter? filter, CancellationToken cancellationToken)
    {
        if (terms.Length == 0) return [];
        Func<string, bool>? accept = null;
        if (filter is not null)
            accept = key => _vectors.TryGetMetadata(key, out var metadata) && filter(key, metadata);
        var hits = _keywords!.Search(terms, Math.Clamp(candidates, 1, InvertedIndex.MaxTop), null, accept, cancellationToken);
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

    /// <summary>A document's live record keys, ordered (documents ensured).</summary>
    public string[] GetDocumentKeys(string documentId) => [.. _documents!.KeysOf(documentId).Order(StringComparer.Ordinal)];

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
