namespace Werkly.VectorIndex.Evaluation;

/// <summary>
/// A paired comparison of two systems on the same queries: per-query differences, a two-sided paired randomisation
/// test and a bootstrap confidence interval of the mean difference.
/// </summary>
/// <param name="Queries">How many queries were paired.</param>
/// <param name="MeanA">Mean of the first system.</param>
/// <param name="MeanB">Mean of the second system.</param>
/// <param name="MeanDifference">Mean of B − A.</param>
/// <param name="StandardError">Standard error of the mean difference (sample standard deviation / √n).</param>
/// <param name="Better">Queries where B scored higher than A.</param>
/// <param name="Worse">Queries where B scored lower.</param>
/// <param name="Equal">Queries where both scored the same.</param>
/// <param name="PValue">Two-sided p-value of the paired randomisation test (H0: the two systems are exchangeable
/// per query), with the +1 correction so it is never 0.</param>
/// <param name="Permutations">How many random sign assignments the test drew.</param>
/// <param name="ConfidenceLow">Lower end of the 95% percentile-bootstrap interval of the mean difference.</param>
/// <param name="ConfidenceHigh">Upper end of that interval.</param>
public sealed record PairedComparison(int Queries, double MeanA, double MeanB, double MeanDifference, double StandardError,
    int Better, int Worse, int Equal, double PValue, int Permutations, double ConfidenceLow, double ConfidenceHigh)
{
    /// <summary>Compares per-query scores of two systems.</summary>
    /// <param name="a">The first system's score per query.</param>
    /// <param name="b">The second system's score per query, in the same order.</param>
    /// <param name="permutations">Random sign flips for the randomisation test and resamples for the bootstrap (100 to 10,000,000). Default 100,000.</param>
    /// <param name="seed">Seed of the random draws, so a comparison is reproducible. Default 14.</param>
    /// <returns>The comparison.</returns>
    /// <remarks>
    /// <para>The randomisation test (Fisher's; Smucker, Allan and Carterette 2007 recommend it for IR) flips the sign of
    /// each query's difference at random and counts how often the absolute mean difference is at least the observed one:
    /// p = (count + 1) / (permutations + 1). Differences smaller than 1e-12 count as ties.</para>
    /// <para>The bootstrap resamples queries with replacement and reports the 2.5th and 97.5th percentiles of the mean
    /// difference.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The lists differ in length, are empty, or hold a non-finite score.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permutations"/> is out of range.</exception>
    public static PairedComparison Compare(IReadOnlyList<double> a, IReadOnlyList<double> b, int permutations = 100_000, int seed = 14)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException($"{a.Count} scores for the first system but {b.Count} for the second.", nameof(b));
        if (a.Count == 0) throw new ArgumentException("There are no queries to compare.", nameof(a));
        ArgumentOutOfRangeException.ThrowIfLessThan(permutations, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permutations, 10_000_000);
        var n = a.Count;
        var differences = new double[n];
        int better = 0, worse = 0;
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(a[i]) || !double.IsFinite(b[i]))
                throw new ArgumentException($"Query {i} has a non-finite score ({a[i]}, {b[i]}).", nameof(a));
            var d = b[i] - a[i];
            differences[i] = Math.Abs(d) < 1e-12 ? 0 : d;
            if (differences[i] > 0) better++;
            else if (differences[i] < 0) worse++;
        }
        var meanDifference = differences.Average();
        var variance = n > 1 ? differences.Sum(d => (d - meanDifference) * (d - meanDifference)) / (n - 1) : 0;

        var random = new Random(seed);
        var observed = Math.Abs(meanDifference) - 1e-12; // a permuted mean equal to the observed one counts as extreme
        var extreme = 0;
        for (var p = 0; p < permutations; p++)
        {
            var sum = 0.0;
            for (var i = 0; i < n; i++) sum += random.Next(2) == 0 ? differences[i] : -differences[i];
            if (Math.Abs(sum / n) >= observed) extreme++;
        }

        var means = new double[permutations];
        for (var r = 0; r < permutations; r++)
        {
            var sum = 0.0;
            for (var i = 0; i < n; i++) sum += differences[random.Next(n)];
            means[r] = sum / n;
        }
        Array.Sort(means);

        return new PairedComparison(n, a.Average(), b.Average(), meanDifference, Math.Sqrt(variance / n),
            better, worse, n - better - worse, (extreme + 1.0) / (permutations + 1.0), permutations,
            Percentile(means, 0.025), Percentile(means, 0.975));
    }

    private static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }
}
