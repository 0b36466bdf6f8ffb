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
        var corpus = new BenchmarkCorpus();
        (_index, _queries) = corpus.BuildIndex();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _index?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public int Vector() => _index.Search(BenchmarkCorpus.Company, _queries[_next++ % _queries.Length] with { Mode = SearchMode.Vector }).Count;

    [Benchmark]
    public int Keyword() => _index.Search(BenchmarkCorpus.Company, _queries[_next++ % _queries.Length] with { Mode = SearchMode.Keyword }).Count;

    [Benchmark]
    public int Hybrid() => _index.Search(BenchmarkCorpus.Company, _queries[_next++ % _queries.Length]).Count;
}
