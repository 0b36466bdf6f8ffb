using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.Benchmarks.Hybrid;

/// <summary>What the hybrid benchmarks share: Cranfield from the repository and synthetic clustered unit vectors
/// (2,000 centres, 384 dimensions, noise 0.05), drawn from one seeded generator.</summary>
internal sealed class BenchmarkCorpus
{
    private readonly Random _random = new(7);
    private readonly float[][] _centres;

    public BenchmarkCorpus()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Werkly.VectorIndex.sln"))) root = root.Parent;
        Cranfield = BeirDataset.Load(Path.Combine(root?.FullName ?? throw new InvalidOperationException("repository root not found"), "tests", "data", "cranfield"));
        _centres = [.. Enumerable.Range(0, 2000).Select(_ => Unit(Gaussian(384)))];
    }

    public BeirDataset Cranfield { get; }

    /// <summary>A unit vector near a random centre.</summary>
    public float[] Draw()
    {
        var c = _centres[_random.Next(_centres.Length)];
        var g = Gaussian(384);
        return Unit([.. c.Select((x, d) => x + 0.05f * g[d])]);
    }

    private float[] Gaussian(int n) =>
        [.. Enumerable.Range(0, n).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble())))];

    private static float[] Unit(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }
}
