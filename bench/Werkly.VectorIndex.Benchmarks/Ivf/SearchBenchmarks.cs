using BenchmarkDotNet.Attributes;

namespace Werkly.VectorIndex.Benchmarks.Ivf;

/// <summary>IVF search latency and allocations per query (the Span overload must allocate nothing after warm-up),
/// next to exact flat search over the same company.</summary>
[MemoryDiagnoser]
public class SearchBenchmarks : IDisposable
{
    private WerklyIndex _ivf = null!;
    private WerklyIndex _flat = null!;
    private float[][] _queries = [];
    private readonly SearchHit[] _hits = new SearchHit[10];
    private int _next;

    [Params(384, 1536)]
    public int Dimensions { get; set; }

    [Params(5_000, 10_000, 20_000, 50_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        var centres = Enumerable.Range(0, Rows / 50).Select(_ => Unit(Gaussian(random, Dimensions))).ToArray();
        float[] Draw()
        {
            var c = centres[random.Next(centres.Length)];
            var g = Gaussian(random, Dimensions);
            return Unit(c.Select((x, d) => x + 0.05f * g[d]).ToArray());
        }
        var records = Enumerable.Range(0, Rows).Select(i => new VectorRecord($"doc-{i}", Draw())).ToList();
        _queries = Enumerable.Range(0, 256).Select(_ => Draw()).ToArray();
        _ivf = new WerklyIndex(new WerklyIndexOptions { Dimensions = Dimensions, FlatSearchThreshold = 1000, AutoRetrain = false });
        _ivf.Upsert("bench", records);
        _ivf.Retrain("bench");
        _flat = new WerklyIndex(new WerklyIndexOptions { Dimensions = Dimensions, FlatSearchThreshold = int.MaxValue, AutoRetrain = false });
        _flat.Upsert("bench", records);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _ivf?.Dispose();
        _flat?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public int FlatExact() => _flat.Search("bench", _queries[_next++ & 255], _hits);

    [Benchmark]
    public int IvfDefaultProbes() => _ivf.Search("bench", _queries[_next++ & 255], _hits);

    private static float[] Gaussian(Random random, int n) =>
        Enumerable.Range(0, n).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();

    private static float[] Unit(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }
}
