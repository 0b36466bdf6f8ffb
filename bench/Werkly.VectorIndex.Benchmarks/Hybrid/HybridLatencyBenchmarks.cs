using BenchmarkDotNet.Attributes;
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
        var dataset = ClusteredVectors.LoadCranfield();
        var vectors = new ClusteredVectors(seed: 7, dimensions: 384, centres: 2000);
        var Draw = vectors.Draw;
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
}
