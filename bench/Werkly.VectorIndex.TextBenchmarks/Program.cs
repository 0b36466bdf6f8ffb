using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Werkly.VectorIndex.Evaluation;
using Werkly.VectorIndex.Text;
using Werkly.VectorIndex.TextBenchmarks;

// Usage:
//   dotnet run -c Release --project bench/Werkly.VectorIndex.TextBenchmarks              all benchmarks (one BDN run)
//   dotnet run -c Release --project bench/Werkly.VectorIndex.TextBenchmarks -- --smoke   each benchmark body once
//   dotnet run -c Release --project bench/Werkly.VectorIndex.TextBenchmarks -- --eval    Cranfield quality, ours vs Lucene
//   dotnet run -c Release --project bench/Werkly.VectorIndex.TextBenchmarks -- --grid    BM25 parameter grid on Cranfield
//   dotnet run -c Release --project bench/Werkly.VectorIndex.TextBenchmarks -- --profile-indexing   analysis vs upsert time
//   dotnet run -c Release --project bench/Werkly.VectorIndex.TextBenchmarks -- --reopen [rounds]    persisted hybrid index: first keyword
//                                                                      search after opening, stored postings vs analyzing stored texts
//   dotnet run -c Release --project bench/Werkly.VectorIndex.TextBenchmarks -- --refresh [rounds]   a read replica following a writer:
//                                                                      Refresh() after each commit against reopening
if (args.Contains("--smoke")) return Smoke();
if (args.Contains("--eval")) return Eval();
if (args.Contains("--profile-indexing")) return ProfileIndexing();
if (args.Contains("--grid")) return Grid();
if (args.Contains("--refresh")) return RefreshBenchmark.Run(args.SkipWhile(a => a != "--refresh").Skip(1).Select(a => int.TryParse(a, out var n) ? n : 0).FirstOrDefault());
if (args.Contains("--reopen")) return ReopenBenchmark.Run(args.SkipWhile(a => a != "--reopen").Skip(1).Select(a => int.TryParse(a, out var n) ? n : 0).FirstOrDefault());
var switcher = BenchmarkSwitcher.FromTypes([typeof(QueryBenchmarks), typeof(IndexingBenchmarks)]);
if (args.Any(a => a is "--filter" or "-f")) switcher.Run(args);
else switcher.RunAll();
return 0;

static int Smoke()
{
    var indexing = new IndexingBenchmarks();
    indexing.Setup();
    var watch = Stopwatch.StartNew();
    indexing.Lucene();
    Console.WriteLine($"Lucene indexing: {watch.Elapsed.TotalSeconds:F2} s");
    watch.Restart();
    Console.WriteLine($"Werkly indexing: {indexing.Werkly()} docs, {watch.Elapsed.TotalSeconds:F2} s");
    var queries = new QueryBenchmarks();
    queries.Setup();
    for (var round = 0; round < 3; round++)
    {
        watch.Restart();
        var hits = queries.Lucene();
        var lucene = watch.Elapsed.TotalMilliseconds / 225;
        watch.Restart();
        var ours = queries.Werkly();
        var werkly = watch.Elapsed.TotalMilliseconds / 225;
        Console.WriteLine($"round {round}: Lucene {lucene:F3} ms/query ({hits} hits), Werkly {werkly:F3} ms/query ({ours} hits)");
    }
    queries.Cleanup();
    return 0;
}

static int Eval()
{
    var data = Corpus.Cranfield;
    using var ours = new InvertedIndex();
    ours.UpsertRange(data.Corpus.Select(d => new KeywordDocument(d.Id, d.Title, d.Text)));
    using var oneField = new InvertedIndex();
    oneField.UpsertRange(data.Corpus.Select(d => new KeywordDocument(d.Id, null, d.Title + "\n" + d.Text)));
    using var lucene = new LuceneIndex();
    lucene.Build(data.Corpus);
    Print("werkly bm25 title+body", RetrievalMetrics.Evaluate(data, q => ours.Search(q.Text, 100).Select(h => h.Key).ToList()));
    Print("werkly bm25 one field", RetrievalMetrics.Evaluate(data, q => oneField.Search(q.Text, 100).Select(h => h.Key).ToList()));
    Print("lucene bm25 title+body", RetrievalMetrics.Evaluate(data, q => lucene.SearchKeys(q.Text, 100)));
    return 0;
}

static int Grid()
{
    var data = Corpus.Cranfield;
    using var index = new InvertedIndex();
    index.UpsertRange(data.Corpus.Select(d => new KeywordDocument(d.Id, d.Title, d.Text)));
    double[] k1s = [0.6, 0.9, 1.2, 1.5, 1.8, 2.2];
    double[] bs = [0.3, 0.5, 0.6, 0.75, 0.9, 1.0];
    double[] titleWeights = [0.5, 1.0, 2.0];
    Console.WriteLine("title_weight k1 b ndcg10 map100");
    foreach (var w in titleWeights)
    foreach (var k1 in k1s)
    foreach (var b in bs)
    {
        var scoring = new Bm25Options { K1 = k1, B = b, TitleWeight = w };
        var s = RetrievalMetrics.Evaluate(data, q => index.Search(q.Text, 100, scoring).Select(h => h.Key).ToList());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{w} {k1} {b} {s.Ndcg10:F4} {s.Map100:F4}"));
    }
    return 0;
}

static void Print(string name, RetrievalScores s) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-26} queries {s.Queries} nDCG@10 {s.Ndcg10:F4} MAP@100 {s.Map100:F4} R@100 {s.Recall100:F4} P@10 {s.Precision10:F4}"));

// Splits indexing time into analysis alone and the whole upsert, interleaved so machine load affects both alike.
static int ProfileIndexing()
{
    var corpus = Corpus.Repeated();
    var watch = new Stopwatch();
    for (var round = 0; round < 3; round++)
    {
        watch.Restart();
        var sink = new CountingSink();
        foreach (var doc in corpus)
        {
            TextAnalyzer.English.Analyze(doc.Title, ref sink);
            TextAnalyzer.English.Analyze(doc.Text, ref sink);
        }
        var analysis = watch.Elapsed.TotalSeconds;
        foreach (var (name, analyzer) in new[]
        {
            ("tokenize+lower", new TextAnalyzer(new TextAnalyzerOptions { StopWords = null, Stemming = TextStemming.None })),
            ("+stop", new TextAnalyzer(new TextAnalyzerOptions { Stemming = TextStemming.None })),
        })
        {
            watch.Restart();
            var s = new CountingSink();
            foreach (var doc in corpus)
            {
                analyzer.Analyze(doc.Title, ref s);
                analyzer.Analyze(doc.Text, ref s);
            }
            Console.Write($"{name} {watch.Elapsed.TotalSeconds:F2} s; ");
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var gen2 = GC.CollectionCount(2);
        watch.Restart();
        watch.Restart();
        using var index = new InvertedIndex();
        foreach (var doc in corpus) index.Upsert(doc.Id, doc.Title, doc.Text);
        Console.WriteLine($"analysis {analysis:F2} s ({sink.Terms} terms), full upsert {watch.Elapsed.TotalSeconds:F2} s ({GC.CollectionCount(2) - gen2} gen2 GCs)");
    }
    return 0;
}

internal struct CountingSink : ITermSink
{
    public long Terms;

    public void Add(scoped ReadOnlySpan<char> term) => Terms += term.Length > 0 ? 1 : 0;
}
