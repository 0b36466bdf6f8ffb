using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Hybrid;

/// <summary>Retrieves up to <c>candidates</c> hits from one side (vector or keyword) of a hybrid search, best first.</summary>
/// <param name="candidates">How many hits to return at most.</param>
/// <param name="cancellationToken">Cancels the retrieval.</param>
public delegate IReadOnlyList<RankedHit> HybridRetriever(int candidates, CancellationToken cancellationToken);

/// <summary>Runs the two retrievers of a <see cref="HybridQuery"/> and fuses their results with <see cref="ScoreFusion"/>.</summary>
/// <remarks>The index facade supplies the retrievers for one company (its vector search with the query's vector or
/// the embedded text, and its <see cref="InvertedIndex"/>). Thread safety: stateless; safe from any thread as long as
/// the retrievers are.</remarks>
public static partial class HybridSearch
{
    /// <summary>Retrieves <see cref="HybridQuery.EffectiveCandidatesPerSide"/> hits from each side and fuses them.</summary>
    /// <param name="query">The query (validated here).</param>
    /// <param name="vectorSearch">The vector side.</param>
    /// <param name="keywordSearch">The keyword side.</param>
    /// <param name="parallel">Run the keyword side on the thread pool while the vector side runs on the calling thread,
    /// so the latency is about the slower side's rather than the sum.</param>
    /// <param name="cancellationToken">Passed to both retrievers.</param>
    /// <returns>The requested page of fused hits (key and score, plus the explanation when asked; projections are the
    /// caller's to fill).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A query setting is out of range.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="NotSupportedException">The query asks for <see cref="HybridQuery.Feedback"/>, which needs the
    /// records' texts and vectors: use <see cref="Search(HybridQuery, IHybridSearchSource, bool, CancellationToken)"/>.</exception>
    public static IReadOnlyList<HybridHit> Search(HybridQuery query, HybridRetriever vectorSearch, HybridRetriever keywordSearch,
        bool parallel = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(vectorSearch);
        ArgumentNullException.ThrowIfNull(keywordSearch);
        query.Validate();
        if (query.Feedback is not null)
            throw new NotSupportedException("Pseudo-relevance feedback re-queries both sides with expanded queries, which two fixed retrievers cannot do; search through an IHybridSearchSource instead.");
        var candidates = query.EffectiveCandidatesPerSide;
        IReadOnlyList<RankedHit> vector, keyword;
        if (parallel)
        {
            var keywordTask = Task.Run(() => keywordSearch(candidates, cancellationToken), cancellationToken);
            vector = vectorSearch(candidates, cancellationToken);
            keyword = keywordTask.GetAwaiter().GetResult();
        }
        else
        {
            vector = vectorSearch(candidates, cancellationToken);
            keyword = keywordSearch(candidates, cancellationToken);
        }
        return ScoreFusion.Fuse(vector, keyword, query.Fusion);
    }

    /// <summary>A keyword retriever over one company's <see cref="InvertedIndex"/> for <paramref name="text"/>.</summary>
    /// <param name="index">The company's keyword index.</param>
    /// <param name="text">The query text.</param>
    /// <param name="scoring">BM25 settings; null for the index's defaults.</param>
    public static HybridRetriever Keyword(InvertedIndex index, string text, Bm25Options? scoring = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(text);
        return (candidates, cancellationToken) => ToRankedHits(index.Search(text, candidates, scoring, cancellationToken));
    }

    /// <summary>Converts keyword hits to the fusion input, keeping their order.</summary>
    public static RankedHit[] ToRankedHits(IReadOnlyList<KeywordHit> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        var ranked = new RankedHit[hits.Count];
        for (var i = 0; i < ranked.Length; i++) ranked[i] = new RankedHit(hits[i].Key, hits[i].Score);
        return ranked;
    }
}
