using System.Numerics.Tensors;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Hybrid;

public static partial class HybridSearch
{
    /// <summary>
    /// Runs a hybrid search against one company's <paramref name="source"/>: both sides retrieve
    /// <see cref="HybridQuery.EffectiveCandidatesPerSide"/> hits and are fused; with <see cref="HybridQuery.Feedback"/>,
    /// the best fused hits of that first pass expand both queries (RM3 terms for the keyword side, Rocchio for the
    /// vector side) and the second pass is fused into the result.
    /// </summary>
    /// <param name="query">The query; <see cref="HybridQuery.Vector"/> is required (embed the text first).</param>
    /// <param name="source">The company's retrievers and stored records.</param>
    /// <param name="parallel">Run the keyword side on the thread pool while the vector side runs on the calling thread.</param>
    /// <param name="cancellationToken">Passed to every retrieval.</param>
    /// <returns>The requested page of fused hits (projections are the caller's to fill). Explanations describe the pass
    /// that produced the result (the second one with feedback).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The query has no vector, or its vector does not have the source's dimensions.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A query setting is out of range.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static IReadOnlyList<HybridHit> Search(HybridQuery query, IHybridSearchSource source, bool parallel = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(source);
        query.Validate();
        var queryVector = query.Vector ?? throw new ArgumentException("The query has no vector: embed its text and set HybridQuery.Vector.", nameof(query));
        if (queryVector.Length != source.Dimensions)
            throw new ArgumentException($"The query vector has {queryVector.Length} dimensions; the index has {source.Dimensions}.", nameof(query));
        var candidates = query.EffectiveCandidatesPerSide;
        var terms = WeightedTerm.FromText(source.Analyzer, query.Text);
        var (vector, keyword) = Retrieve(source, queryVector, terms, candidates, parallel, cancellationToken);
        if (query.Feedback is not { } feedback) return ScoreFusion.Fuse(vector, keyword, query.Fusion);

        var firstPass = ScoreFusion.Fuse(vector, keyword, query.Fusion with { Skip = 0, Top = feedback.Documents, MinScore = null, Explain = false });
        var documents = new List<FeedbackDocument>(firstPass.Count);
        var centroid = new float[source.Dimensions];
        var row = new float[source.Dimensions];
        var vectors = 0;
        for (var i = 0; i < firstPass.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = firstPass[i].Key;
            if (feedback.OriginalQueryWeight < 1 && source.TryGetText(key, out var title, out var body))
                documents.Add(new FeedbackDocument(title, body, 1.0 / (i + 1)));
            if (feedback.VectorFeedbackWeight > 0 && source.TryGetVector(key, row))
            {
                TensorPrimitives.Add(centroid, row, centroid);
                vectors++;
            }
        }
        var expandedTerms = documents.Count > 0
            ? RelevanceFeedback.Expand(source.Analyzer, query.Text, documents, feedback.ExpansionTerms, feedback.OriginalQueryWeight)
            : null;
        float[]? expandedVector = null;
        if (vectors > 0)
        {
            // Rocchio on the unit query: q/|q| + β · mean(feedback vectors), so β means the same whatever the query's scale.
            expandedVector = queryVector.ToArray();
            var norm = TensorPrimitives.Norm(expandedVector);
            if (norm > 0) TensorPrimitives.Divide(expandedVector, norm, expandedVector);
            TensorPrimitives.MultiplyAdd(centroid, (float)(feedback.VectorFeedbackWeight / vectors), expandedVector, expandedVector);
        }
        if (expandedTerms is null && expandedVector is null) return ScoreFusion.Fuse(vector, keyword, query.Fusion);

        var (secondVector, secondKeyword) = Retrieve(source, expandedVector ?? queryVector, expandedTerms ?? terms, candidates, parallel,
            cancellationToken, reuseVector: expandedVector is null ? vector : null, reuseKeyword: expandedTerms is null ? keyword : null);
        return ScoreFusion.FuseTwoPasses(vector, keyword, secondVector, secondKeyword, feedback.SecondPassWeight, query.Fusion);
    }

    private static (IReadOnlyList<RankedHit> Vector, IReadOnlyList<RankedHit> Keyword) Retrieve(IHybridSearchSource source,
        ReadOnlyMemory<float> vector, WeightedTerm[] terms, int candidates, bool parallel, CancellationToken cancellationToken,
        IReadOnlyList<RankedHit>? reuseVector = null, IReadOnlyList<RankedHit>? reuseKeyword = null)
    {
        IReadOnlyList<RankedHit> Keyword() => reuseKeyword ?? (terms.Length == 0 ? [] : source.SearchKeywords(terms, candidates, cancellationToken));
        if (parallel && reuseKeyword is null && reuseVector is null)
        {
            var keywordTask = Task.Run(Keyword, cancellationToken);
            var vectorHits = source.SearchVector(vector, candidates, cancellationToken);
            return (vectorHits, keywordTask.GetAwaiter().GetResult());
        }
        return (reuseVector ?? source.SearchVector(vector, candidates, cancellationToken), Keyword());
    }
}
