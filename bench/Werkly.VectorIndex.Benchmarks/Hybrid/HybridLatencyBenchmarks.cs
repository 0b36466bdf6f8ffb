using BenchmarkDotNet.Attributes;
using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.Benchmarks.Hybrid;

/// <summary>
/// Hybrid query latency on 100,000 chunks against its two halves measured separately in the same run: the target is
/// Hybrid ≤ Vector + Keyword. Texts are Cranfield repeated with new ids (71 copies); vectors are synthetic clustered
/// 384-dimensional unit vectors (latency does not depend on what they mean); queries are Cranfield's.
/// </summary>
[MemoryDiagnoser]
public class HybridLatencyBenchmarks : IDisposable
{
    private WerklyIndex _index = null!;
    private SearchQuery[] _queries = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Werkly.VectorIndex.sln"))) root = root.Parent;
        var dataset = BeirDataset.Load(Path.Combine(root?.FullName ?? throw new InvalidOperationException("repository root not found"), "tests", "data", "cranfield"));
        var random = new Random(7);
        var centres = Enumerable.Range(0, 2000).Select(_ => Unit(Gaussian(random, 384))).ToArray();
        float[] Draw()
        {
            var c = centres[random.Next(centres.Length)];
            var g = Gaussian(random, 384);
            return Unit(c.Select((x, d) => x + 0.05f * g[d]).ToArray());
        }
        _index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 384, AutoRetrain = false });
        const int copies = 71;
        for (var copy = 0; copy < copies; copy++)
        {
            var batch = dataset.Corpus.Select(d => new VectorRecord($"{d.Id}-{copy}", Draw()) { Title = d.Title, Text = d.Text }).ToList();
            _index.Apply("bench", batch, []);
        }
        _index.Retrain("bench");
        _queries = [.. dataset.Queries.Select(q => new SearchQuery { Text = q.Text, Vector = Draw(), Top = 10 })];
        foreach (var q in _queries.Take(20)) _index.Search("bench", q); // builds lazily initialised state
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _index?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public int Vector() => _index.Search("bench", _queries[_next++ % _queries.Length] with { Mode = SearchMode.Vector }).Count;

    [Benchmark]
    public int Keyword() => _index.Search("bench", _queries[_next++ % _queries.Length] with { Mode = SearchMode.Keyword }).Count;

    [Benchmark]
    public int Hybrid() => _index.Search("bench", _queries[_next++ % _queries.Length]).Count;

    private static float[] Gaussian(Random random, int n) =>
        Enumerable.Range(0, n).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();

    private static float[] Unit(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }
}
