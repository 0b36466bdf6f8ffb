using System.Diagnostics;

namespace Werkly.VectorIndex.TextBenchmarks;

/// <summary>
/// The cost of the keyword side after reopening a persisted <see cref="HybridIndex"/> of 70,000 Cranfield chunks: the
/// same records committed twice, once with keyword blocks in the segment files (the default) and once without (the
/// stored texts are analyzed again on the first keyword search, as before the blocks existed), reopened alternately.
/// Also reports what the blocks cost at commit time and on disk.
/// </summary>
internal static class ReopenBenchmark
{
    private const int Dimensions = 384;
    private const int Commits = 7;
    private const string Company = "bench";

    private static SearchQuery Keyword(string text) => new() { Mode = SearchMode.Keyword, Text = text };

    public static int Run(int rounds)
    {
        rounds = rounds > 0 ? rounds : 5;
        var docs = Corpus.Repeated();
        var queries = Corpus.Queries();
        var options = new WerklyIndexOptions { Dimensions = Dimensions };
        var root = Path.Combine(Path.GetTempPath(), "werkly-reopen-" + Guid.NewGuid().ToString("N")[..8]);
        var records = docs.Select((d, i) => new VectorRecord(d.Id, Vector(i)) { Title = d.Title, Text = d.Text }).ToArray();
        Console.WriteLine($"{docs.Length:N0} chunks, {Dimensions}-d vectors, {Commits} commits; {rounds} reopen rounds; directory {root}");
        try
        {
            var dirs = new Dictionary<string, string>();
            foreach (var blocks in new[] { true, false })
            {
                var name = blocks ? "keyword blocks" : "texts only";
                var dir = dirs[name] = Path.Combine(root, blocks ? "blocks" : "texts");
                using var index = WerklyIndex.Open(dir, options);
                if (!blocks) index.KeywordBlockTransform = static _ => [];
                var commit = TimeSpan.Zero;
                var batch = (records.Length + Commits - 1) / Commits;
                for (var c = 0; c < Commits; c++)
                {
                    index.Apply(Company, records.Skip(c * batch).Take(batch).ToArray(), []);
                    var watch = Stopwatch.StartNew();
                    index.Commit();
                    commit += watch.Elapsed;
                }
                var bytes = Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length);
                Console.WriteLine($"write [{name}]: commits {commit.TotalSeconds:F2} s in total, {bytes / 1048576.0:F1} MiB on disk");
            }

            var results = dirs.Keys.ToDictionary(k => k, _ => new List<(double Open, double First, double Next)>());
            for (var round = 0; round < rounds; round++)
            {
                foreach (var (name, dir) in dirs)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
                    var watch = Stopwatch.StartNew();
                    using var index = WerklyIndex.Open(dir, options, readOnly: true);
                    var open = watch.Elapsed.TotalMilliseconds;
                    watch.Restart();
                    index.Search(Company, Keyword(queries[0]));
                    var first = watch.Elapsed.TotalMilliseconds;
                    var heap = (GC.GetTotalMemory(forceFullCollection: true) - heapBefore) / 1048576.0;
                    var next = new List<double>();
                    foreach (var query in queries.Skip(1).Take(100))
                    {
                        watch.Restart();
                        index.Search(Company, Keyword(query));
                        next.Add(watch.Elapsed.TotalMilliseconds);
                    }
                    var load = index.KeywordLoadOf(Company)!.Value;
                    results[name].Add((open, first, Median(next)));
                    Console.WriteLine($"round {round} [{name}]: open {open:F1} ms, first keyword search {first:F0} ms " +
                        $"(load {load.Elapsed.TotalMilliseconds:F0} ms: {load.SegmentsFromBlocks} segments from blocks, {load.SegmentsAnalyzed} analyzed, {load.Documents:N0} documents), " +
                        $"next searches median {Median(next):F2} ms, managed heap +{heap:F0} MiB after the load");
                }
            }
            foreach (var (name, list) in results)
                Console.WriteLine($"median [{name}]: open {Median([.. list.Select(r => r.Open)]):F1} ms, first keyword search {Median([.. list.Select(r => r.First)]):F0} ms, next {Median([.. list.Select(r => r.Next)]):F2} ms");
            using (var writer = WerklyIndex.Open(dirs["keyword blocks"], options))
            {
                writer.Search(Company, Keyword(queries[0]));
                var watch = Stopwatch.StartNew();
                writer.Apply(Company, [records[0] with { Key = "new-record" }], []);
                var firstAdd = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                writer.Apply(Company, [], [records[1].Key]);
                var firstDelete = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                writer.Apply(Company, [], [records[2].Key]);
                Console.WriteLine($"after loading [keyword blocks]: first add {firstAdd:F1} ms, first delete {firstDelete:F0} ms " +
                    $"(rebuilds the forward index), next delete {watch.Elapsed.TotalMilliseconds:F1} ms");
            }
            var ratio = Median([.. results["keyword blocks"].Select(r => r.First)]) / Median([.. results["texts only"].Select(r => r.First)]);
            Console.WriteLine($"first keyword search, keyword blocks / texts only: {ratio:F3}");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static ReadOnlyMemory<float> Vector(int seed)
    {
        var random = new Random(seed);
        var v = new float[Dimensions];
        for (var i = 0; i < v.Length; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        return v;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }
}
