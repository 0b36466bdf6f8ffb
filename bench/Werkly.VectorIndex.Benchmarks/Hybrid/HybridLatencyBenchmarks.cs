using BenchmarkDotNet.Attributes;
using Werkly.VectorIndex.Hybrid;

namespace Werkly.VectorIndex.Benchmarks.Hybrid;

/// <summary>
/// Hybrid query latency on 100,000 chunks against its two halves measured separately in the same run: the target is
/// Hybrid ≤ Vector + Keyword. Texts are Cranfield repeated with new ids (71 copies); vectors are synthetic clustered
/// 384-dimensional unit vectors (latency does not depend on what they mean); queries are Cranfield's.
/// </summary>
[MemoryDiagnoser]
public class HybridLatencyBenchmarks : IDisposable
{
    private HybridIndex _index = null!;
    private HybridQuery[] _queries = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var corpus = new BenchmarkCorpus();
        var dataset = corpus.Cranfield;
        var draw = corpus.Draw;
        _index = new HybridIndex(new HybridIndexOptions { Vector = new VectorIndexOptions { Dimensions = 384, AutoRetrain = false } });
        const int copies = 71;
        for (var copy = 0; copy < copies; copy++)
        {
            var batch = dataset.Corpus.Select(d => new HybridRecord($"{d.Id}-{copy}", draw(), d.Title, d.Text)).ToList();
            _index.Apply("bench", batch, []);
        }
        _index.Vectors.Retrain("bench");
        _queries = [.. dataset.Queries.Select(q => new HybridQuery(q.Text) { Vector = draw(), Fusion = new FusionOptions { Top = 10 } })];
        foreach (var q in _queries.Take(20)) _index.Search("bench", q); // builds lazily initialised state
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _index?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public int Vector() => _index.Search("bench", _queries[_next++ % _queries.Length], HybridSearchMode.Vector).Count;

    [Benchmark]
    public int Keyword() => _index.Search("bench", _queries[_next++ % _queries.Length], HybridSearchMode.Keyword).Count;

    [Benchmark]
    public int Hybrid() => _index.Search("bench", _queries[_next++ % _queries.Length], HybridSearchMode.Hybrid).Count;
}
