using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.Benchmarks;

/// <summary>
/// Synthetic unit vectors around random unit centres (Gaussian noise of 0.05 per dimension, normalised): clustered
/// like embeddings, so lists and probes behave as they do on real data, and reproducible from the seed.
/// </summary>
internal sealed class ClusteredVectors
{
    private readonly Random _random;
    private readonly float[][] _centres;

    /// <param name="seed">The seed of centres and draws.</param>
    /// <param name="dimensions">Vector length.</param>
    /// <param name="centres">How many cluster centres.</param>
    public ClusteredVectors(int seed, int dimensions, int centres)
    {
        _random = new Random(seed);
        Dimensions = dimensions;
        _centres = [.. Enumerable.Range(0, centres).Select(_ => Unit(Gaussian(dimensions)))];
    }

    public int Dimensions { get; }

    /// <summary>The next vector: a random centre plus noise, normalised.</summary>
    public float[] Draw()
    {
        var centre = _centres[_random.Next(_centres.Length)];
        var noise = Gaussian(Dimensions);
        return Unit([.. centre.Select((x, d) => x + 0.05f * noise[d])]);
    }

    /// <summary>Cranfield (BEIR layout) from the repository's tests/data.</summary>
    public static BeirDataset LoadCranfield()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Werkly.VectorIndex.sln"))) root = root.Parent;
        return BeirDataset.Load(Path.Combine(root?.FullName ?? throw new InvalidOperationException("repository root not found"), "tests", "data", "cranfield"));
    }

    private float[] Gaussian(int n) =>
        [.. Enumerable.Range(0, n).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble())))];

    private static float[] Unit(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }
}
