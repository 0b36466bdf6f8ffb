namespace Werkly.VectorIndex.Evaluation;

/// <summary>Mean retrieval quality over the judged queries of a collection.</summary>
/// <param name="Queries">How many judged queries were averaged.</param>
/// <param name="Ndcg10">nDCG@10 with graded gains and a log2 discount.</param>
/// <param name="Map100">Mean average precision over the top 100.</param>
/// <param name="Recall100">Share of the relevant documents found in the top 100.</param>
/// <param name="Precision10">Share of relevant documents in the top 10.</param>
public sealed record RetrievalScores(int Queries, double Ndcg10, double Map100, double Recall100, double Precision10);

/// <summary>The four standard metrics of one query.</summary>
/// <param name="QueryId">The query.</param>
/// <param name="Ndcg10">nDCG@10.</param>
/// <param name="Map100">Average precision over the top 100.</param>
/// <param name="Recall100">Recall over the top 100.</param>
/// <param name="Precision10">Precision over the top 10.</param>
public sealed record QueryScores(string QueryId, double Ndcg10, double Map100, double Recall100, double Precision10);

/// <summary>Standard ranked-retrieval metrics, with the definitions of trec_eval (and so of BEIR, which runs
/// pytrec_eval).</summary>
/// <remarks>
/// <para>A judged document is relevant when its gain is above zero; unjudged documents and gains of zero or below count
/// as not relevant. nDCG uses the gain itself (not 2^gain − 1) with a log2(rank + 1) discount and is normalised by the
/// ideal ordering of all the query's judged documents. A query whose judgments hold no relevant document scores 0 on
/// every metric and still counts in the mean, as in trec_eval. P@k always divides by k, also when fewer than k
/// documents were returned.</para>
/// <para>A ranking is a list of document ids, best first, each at most once (a repeated id throws, since trec_eval
/// would count it twice). <see cref="RankByScore"/> turns scored results into a ranking with trec_eval's order for
/// equal scores.</para>
/// <para>Pure functions: thread-safe.</para>
/// </remarks>
public static class RetrievalMetrics
{
    /// <summary>nDCG@k of one ranking.</summary>
    /// <param name="ranking">Document ids, best first.</param>
    /// <param name="judgments">The query's graded judgments: document id → gain.</param>
    /// <param name="k">The cut-off, at least 1.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The ranking holds a null or repeated id.</exception>
    public static double Ndcg(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        Check(ranking, judgments, k);
        var dcg = 0.0;
        for (var i = 0; i < Math.Min(k, ranking.Count); i++)
        {
            if (judgments.TryGetValue(ranking[i], out var gain) && gain > 0)
                dcg += gain / Math.Log2(i + 2);
        }
        var ideal = 0.0;
        var rank = 0;
        foreach (var gain in judgments.Values.Where(g => g > 0).OrderByDescending(g => g).Take(k))
            ideal += gain / Math.Log2(rank++ + 2);
        return ideal == 0 ? 0 : dcg / ideal;
    }

    /// <summary>Average precision over the top <paramref name="k"/>: the sum of the precision at each relevant document
    /// found, divided by the number of relevant documents judged (found or not).</summary>
    /// <inheritdoc cref="Ndcg" path="/param|/exception"/>
    public static double AveragePrecision(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        Check(ranking, judgments, k);
        var relevant = CountRelevant(judgments);
        if (relevant == 0) return 0;
        double hits = 0, sum = 0;
        for (var i = 0; i < Math.Min(k, ranking.Count); i++)
        {
            if (IsRelevant(judgments, ranking[i]))
                sum += ++hits / (i + 1);
        }
        return sum / relevant;
    }

    /// <summary>Share of the relevant documents that appear in the top <paramref name="k"/>.</summary>
    /// <inheritdoc cref="Ndcg" path="/param|/exception"/>
    public static double Recall(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        Check(ranking, judgments, k);
        var relevant = CountRelevant(judgments);
        return relevant == 0 ? 0 : (double)RelevantInTop(ranking, judgments, k) / relevant;
    }

    /// <summary>Share of the top <paramref name="k"/> positions held by relevant documents (k is the denominator).</summary>
    /// <inheritdoc cref="Ndcg" path="/param|/exception"/>
    public static double Precision(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        Check(ranking, judgments, k);
        return (double)RelevantInTop(ranking, judgments, k) / k;
    }

    /// <summary>The four standard metrics (nDCG@10, AP@100, Recall@100, P@10) of one query.</summary>
    /// <param name="queryId">The query id, carried into the result.</param>
    /// <param name="ranking">Document ids, best first.</param>
    /// <param name="judgments">The query's judgments.</param>
    /// <exception cref="ArgumentException">The ranking holds a null or repeated id.</exception>
    public static QueryScores Score(string queryId, IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments)
    {
        ArgumentNullException.ThrowIfNull(queryId);
        return new QueryScores(queryId, Ndcg(ranking, judgments, 10), AveragePrecision(ranking, judgments, 100),
            Recall(ranking, judgments, 100), Precision(ranking, judgments, 10));
    }

    /// <summary>Runs <paramref name="rank"/> for every judged query and scores each one.</summary>
    /// <param name="dataset">The collection.</param>
    /// <param name="rank">Returns the ranked document ids for a query (at least 100 for AP@100 and Recall@100 to be meaningful).</param>
    /// <returns>One entry per judged query, in the dataset's query order.</returns>
    public static IReadOnlyList<QueryScores> EvaluatePerQuery(BeirDataset dataset, Func<BeirQuery, IReadOnlyList<string>> rank)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(rank);
        var scores = new List<QueryScores>();
        foreach (var query in dataset.JudgedQueries)
            scores.Add(Score(query.Id, rank(query), dataset.Judgments[query.Id]));
        return scores;
    }

    /// <summary>Runs <paramref name="rank"/> for every judged query and averages the four standard metrics.</summary>
    /// <inheritdoc cref="EvaluatePerQuery" path="/param"/>
    public static RetrievalScores Evaluate(BeirDataset dataset, Func<BeirQuery, IReadOnlyList<string>> rank) =>
        Mean(EvaluatePerQuery(dataset, rank));

    /// <summary>The mean of per-query scores (all zero for an empty list).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="scores"/> is null.</exception>
    public static RetrievalScores Mean(IEnumerable<QueryScores> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        int n = 0;
        double ndcg = 0, map = 0, recall = 0, p10 = 0;
        foreach (var s in scores)
        {
            ndcg += s.Ndcg10;
            map += s.Map100;
            recall += s.Recall100;
            p10 += s.Precision10;
            n++;
        }
        return n == 0 ? new RetrievalScores(0, 0, 0, 0, 0) : new RetrievalScores(n, ndcg / n, map / n, recall / n, p10 / n);
    }

    /// <summary>Orders scored documents into a ranking the way trec_eval does: by score, highest first, and equal scores
    /// by document id in descending ordinal order.</summary>
    /// <param name="results">Document id and score pairs, in any order.</param>
    /// <returns>The document ids, best first.</returns>
    /// <exception cref="ArgumentException">A score is NaN, or an id is null.</exception>
    public static string[] RankByScore(IEnumerable<KeyValuePair<string, double>> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var list = results.ToList();
        foreach (var (id, score) in list)
        {
            if (id is null) throw new ArgumentException("A result has a null document id.", nameof(results));
            if (double.IsNaN(score)) throw new ArgumentException($"Document '{id}' has a NaN score.", nameof(results));
        }
        list.Sort(static (a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(b.Key, a.Key));
        return [.. list.Select(p => p.Key)];
    }

    private static void Check(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(judgments);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (ranking.Count == 0) return;
        var seen = new HashSet<string>(ranking.Count, StringComparer.Ordinal);
        for (var i = 0; i < ranking.Count; i++)
        {
            var id = ranking[i] ?? throw new ArgumentException($"ranking[{i}] is null.", nameof(ranking));
            if (!seen.Add(id)) throw new ArgumentException($"The ranking holds document '{id}' twice (second time at position {i}).", nameof(ranking));
        }
    }

    private static bool IsRelevant(IReadOnlyDictionary<string, int> judgments, string id) => judgments.TryGetValue(id, out var gain) && gain > 0;

    private static int CountRelevant(IReadOnlyDictionary<string, int> judgments) => judgments.Values.Count(g => g > 0);

    private static int RelevantInTop(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        var count = 0;
        for (var i = 0; i < Math.Min(k, ranking.Count); i++)
        {
            if (IsRelevant(judgments, ranking[i])) count++;
        }
        return count;
    }
}
