using BenchmarkDotNet.Attributes;

namespace Werkly.VectorIndex.Benchmarks.Hybrid;

/// <summary>
/// What each fusion choice of issue 14 costs per query, in one run so the ratios hold on a noisy machine: each side
/// alone, one-pass hybrid with each fusion method, and hybrid with pseudo-relevance feedback (a second search per side),
/// all through <see cref="WerklyIndex.Search(string, SearchQuery, CancellationToken)"/>. The same 99,400 chunks as
/// <see cref="HybridLatencyBenchmarks"/> (Cranfield texts × 71, synthetic clustered 384-d vectors), top 10 from 100
/// candidates per side. Query embedding (about 20 ms with the bundled model) is not included.
/// </summary>
[MemoryDiagnoser]
public class FusionLatencyBenchmarks : IDisposable
{
    private WerklyIndex _index = null!;
    private SearchQuery[] _queries = [];
    private int _next;

    [GlobalSetup]
    public void Setup() => (_index, _queries) = new BenchmarkCorpus().BuildIndex();

    [GlobalCleanup]
    public void Dispose()
    {
        _index?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public int Vector() => _index.Search(BenchmarkCorpus.Company, Next() with { Mode = SearchMode.Vector }).Count;

    [Benchmark]
    public int Keyword() => _index.Search(BenchmarkCorpus.Company, Next() with { Mode = SearchMode.Keyword }).Count;

    [Benchmark]
    public int MinMax() => Run(FusionMethod.WeightedScore, null);

    [Benchmark]
    public int Dbsf() => Run(FusionMethod.DistributionBased, null);

    [Benchmark]
    public int ZScore() => Run(FusionMethod.ZScore, null);

    [Benchmark]
    public int Rrf() => Run(FusionMethod.ReciprocalRank, null);

    [Benchmark]
    public int DbsfFeedback() => Run(FusionMethod.DistributionBased, FeedbackOptions.Default);

    [Benchmark]
    public int DbsfPerDocument() =>
        _index.Search(BenchmarkCorpus.Company, Next() with { GroupByDocument = DocumentGrouping.MaxChunk }).Count;

    private int Run(FusionMethod method, FeedbackOptions? feedback) =>
        _index.Search(BenchmarkCorpus.Company, Next() with { Fusion = new FusionOptions { Method = method }, Feedback = feedback }).Count;

    private SearchQuery Next() => _queries[_next++ % _queries.Length];
}
