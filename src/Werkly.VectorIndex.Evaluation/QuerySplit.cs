namespace Werkly.VectorIndex.Evaluation;

/// <summary>Two-fold splits of a collection's queries for cross-validation: tune on one half, score on the other,
/// then the other way round, so every query is scored exactly once by settings that never saw it.</summary>
/// <remarks>Deterministic: the same ids and seed give the same halves on any machine (the shuffle uses its own
/// generator, not <see cref="Random"/>, whose algorithm .NET may change).</remarks>
public static class QuerySplit
{
    /// <summary>Splits <paramref name="queryIds"/> into two halves at random (the first gets the extra query of an odd count).</summary>
    /// <param name="queryIds">The query ids (distinct).</param>
    /// <param name="seed">The split's seed.</param>
    /// <returns>The two halves, each in the input order.</returns>
    /// <exception cref="ArgumentException">Fewer than two queries, or a repeated or null id.</exception>
    public static (IReadOnlyList<string> First, IReadOnlyList<string> Second) Halves(IReadOnlyList<string> queryIds, int seed)
    {
        ArgumentNullException.ThrowIfNull(queryIds);
        if (queryIds.Count < 2) throw new ArgumentException("Cross-validation needs at least two queries.", nameof(queryIds));
        if (queryIds.Any(id => id is null) || queryIds.Distinct(StringComparer.Ordinal).Count() != queryIds.Count)
            throw new ArgumentException("Query ids must be distinct and not null.", nameof(queryIds));
        var order = Enumerable.Range(0, queryIds.Count).ToArray();
        var state = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL;
        for (var i = order.Length - 1; i > 0; i--) // Fisher-Yates with SplitMix64
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            var j = (int)(z % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        var firstCount = (queryIds.Count + 1) / 2;
        var inFirst = new bool[queryIds.Count];
        for (var i = 0; i < firstCount; i++) inFirst[order[i]] = true;
        var first = new List<string>(firstCount);
        var second = new List<string>(queryIds.Count - firstCount);
        for (var i = 0; i < queryIds.Count; i++) (inFirst[i] ? first : second).Add(queryIds[i]);
        return (first, second);
    }

    /// <summary>
    /// Two-fold cross-validation of a choice among candidate settings: for each half, the candidate with the best mean
    /// score on that half is chosen (ties go to the earlier candidate) and scored on the other half.
    /// </summary>
    /// <param name="perQuery">For each candidate, its score per query id (every candidate scores every query).</param>
    /// <param name="seed">The split's seed.</param>
    /// <param name="oneStandardErrorRule">Instead of the best candidate, choose the first one (in list order, so list
    /// the most conservative candidates first) whose mean on the half is within one paired standard error of the best
    /// one's: the "one-standard-error rule" (Hastie, Tibshirani and Friedman, The Elements of Statistical Learning,
    /// 7.10), which prefers the simpler setting when the data cannot tell them apart.</param>
    /// <returns>The mean held-out score over all queries, and the candidate chosen on each half.</returns>
    /// <exception cref="ArgumentException">No candidates, or a candidate lacks a query the first one has.</exception>
    public static CrossValidationResult CrossValidate(IReadOnlyList<IReadOnlyDictionary<string, double>> perQuery, int seed,
        bool oneStandardErrorRule = false)
    {
        ArgumentNullException.ThrowIfNull(perQuery);
        if (perQuery.Count == 0) throw new ArgumentException("There are no candidates to choose from.", nameof(perQuery));
        var ids = perQuery[0].Keys.Order(StringComparer.Ordinal).ToArray();
        foreach (var candidate in perQuery)
        {
            if (candidate.Count != ids.Length || ids.Any(id => !candidate.ContainsKey(id)))
                throw new ArgumentException("Every candidate must score the same queries.", nameof(perQuery));
        }
        var (first, second) = Halves(ids, seed);
        var chosenOnFirst = Choose(perQuery, first, oneStandardErrorRule);
        var chosenOnSecond = Choose(perQuery, second, oneStandardErrorRule);
        var heldOut = (second.Sum(id => perQuery[chosenOnFirst][id]) + first.Sum(id => perQuery[chosenOnSecond][id])) / ids.Length;
        return new CrossValidationResult(heldOut, chosenOnFirst, chosenOnSecond);
    }

    private static int Choose(IReadOnlyList<IReadOnlyDictionary<string, double>> perQuery, IReadOnlyList<string> ids, bool oneStandardErrorRule)
    {
        var best = Best(perQuery, ids);
        if (!oneStandardErrorRule || ids.Count < 2) return best;
        var bestMean = ids.Average(id => perQuery[best][id]);
        for (var c = 0; c < best; c++)
        {
            var differences = ids.Select(id => perQuery[best][id] - perQuery[c][id]).ToArray();
            var mean = differences.Average();
            var standardError = Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / (differences.Length - 1) / differences.Length);
            if (ids.Average(id => perQuery[c][id]) >= bestMean - standardError) return c;
        }
        return best;
    }

    private static int Best(IReadOnlyList<IReadOnlyDictionary<string, double>> perQuery, IReadOnlyList<string> ids)
    {
        var best = 0;
        var bestScore = double.NegativeInfinity;
        for (var c = 0; c < perQuery.Count; c++)
        {
            var score = ids.Sum(id => perQuery[c][id]);
            if (score > bestScore + 1e-12)
            {
                best = c;
                bestScore = score;
            }
        }
        return best;
    }
}

/// <summary>The outcome of <see cref="QuerySplit.CrossValidate"/>.</summary>
/// <param name="HeldOut">Mean score over all queries, each scored by the candidate chosen on the other half.</param>
/// <param name="ChosenOnFirstHalf">Index of the candidate chosen on the first half (scored on the second).</param>
/// <param name="ChosenOnSecondHalf">Index of the candidate chosen on the second half (scored on the first).</param>
public sealed record CrossValidationResult(double HeldOut, int ChosenOnFirstHalf, int ChosenOnSecondHalf);
