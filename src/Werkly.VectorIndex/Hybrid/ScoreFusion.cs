namespace Werkly.VectorIndex.Hybrid;

/// <summary>One hit of a single retriever (vector or keyword), as fed to <see cref="ScoreFusion"/>.</summary>
/// <param name="Key">The record key.</param>
/// <param name="Score">The retriever's score; higher is better (a similarity, not a distance). Must be finite.</param>
/// <remarks>A hit's rank is its position in the list it is passed in (the first is rank 1).</remarks>
internal readonly record struct RankedHit(string Key, double Score);

/// <summary>One fused hit: its score and what each side contributed.</summary>
internal readonly record struct FusedHit(string Key, double Score, ScoreBreakdown Breakdown);

/// <summary>Combines a vector ranking and a keyword ranking into one (weighted normalized scores or reciprocal rank
/// fusion), with each hit's breakdown.</summary>
/// <remarks>Pure functions: no state, safe from any thread. The result is ordered by fused score, then by key (ordinal),
/// so equal inputs always give the same order.</remarks>
internal static class ScoreFusion
{
    /// <summary>Fuses two ranked lists.</summary>
    /// <param name="vectorHits">Vector-search hits, best first (rank = position + 1); may be empty.</param>
    /// <param name="keywordHits">Keyword-search hits, best first; may be empty.</param>
    /// <param name="options">Method, α, RRF k; null for the defaults.</param>
    /// <returns>Every key of either list, best first.</returns>
    /// <exception cref="ArgumentNullException">A list is null.</exception>
    /// <exception cref="ArgumentException">A list holds a null key, the same key twice, or a non-finite score.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static List<FusedHit> Fuse(IReadOnlyList<RankedHit> vectorHits, IReadOnlyList<RankedHit> keywordHits,
        FusionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vectorHits);
        ArgumentNullException.ThrowIfNull(keywordHits);
        options ??= new FusionOptions();
        options.Validate();

        var merged = new Dictionary<string, Sides>(vectorHits.Count + keywordHits.Count, StringComparer.Ordinal);
        Collect(vectorHits, merged, vector: true, nameof(vectorHits));
        Collect(keywordHits, merged, vector: false, nameof(keywordHits));

        var (vectorMin, vectorSpan) = Range(vectorHits);
        var (keywordMin, keywordSpan) = Range(keywordHits);
        var alpha = options.Alpha;
        var fused = new List<(string Key, double Score, double Vector, double Keyword, Sides Sides)>(merged.Count);
        foreach (var (key, sides) in merged)
        {
            double vector = 0, keyword = 0;
            if (options.Method == FusionMethod.WeightedScore)
            {
                if (sides.VectorRank > 0) vector = alpha * Normalize(sides.VectorScore, vectorMin, vectorSpan);
                if (sides.KeywordRank > 0) keyword = (1 - alpha) * Normalize(sides.KeywordScore, keywordMin, keywordSpan);
            }
            else
            {
                if (sides.VectorRank > 0) vector = 2 * alpha / (options.RrfK + sides.VectorRank);
                if (sides.KeywordRank > 0) keyword = 2 * (1 - alpha) / (options.RrfK + sides.KeywordRank);
            }
            fused.Add((key, vector + keyword, vector, keyword, sides));
        }
        fused.Sort(static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : string.CompareOrdinal(a.Key, b.Key));

        var result = new List<FusedHit>(fused.Count);
        foreach (var (key, score, vector, keyword, sides) in fused)
        {
            result.Add(new FusedHit(key, score, new ScoreBreakdown(
                sides.VectorRank > 0 ? sides.VectorRank : null,
                sides.VectorRank > 0 ? sides.VectorScore : null,
                sides.KeywordRank > 0 ? sides.KeywordRank : null,
                sides.KeywordRank > 0 ? sides.KeywordScore : null,
                vector, keyword, options.Method)));
        }
        return result;
    }

    /// <summary>Min-max normalization of one score: 0 for the side's lowest, 1 for its highest; 1 when all are equal.</summary>
    public static double Normalize(double score, double min, double span) => span > 0 ? (score - min) / span : 1.0;

    private struct Sides
    {
        public int VectorRank, KeywordRank; // 0 = absent
        public double VectorScore, KeywordScore;
    }

    private static void Collect(IReadOnlyList<RankedHit> hits, Dictionary<string, Sides> merged, bool vector, string listName)
    {
        for (var i = 0; i < hits.Count; i++)
        {
            var (key, score) = hits[i];
            if (key is null) throw new ArgumentException($"{listName}[{i}] has a null key.", listName);
            if (!double.IsFinite(score)) throw new ArgumentException($"{listName}[{i}] ('{key}') has a non-finite score {score}.", listName);
            ref var sides = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(merged, key, out _);
            if (vector)
            {
                if (sides.VectorRank != 0) throw new ArgumentException($"{listName} holds key '{key}' twice (positions {sides.VectorRank - 1} and {i}).", listName);
                sides.VectorRank = i + 1;
                sides.VectorScore = score;
            }
            else
            {
                if (sides.KeywordRank != 0) throw new ArgumentException($"{listName} holds key '{key}' twice (positions {sides.KeywordRank - 1} and {i}).", listName);
                sides.KeywordRank = i + 1;
                sides.KeywordScore = score;
            }
        }
    }

    private static (double Min, double Span) Range(IReadOnlyList<RankedHit> hits)
    {
        if (hits.Count == 0) return (0, 0);
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var hit in hits)
        {
            min = Math.Min(min, hit.Score);
            max = Math.Max(max, hit.Score);
        }
        return (min, max - min);
    }
}
