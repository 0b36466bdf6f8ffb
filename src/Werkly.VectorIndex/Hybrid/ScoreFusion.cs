using System.Runtime.InteropServices;

namespace Werkly.VectorIndex.Hybrid;

/// <summary>One hit of a single retriever (vector or keyword), as fed to <see cref="ScoreFusion"/>.</summary>
/// <param name="Key">The record key.</param>
/// <param name="Score">The retriever's score; higher is better (a similarity, not a distance). Must be finite.</param>
/// <remarks>A hit's rank is its position in the list it is passed in (the first is rank 1).</remarks>
internal readonly record struct RankedHit(string Key, double Score);

/// <summary>One fused hit: its score and what each side contributed.</summary>
internal readonly record struct FusedHit(string Key, double Score, ScoreBreakdown Breakdown);

/// <summary>Combines a vector ranking and a keyword ranking into one (weighted normalized scores — min-max, z-score or
/// distribution-based — or reciprocal rank fusion), with each hit's breakdown.</summary>
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
        return FusePasses([vectorHits], [keywordHits], [1.0], options ?? FusionOptions.Default);
    }

    /// <summary>
    /// Fuses a first and a second pass (pseudo-relevance feedback): each of the four lists is normalised on its own and
    /// a hit scores α · ((1 − γ) · first vector + γ · second vector) + (1 − α) · ((1 − γ) · first keyword + γ · second
    /// keyword), γ being <paramref name="secondPassWeight"/>. Breakdowns show the second pass's ranks and scores, and
    /// contributions summed over both passes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="secondPassWeight"/> is outside 0 to 1, or an option is out of range.</exception>
    public static List<FusedHit> FuseTwoPasses(IReadOnlyList<RankedHit> firstVector, IReadOnlyList<RankedHit> firstKeyword,
        IReadOnlyList<RankedHit> secondVector, IReadOnlyList<RankedHit> secondKeyword, double secondPassWeight, FusionOptions options)
    {
        if (!(secondPassWeight is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(secondPassWeight), secondPassWeight, "The second pass's weight must be between 0 and 1.");
        return secondPassWeight == 1
            ? FusePasses([secondVector], [secondKeyword], [1.0], options)
            : FusePasses([firstVector, secondVector], [firstKeyword, secondKeyword], [1 - secondPassWeight, secondPassWeight], options);
    }

    private static List<FusedHit> FusePasses(IReadOnlyList<RankedHit>[] vectorPasses, IReadOnlyList<RankedHit>[] keywordPasses, double[] passWeights,
        FusionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var passes = passWeights.Length;
        var index = new Dictionary<string, int>(vectorPasses[^1].Count + keywordPasses[^1].Count, StringComparer.Ordinal);
        var keys = new List<string>();
        var ranks = new List<int>[2 * passes];       // per (pass, side): rank of each key, 0 = absent
        var scores = new List<double>[2 * passes];
        for (var list = 0; list < 2 * passes; list++)
        {
            ranks[list] = [];
            scores[list] = [];
        }
        for (var p = 0; p < passes; p++)
        {
            Collect(vectorPasses[p], index, keys, ranks, scores, 2 * p, "vectorHits");
            Collect(keywordPasses[p], index, keys, ranks, scores, 2 * p + 1, "keywordHits");
        }
        var normalizations = new SideNormalization[2 * passes];
        for (var p = 0; p < passes; p++)
        {
            normalizations[2 * p] = new SideNormalization(vectorPasses[p], options.Method, options.RrfK);
            normalizations[2 * p + 1] = new SideNormalization(keywordPasses[p], options.Method, options.RrfK);
        }

        var alpha = options.Alpha;
        var last = 2 * (passes - 1);
        var fused = new List<(int Key, double Score, double Vector, double Keyword)>(keys.Count);
        for (var k = 0; k < keys.Count; k++)
        {
            double vector = 0, keyword = 0;
            for (var p = 0; p < passes; p++)
            {
                vector += passWeights[p] * Contribution(normalizations[2 * p], ranks[2 * p], scores[2 * p], k);
                keyword += passWeights[p] * Contribution(normalizations[2 * p + 1], ranks[2 * p + 1], scores[2 * p + 1], k);
            }
            vector *= alpha;
            keyword *= 1 - alpha;
            fused.Add((k, vector + keyword, vector, keyword));
        }
        fused.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : string.CompareOrdinal(keys[a.Key], keys[b.Key]));

        var result = new List<FusedHit>(fused.Count);
        foreach (var (k, score, vector, keyword) in fused)
        {
            int vectorRank = ranks[last][k], keywordRank = ranks[last + 1][k];
            result.Add(new FusedHit(keys[k], score, new ScoreBreakdown(
                vectorRank > 0 ? vectorRank : null,
                vectorRank > 0 ? scores[last][k] : null,
                keywordRank > 0 ? keywordRank : null,
                keywordRank > 0 ? scores[last + 1][k] : null,
                vector, keyword, options.Method)));
        }
        return result;
    }

    private static double Contribution(SideNormalization side, List<int> ranks, List<double> scores, int key) =>
        ranks[key] > 0 ? side.Of(scores[key], ranks[key]) : side.Absent;

    /// <summary>
    /// Fuses any number of ranked lists with one normalisation and a weight per list: Σ weight · n(score), where n is the
    /// <paramref name="method"/>'s normalisation over each list (reciprocal rank for <see cref="FusionMethod.ReciprocalRank"/>).
    /// For experiments with more than two retrievers (two embedding models and BM25, in bench/Werkly.VectorIndex.QualityBench).
    /// </summary>
    /// <param name="lists">The ranked lists, best first each.</param>
    /// <param name="weights">One non-negative weight per list.</param>
    /// <param name="method">The normalisation.</param>
    /// <param name="rrfK">The k of reciprocal rank fusion (1 to 100,000).</param>
    /// <param name="top">How many fused hits to return (at least 1).</param>
    /// <returns>Key and fused score, best first; ties by key (ordinal).</returns>
    /// <exception cref="ArgumentException">The counts differ, a weight is negative or not finite, or a list is invalid
    /// (null key, repeated key, non-finite score).</exception>
    public static List<RankedHit> FuseLists(IReadOnlyList<IReadOnlyList<RankedHit>> lists, IReadOnlyList<double> weights,
        FusionMethod method, int rrfK = 60, int top = SearchQuery.MaxTop)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(weights);
        if (lists.Count != weights.Count) throw new ArgumentException($"{lists.Count} lists but {weights.Count} weights.", nameof(weights));
        if (!Enum.IsDefined(method)) throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown fusion method.");
        ArgumentOutOfRangeException.ThrowIfLessThan(rrfK, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rrfK, 100_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var l = 0; l < lists.Count; l++)
        {
            var hits = lists[l] ?? throw new ArgumentNullException(nameof(lists), $"List {l} is null.");
            var weight = weights[l];
            if (!(weight >= 0) || double.IsInfinity(weight)) throw new ArgumentException($"Weight {l} is {weight}; weights must be finite and not negative.", nameof(weights));
            seen.Clear();
            for (var i = 0; i < hits.Count; i++)
            {
                var (key, score) = hits[i];
                if (key is null) throw new ArgumentException($"lists[{l}][{i}] has a null key.", nameof(lists));
                if (!double.IsFinite(score)) throw new ArgumentException($"lists[{l}][{i}] ('{key}') has a non-finite score {score}.", nameof(lists));
                if (!seen.Add(key)) throw new ArgumentException($"lists[{l}] holds key '{key}' twice.", nameof(lists));
                totals.TryAdd(key, 0);
            }
        }
        var keys = totals.Keys.ToArray();
        for (var l = 0; l < lists.Count; l++)
        {
            if (weights[l] == 0) continue;
            var hits = lists[l];
            var side = new SideNormalization(hits, method, rrfK);
            var positions = new Dictionary<string, int>(hits.Count, StringComparer.Ordinal);
            for (var i = 0; i < hits.Count; i++) positions[hits[i].Key] = i;
            foreach (var key in keys)
            {
                ref var total = ref CollectionsMarshal.GetValueRefOrNullRef(totals, key);
                total += weights[l] * (positions.TryGetValue(key, out var i) ? side.Of(hits[i].Score, i + 1) : side.Absent);
            }
        }
        var result = totals.Select(p => new RankedHit(p.Key, p.Value)).ToList();
        result.Sort(static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : string.CompareOrdinal(a.Key, b.Key));
        return result.Count > top ? result.GetRange(0, top) : result;
    }

    /// <summary>Min-max normalization of one score: 0 for the side's lowest, 1 for its highest; 1 when all are equal.</summary>
    public static double Normalize(double score, double min, double span) => span > 0 ? (score - min) / span : 1.0;

    /// <summary>One side's normalisation for one query: the statistics of its candidates and what an absent hit gets.</summary>
    private readonly struct SideNormalization
    {
        private readonly FusionMethod _method;
        private readonly int _rrfK;
        private readonly double _offset, _scale; // normalised = (clip(score) - offset) * scale
        private readonly double _low, _high;     // clipping range (DBSF)

        public SideNormalization(IReadOnlyList<RankedHit> hits, FusionMethod method, int rrfK)
        {
            _method = method;
            _rrfK = rrfK;
            _low = double.NegativeInfinity;
            _high = double.PositiveInfinity;
            _offset = 0;
            _scale = 1;
            Absent = 0;
            if (hits.Count == 0 || method == FusionMethod.ReciprocalRank) return;
            double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
            foreach (var hit in hits)
            {
                min = Math.Min(min, hit.Score);
                max = Math.Max(max, hit.Score);
                sum += hit.Score;
            }
            var mean = sum / hits.Count;
            double squares = 0;
            foreach (var hit in hits) squares += (hit.Score - mean) * (hit.Score - mean);
            var deviation = Math.Sqrt(squares / hits.Count); // population: the candidates are the whole sample
            switch (method)
            {
                case FusionMethod.WeightedScore:
                    (_offset, _scale) = max > min ? (min, 1 / (max - min)) : (min, 0);
                    break;
                case FusionMethod.ZScore:
                    (_offset, _scale) = deviation > 0 ? (mean, 1 / deviation) : (mean, 0);
                    Absent = (min - mean) * _scale;
                    break;
                case FusionMethod.DistributionBased:
                    if (deviation > 0)
                    {
                        (_low, _high) = (mean - 3 * deviation, mean + 3 * deviation);
                        (_offset, _scale) = (_low, 1 / (6 * deviation));
                    }
                    else (_offset, _scale) = (mean, 0);
                    break;
            }
        }

        /// <summary>What a hit the side did not return contributes (before weighting).</summary>
        public double Absent { get; }

        public double Of(double score, int rank)
        {
            if (_method == FusionMethod.ReciprocalRank) return 2.0 / (_rrfK + rank);
            // A zero scale means every candidate scored the same: min-max and DBSF map them to 1, z-score to 0.
            if (_scale == 0) return _method == FusionMethod.ZScore ? 0 : 1;
            return (Math.Clamp(score, _low, _high) - _offset) * _scale;
        }
    }

    private static void Collect(IReadOnlyList<RankedHit> hits, Dictionary<string, int> index, List<string> keys, List<int>[] ranks,
        List<double>[] scores, int list, string listName)
    {
        ArgumentNullException.ThrowIfNull(hits, listName);
        for (var i = 0; i < hits.Count; i++)
        {
            var (key, score) = hits[i];
            if (key is null) throw new ArgumentException($"{listName}[{i}] has a null key.", listName);
            if (!double.IsFinite(score)) throw new ArgumentException($"{listName}[{i}] ('{key}') has a non-finite score {score}.", listName);
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(index, key, out var exists);
            if (!exists)
            {
                slot = keys.Count;
                keys.Add(key);
                foreach (var r in ranks) r.Add(0);
                foreach (var s in scores) s.Add(0);
            }
            if (ranks[list][slot] != 0) throw new ArgumentException($"{listName} holds key '{key}' twice (positions {ranks[list][slot] - 1} and {i}).", listName);
            ranks[list][slot] = i + 1;
            scores[list][slot] = score;
        }
    }
}
