using Werkly.VectorIndex.Evaluation;
using Werkly.VectorIndex.Hybrid;

namespace Werkly.VectorIndex.QualityBench;

/// <summary>
/// A linear combination of six per-hit features, fitted by coordinate ascent on mean nDCG@10 (Metzler and Croft 2007)
/// on the training half only: each side's DBSF-normalised score, whether each side returned the hit, and each side's
/// 10/(10 + rank).
/// </summary>
internal sealed class LearnedCombination
{
    public const int Features = 6;
    private static readonly double[] Steps = [-1, -0.5, -0.25, -0.1, -0.05, 0.05, 0.1, 0.25, 0.5, 1];
    private readonly (string[] Keys, double[][] Features)[] _queries;
    private readonly Collection _collection;

    public LearnedCombination(Collection collection)
    {
        _collection = collection;
        _queries = new (string[], double[][])[collection.Queries.Length];
        for (var q = 0; q < _queries.Length; q++)
        {
            var vector = collection.Vector(q);
            var keyword = collection.Bm25(q);
            var v = Normalised(vector);
            var k = Normalised(keyword);
            var keys = vector.Select(h => h.Key).Union(keyword.Select(h => h.Key), StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var vRank = vector.Select((h, i) => (h.Key, i + 1)).ToDictionary(p => p.Key, p => p.Item2, StringComparer.Ordinal);
            var kRank = keyword.Select((h, i) => (h.Key, i + 1)).ToDictionary(p => p.Key, p => p.Item2, StringComparer.Ordinal);
            _queries[q] = (keys, [.. keys.Select(key => new[]
            {
                v.GetValueOrDefault(key), k.GetValueOrDefault(key),
                vRank.ContainsKey(key) ? 1.0 : 0, kRank.ContainsKey(key) ? 1.0 : 0,
                vRank.TryGetValue(key, out var rv) ? 10.0 / (10 + rv) : 0, kRank.TryGetValue(key, out var rk) ? 10.0 / (10 + rk) : 0,
            })]);
        }
    }

    /// <summary>Fits weights on <paramref name="training"/> (indexes of queries).</summary>
    public double[] Fit(IReadOnlyList<int> training)
    {
        double[] weights = [0.5, 0.5, 0, 0, 0, 0];
        var best = Mean(weights, training);
        for (var pass = 0; pass < 4; pass++)
        {
            var improved = false;
            for (var f = 0; f < Features; f++)
            {
                foreach (var step in Steps)
                {
                    var trial = (double[])weights.Clone();
                    trial[f] += step;
                    var norm = trial.Sum(Math.Abs);
                    if (norm == 0) continue;
                    for (var i = 0; i < Features; i++) trial[i] /= norm;
                    var score = Mean(trial, training);
                    if (score > best + 1e-9)
                    {
                        (best, weights, improved) = (score, trial, true);
                    }
                }
            }
            if (!improved) break;
        }
        return weights;
    }

    public string[] Rank(double[] weights, int query)
    {
        var (keys, features) = _queries[query];
        var scores = features.Select(f => f.Zip(weights, (x, w) => x * w).Sum()).ToArray();
        return [.. Enumerable.Range(0, keys.Length).OrderByDescending(i => scores[i]).ThenBy(i => keys[i], StringComparer.Ordinal).Take(Collection.Depth).Select(i => keys[i])];
    }

    private double Mean(double[] weights, IReadOnlyList<int> queries) =>
        queries.Average(q => RetrievalMetrics.Ndcg(Rank(weights, q), _collection.Dataset.Judgments[_collection.Queries[q].Id], 10));

    private static Dictionary<string, double> Normalised(IReadOnlyList<RankedHit> hits) =>
        ScoreFusion.FuseLists([hits], [1.0], FusionMethod.DistributionBased).ToDictionary(h => h.Key, h => h.Score, StringComparer.Ordinal);
}
