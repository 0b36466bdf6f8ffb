namespace Werkly.VectorIndex.Evaluation.Tests;

public sealed class PairedComparisonTests
{
    [Fact]
    public void Differences_standard_error_and_counts_are_computed_by_hand()
    {
        // B − A per query: +0.2, +0.1, 0, −0.1, +0.3. Mean 0.1; deviations 0.1, 0, −0.1, −0.2, 0.2; squares sum 0.1;
        // sample variance 0.1/4 = 0.025; standard error √(0.025/5) = 0.070711.
        double[] a = [0.1, 0.5, 0.4, 0.6, 0.2];
        double[] b = [0.3, 0.6, 0.4, 0.5, 0.5];
        var c = PairedComparison.Compare(a, b, permutations: 20_000);
        Assert.Equal(5, c.Queries);
        Assert.Equal(0.36, c.MeanA, 12);
        Assert.Equal(0.46, c.MeanB, 12);
        Assert.Equal(0.1, c.MeanDifference, 12);
        Assert.Equal(Math.Sqrt(0.005), c.StandardError, 12);
        Assert.Equal((3, 1, 1), (c.Better, c.Worse, c.Equal));
        // Exact randomisation distribution: the observed |sum| is 0.5; flipping signs of the magnitudes 0.2, 0.1, 0.1,
        // 0.3 (the zero does not matter) gives 16 equally likely sums, of which 6 reach |sum| ≥ 0.5: all positive (0.7),
        // one 0.1 flipped (0.5, twice), and the mirror images of those three. Exact p = 6/16 = 0.375; sampled, close to it.
        Assert.InRange(c.PValue, 0.36, 0.39);
        Assert.True(c.ConfidenceLow < c.MeanDifference && c.MeanDifference < c.ConfidenceHigh);
        Assert.InRange(c.ConfidenceLow, -0.05, 0.05);
        Assert.InRange(c.ConfidenceHigh, 0.2, 0.26);
    }

    [Fact]
    public void Identical_systems_have_p_one_and_a_consistent_shift_has_a_small_p()
    {
        double[] a = [.. Enumerable.Range(0, 50).Select(i => i / 100.0)];
        var same = PairedComparison.Compare(a, a, permutations: 1000);
        Assert.Equal(1.0, same.PValue);
        Assert.Equal(50, same.Equal);
        var shifted = PairedComparison.Compare(a, [.. a.Select((x, i) => x + 0.01 + (i % 3) * 0.001)], permutations: 10_000);
        Assert.True(shifted.PValue < 0.001, $"p = {shifted.PValue}");
        Assert.Equal(1.0 / 10_001, shifted.PValue, 12); // no sign pattern beats the all-positive one: (0 + 1)/(N + 1)
    }

    [Fact]
    public void The_same_seed_gives_the_same_result_and_bad_input_is_rejected()
    {
        double[] a = [0.1, 0.9, 0.4, 0.3];
        double[] b = [0.2, 0.7, 0.6, 0.3];
        Assert.Equal(PairedComparison.Compare(a, b, 5000, seed: 3), PairedComparison.Compare(a, b, 5000, seed: 3));
        Assert.Throws<ArgumentException>(() => PairedComparison.Compare(a, [0.1], 1000));
        Assert.Throws<ArgumentException>(() => PairedComparison.Compare([], [], 1000));
        Assert.Throws<ArgumentException>(() => PairedComparison.Compare([double.NaN], [0], 1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedComparison.Compare(a, b, 10));
    }
}

public sealed class QuerySplitTests
{
    // In ordinal order, as CrossValidate splits them.
    private static readonly string[] Ids = [.. Enumerable.Range(1, 11).Select(i => $"q{i}").Order(StringComparer.Ordinal)];

    [Fact]
    public void Halves_partition_the_queries_deterministically()
    {
        var (first, second) = QuerySplit.Halves(Ids, seed: 1);
        Assert.Equal(6, first.Count);
        Assert.Equal(5, second.Count);
        Assert.Equal(Ids.Order(StringComparer.Ordinal), first.Concat(second).Order(StringComparer.Ordinal));
        Assert.Equal(first, QuerySplit.Halves(Ids, seed: 1).First);
        Assert.NotEqual(first, QuerySplit.Halves(Ids, seed: 2).First);
        // Each half keeps the input order.
        Assert.Equal(first.OrderBy(id => Array.IndexOf(Ids, id)), first);
        Assert.Throws<ArgumentException>(() => QuerySplit.Halves(["a"], 1));
        Assert.Throws<ArgumentException>(() => QuerySplit.Halves(["a", "a"], 1));
    }

    [Fact]
    public void Cross_validation_chooses_on_one_half_and_scores_the_other()
    {
        var (first, second) = QuerySplit.Halves(Ids, seed: 5);
        // Candidate 0 is perfect on the first half and useless on the second; candidate 1 the opposite.
        var c0 = Ids.ToDictionary(id => id, id => first.Contains(id) ? 1.0 : 0.0);
        var c1 = Ids.ToDictionary(id => id, id => second.Contains(id) ? 1.0 : 0.0);
        var result = QuerySplit.CrossValidate([c0, c1], seed: 5);
        Assert.Equal(0, result.ChosenOnFirstHalf);
        Assert.Equal(1, result.ChosenOnSecondHalf);
        Assert.Equal(0.0, result.HeldOut); // each choice scores 0 on the half it did not see
    }

    [Fact]
    public void The_one_standard_error_rule_prefers_the_earlier_candidate_when_they_cannot_be_told_apart()
    {
        var (first, second) = QuerySplit.Halves(Ids, seed: 1);
        var conservative = Ids.ToDictionary(id => id, _ => 0.5);
        // Bolder: +0.1 and −0.08 alternating within each half, so it is better on both halves on average (by 0.01 on
        // the first, 0.028 on the second) but by less than one paired standard error (about 0.04 on each half).
        var bolder = new Dictionary<string, double>();
        foreach (var half in new[] { first, second })
        {
            for (var i = 0; i < half.Count; i++) bolder[half[i]] = 0.5 + (i % 2 == 0 ? 0.1 : -0.08);
        }
        var best = QuerySplit.CrossValidate([conservative, bolder], seed: 1);
        Assert.Equal((1, 1), (best.ChosenOnFirstHalf, best.ChosenOnSecondHalf));
        var rule = QuerySplit.CrossValidate([conservative, bolder], seed: 1, oneStandardErrorRule: true);
        Assert.Equal((0, 0), (rule.ChosenOnFirstHalf, rule.ChosenOnSecondHalf));
        // A clearly better candidate is still chosen.
        var clearly = Ids.ToDictionary(id => id, id => bolder[id] + 0.3);
        Assert.Equal(1, QuerySplit.CrossValidate([conservative, clearly], seed: 1, oneStandardErrorRule: true).ChosenOnFirstHalf);
    }
}
