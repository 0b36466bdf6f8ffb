using BenchmarkDotNet.Attributes;
using Werkly.VectorIndex.Hybrid;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Benchmarks.Hybrid;

/// <summary>
/// What each fusion choice of issue 14 costs per query, in one run so the ratios hold on a noisy machine: each side
/// alone, one-pass hybrid with each fusion method, and hybrid with pseudo-relevance feedback (a second search per side).
/// The same 99,400 chunks as <see cref="HybridLatencyBenchmarks"/> (Cranfield texts × 71, synthetic clustered 384-d
/// vectors), top 10 from 100 candidates per side, through <see cref="HybridSearch.Search(HybridQuery, IHybridSearchSource, bool, CancellationToken)"/>
/// with both sides run in parallel. Query embedding (about 20 ms with the bundled model) is not included.
/// </summary>
[MemoryDiagnoser]
public class FusionLatencyBenchmarks : IDisposable
{
    private WerklyIndex _vectors = null!;
    private InvertedIndex _keywords = null!;
    private HybridSearchSource _source = null!;
    private HybridQuery[] _queries = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var corpus = new BenchmarkCorpus();
        var dataset = corpus.Cranfield;
        var draw = corpus.Draw;
        _vectors = new WerklyIndex(new VectorIndexOptions { Dimensions = 384, AutoRetrain = false });
        _keywords = new InvertedIndex();
        var texts = new Dictionary<string, (string? Title, string? Body)>(StringComparer.Ordinal);
        const int copies = 71;
        for (var copy = 0; copy < copies; copy++)
        {
            var batch = dataset.Corpus.Select(d => (Key: $"{d.Id}-{copy}", d.Title, d.Text)).ToList();
            _vectors.Upsert("bench", [.. batch.Select(b => new VectorRecord(b.Key, draw()))]);
            _keywords.UpsertRange(batch.Select(b => new KeywordDocument(b.Key, b.Title, b.Text)));
            foreach (var b in batch) texts[b.Key] = (b.Title, b.Text);
        }
        _vectors.Retrain("bench");
        _source = new HybridSearchSource(_vectors, "bench", _keywords, key => texts.TryGetValue(key, out var t) ? t : null);
        _queries = [.. dataset.Queries.Select(q => new HybridQuery(q.Text) { Vector = draw(), Fusion = new FusionOptions { Top = 10 } })];
        foreach (var q in _queries.Take(20)) HybridSearch.Search(q with { Feedback = new FeedbackOptions() }, _source, parallel: true);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _vectors?.Dispose();
        _keywords?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public int Vector() => _source.SearchVector(Next().Vector!.Value, 10, CancellationToken.None).Count;

    [Benchmark]
    public int Keyword()
    {
        var query = Next();
        return _source.SearchKeywords(WeightedTerm.FromText(_source.Analyzer, query.Text), 10, CancellationToken.None).Count;
    }

    [Benchmark]
    public int MinMax() => Run(FusionMethod.WeightedScore, null);

    [Benchmark]
    public int Dbsf() => Run(FusionMethod.DistributionBased, null);

    [Benchmark]
    public int ZScore() => Run(FusionMethod.ZScore, null);

    [Benchmark]
    public int Rrf() => Run(FusionMethod.ReciprocalRank, null);

    [Benchmark]
    public int DbsfFeedback() => Run(FusionMethod.DistributionBased, new FeedbackOptions());

    private int Run(FusionMethod method, FeedbackOptions? feedback)
    {
        var query = Next();
        return HybridSearch.Search(query with { Fusion = query.Fusion with { Method = method }, Feedback = feedback }, _source, parallel: true).Count;
    }

    private HybridQuery Next() => _queries[_next++ % _queries.Length];
}
