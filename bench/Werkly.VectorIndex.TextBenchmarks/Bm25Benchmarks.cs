using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Werkly.VectorIndex.Evaluation;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.TextBenchmarks;

/// <summary>Per-query latency on 70,000 documents: the 225 Cranfield queries, top 10, analysis included on both sides.</summary>
/// <remarks>Lucene returns internal doc ids (no stored-field fetch), ours returns keys: the comparison favours Lucene.</remarks>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 20)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet calls the [GlobalCleanup] method, which disposes.")]
public class QueryBenchmarks
{
    private const int Top = 10;
    private string[] _queries = [];
    private InvertedIndex? _ours;
    private LuceneIndex? _lucene;

    [GlobalSetup]
    public void Setup()
    {
        var corpus = Corpus.Repeated();
        _queries = Corpus.Queries();
        _ours = new InvertedIndex();
        _ours.UpsertRange(corpus.Select(d => new KeywordDocument(d.Id, d.Title, d.Text)));
        _lucene = new LuceneIndex();
        _lucene.Build(corpus);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours?.Dispose();
        _lucene?.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 225, Description = "Lucene.Net BM25 query")]
    public int Lucene()
    {
        var total = 0;
        foreach (var query in _queries) total += _lucene!.Search(query, Top).ScoreDocs.Length;
        return total;
    }

    [Benchmark(OperationsPerInvoke = 225, Description = "Werkly BM25 query")]
    public int Werkly()
    {
        var total = 0;
        foreach (var query in _queries) total += _ours!.Search(query, Top).Count;
        return total;
    }
}

/// <summary>Indexing 70,000 documents from scratch until searchable (Lucene: AddDocument for each, then Commit).</summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class IndexingBenchmarks
{
    private BeirDocument[] _corpus = [];

    [GlobalSetup]
    public void Setup() => _corpus = Corpus.Repeated();

    [Benchmark(Baseline = true, Description = "Lucene.Net index 70k docs")]
    public void Lucene()
    {
        using var lucene = new LuceneIndex();
        lucene.Build(_corpus);
    }

    [Benchmark(Description = "Werkly index 70k docs")]
    public int Werkly()
    {
        using var index = new InvertedIndex();
        foreach (var doc in _corpus) index.Upsert(doc.Id, doc.Title, doc.Text);
        return index.Count;
    }
}
