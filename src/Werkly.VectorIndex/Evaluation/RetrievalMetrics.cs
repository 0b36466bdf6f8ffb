namespace Werkly.VectorIndex.Evaluation;

/// <summary>Mean retrieval quality over the judged queries of a collection.</summary>
/// <param name="Queries">How many judged queries were averaged.</param>
/// <param name="Ndcg10">nDCG@10 with graded gains and a log2 discount.</param>
/// <param name="Map100">Mean average precision over the top 100.</param>
/// <param name="Recall100">Share of the relevant documents found in the top 100.</param>
/// <param name="Precision10">Share of relevant documents in the top 10.</param>
public sealed record RetrievalScores(int Queries, double Ndcg10, double Map100, double Recall100, double Precision10);

/// <summary>Standard ranked-retrieval metrics (the definitions of trec_eval and BEIR).</summary>
/// <remarks>A judged document is relevant when its gain is above zero. nDCG uses the gain itself (not 2^gain − 1)
/// with a log2(rank + 1) discount, normalised by the ideal ordering of all judged documents.</remarks>
public static class RetrievalMetrics
{
    /// <summary>nDCG@k of one ranking.</summary>
    public static double Ndcg(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(judgments);
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

    /// <summary>Average precision over the top <paramref name="k"/>, divided by the number of relevant documents.</summary>
    public static double AveragePrecision(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(judgments);
        var relevant = judgments.Values.Count(g => g > 0);
        if (relevant == 0) return 0;
        double hits = 0, sum = 0;
        for (var i = 0; i < Math.Min(k, ranking.Count); i++)
        {
            if (judgments.TryGetValue(ranking[i], out var gain) && gain > 0)
                sum += ++hits / (i + 1);
        }
        return sum / relevant;
    }

    /// <summary>Share of the relevant documents that appear in the top <paramref name="k"/>.</summary>
    public static double Recall(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(judgments);
        var relevant = judgments.Values.Count(g => g > 0);
        return relevant == 0 ? 0 : (double)CountRelevant(ranking, judgments, k) / relevant;
    }

    /// <summary>Share of the top <paramref name="k"/> positions held by relevant documents (k is the denominator).</summary>
    public static double Precision(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(judgments);
        return (double)CountRelevant(ranking, judgments, k) / k;
    }

    /// <summary>Runs <paramref name="rank"/> for every judged query and averages the four standard metrics.</summary>
    /// <param name="dataset">The collection.</param>
    /// <param name="rank">Returns the ranked document ids for a query (at least 100 for MAP@100 and Recall@100 to be meaningful).</param>
    public static RetrievalScores Evaluate(BeirDataset dataset, Func<BeirQuery, IReadOnlyList<string>> rank)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(rank);
        int n = 0;
        double ndcg = 0, map = 0, recall = 0, p10 = 0;
        foreach (var query in dataset.JudgedQueries)
        {
            var judgments = dataset.Judgments[query.Id];
            var ranking = rank(query);
            ndcg += Ndcg(ranking, judgments, 10);
            map += AveragePrecision(ranking, judgments, 100);
            recall += Recall(ranking, judgments, 100);
            p10 += Precision(ranking, judgments, 10);
            n++;
        }
        return n == 0 ? new RetrievalScores(0, 0, 0, 0, 0) : new RetrievalScores(n, ndcg / n, map / n, recall / n, p10 / n);
    }

    private static int CountRelevant(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        var count = 0;
        for (var i = 0; i < Math.Min(k, ranking.Count); i++)
        {
            if (judgments.TryGetValue(ranking[i], out var gain) && gain > 0) count++;
        }
        return count;
    }
}
