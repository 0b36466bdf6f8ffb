using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Werkly.VectorIndex;
using Werkly.VectorIndex.AnnBench;

// ANN harness: recall@k, single-query QPS and latency, batched QPS over all cores, per probes value.
// usage: --data DIR --lists N --probes 1,2,4,8 --k 10 [--json] [--flat-threshold N]
var arguments = ParseArguments(args);
if (arguments.TryGetValue("make-minilm", out var minilmDir) && minilmDir is not null)
{
    return MiniLmDataset.Run(minilmDir,
        int.Parse(arguments.GetValueOrDefault("n") ?? "50500", CultureInfo.InvariantCulture),
        int.Parse(arguments.GetValueOrDefault("queries") ?? "1000", CultureInfo.InvariantCulture), Console.Out);
}
if (arguments.ContainsKey("retrain-load"))
{
    int Int(string name, int fallback) => arguments.TryGetValue(name, out var value) && value is not null ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
    return RetrainLoad.Run(new RetrainLoad.Settings
    {
        Companies = Int("companies", 8),
        PerCompany = Int("per-company", 25_000),
        Growing = Int("growing", 50_000),
        Dimensions = Int("dim", 384),
        Rounds = Int("rounds", 3),
        Priorities = arguments.TryGetValue("commit-priority", out var priorities) && priorities is not null
            ? [.. priorities.Split(',').Select(p => Enum.Parse<ThreadPriority>(p, ignoreCase: true))]
            : [ThreadPriority.Normal, ThreadPriority.BelowNormal],
    }, Console.Out);
}
if (arguments.TryGetValue("mixed", out var mixedDir) && mixedDir is not null)
{
    int Int(string name, int fallback) => arguments.TryGetValue(name, out var value) && value is not null ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
    return MixedLoad.Run(new MixedLoad.Settings
    {
        Directory = mixedDir,
        Companies = Int("companies", 20),
        PerCompany = Int("per-company", 10_000),
        Dimensions = Int("dim", 384),
        Searchers = Int("searchers", 4),
        HybridSearchers = Int("hybrid-searchers", 1),
        UpsertsPerSecond = Int("upserts", 1000),
        WriteBatch = Int("write-batch", 10),
        CommitIntervalMs = Int("commit-ms", 2000),
        Seconds = Int("seconds", 30),
        Rounds = Int("rounds", 1),
        CommitPriorities = arguments.TryGetValue("commit-priority", out var priorities) && priorities is not null
            ? [.. priorities.Split(',').Select(p => Enum.Parse<ThreadPriority>(p, ignoreCase: true))]
            : [ThreadPriority.BelowNormal],
    }, Console.Out);
}
var dataDir = arguments.GetValueOrDefault("data") ?? throw Usage("--data is required");
var k = int.Parse(arguments.GetValueOrDefault("k") ?? "10", CultureInfo.InvariantCulture);
var probesList = (arguments.GetValueOrDefault("probes") ?? "1,2,4,8,16,32").Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
var json = arguments.ContainsKey("json");
var log = json ? Console.Error : Console.Out;
if (arguments.ContainsKey("train-compare"))
{
    return TrainingComparison.Run(dataDir,
        int.Parse(arguments.GetValueOrDefault("lists") ?? "316", CultureInfo.InvariantCulture),
        int.Parse(arguments.GetValueOrDefault("iterations") ?? "10", CultureInfo.InvariantCulture),
        int.Parse(arguments.GetValueOrDefault("repeats") ?? "3", CultureInfo.InvariantCulture),
        int.Parse(arguments.GetValueOrDefault("threads") ?? "1", CultureInfo.InvariantCulture), log);
}

if (arguments.ContainsKey("engine"))
{
    static int[] Ints(string value) => value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    return EngineComparison.Run(new EngineComparison.Settings
    {
        DataDir = dataDir,
        Lists = arguments.TryGetValue("lists", out var engineLists) && engineLists is not null ? int.Parse(engineLists, CultureInfo.InvariantCulture) : null,
        K = k,
        Probes = arguments.TryGetValue("probes", out var engineProbes) && engineProbes is not null ? Ints(engineProbes) : [],
        RerankFactors = arguments.TryGetValue("rerank", out var engineRerank) && engineRerank is not null ? Ints(engineRerank) : [],
        Quantizations = arguments.TryGetValue("quantization", out var quantizations) && quantizations is not null
            ? quantizations.Split(',').Select(Enum.Parse<VectorQuantization>).ToArray()
            : [VectorQuantization.None, VectorQuantization.Scalar8, VectorQuantization.Scalar4],
        UsearchEf = arguments.TryGetValue("ef", out var engineEf) && engineEf is not null ? Ints(engineEf) : [16, 24, 32, 64],
        Rounds = int.Parse(arguments.GetValueOrDefault("rounds") ?? "3", CultureInfo.InvariantCulture),
        BuildThreads = int.Parse(arguments.GetValueOrDefault("build-threads") ?? "1", CultureInfo.InvariantCulture),
        Usearch = !arguments.ContainsKey("no-usearch"),
        Engine = !arguments.ContainsKey("usearch-only"),
        MappedDir = arguments.GetValueOrDefault("mapped-dir"),
        Reuse = arguments.ContainsKey("reuse"),
        Queries = arguments.TryGetValue("queries", out var queryLimit) && queryLimit is not null ? int.Parse(queryLimit, CultureInfo.InvariantCulture) : null,
    }, Console.Out);
}

if (arguments.ContainsKey("sq8"))
{
    static int[] Ints(string value) => value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    return Sq8Comparison.Run(new Sq8Comparison.Settings
    {
        DataDir = dataDir,
        Lists = int.Parse(arguments.GetValueOrDefault("lists") ?? throw Usage("--sq8 needs --lists"), CultureInfo.InvariantCulture),
        K = k,
        Probes = arguments.TryGetValue("probes", out var sq8Probes) && sq8Probes is not null ? Ints(sq8Probes) : [8, 16, 24, 32, 48],
        CandidateFactors = arguments.TryGetValue("rerank", out var factors) && factors is not null ? Ints(factors) : [2, 4, 8],
        UsearchEf = arguments.TryGetValue("ef", out var ef) && ef is not null ? Ints(ef) : [16, 32, 64, 128, 256],
        Rounds = int.Parse(arguments.GetValueOrDefault("rounds") ?? "3", CultureInfo.InvariantCulture),
        BuildThreads = int.Parse(arguments.GetValueOrDefault("build-threads") ?? "1", CultureInfo.InvariantCulture),
        ClipQuantile = double.Parse(arguments.GetValueOrDefault("clip") ?? "0.0001", CultureInfo.InvariantCulture),
        Study = arguments.ContainsKey("study"),
        Usearch = !arguments.ContainsKey("no-usearch"),
        UsearchInt8 = !arguments.ContainsKey("no-usearch-i8"),
        FourBitFactors = arguments.TryGetValue("sq4", out var sq4) && sq4 is not null ? Ints(sq4) : [],
    }, Console.Out);
}

GC.Collect();
var managedBefore = GC.GetTotalMemory(true);
var baseVectors = TexmexReader.ReadFvecs(Path.Combine(dataDir, "base.fvecs"));
var queries = TexmexReader.ReadFvecs(Path.Combine(dataDir, "query.fvecs"));
var groundTruth = TexmexReader.ReadIvecs(Path.Combine(dataDir, "gt.ivecs"));
var n = baseVectors.Length;
var dimensions = baseVectors[0].Length;
var lists = arguments.TryGetValue("lists", out var l) ? int.Parse(l!, CultureInfo.InvariantCulture) : (int?)null;

var options = new WerklyIndexOptions
{
    Dimensions = dimensions,
    Lists = lists,
    FlatSearchThreshold = arguments.TryGetValue("flat-threshold", out var f) ? int.Parse(f!, CultureInfo.InvariantCulture) : Math.Min(20_000, n),
    AutoRetrain = false,
};
using var index = new WerklyIndex(options);
var buildWatch = Stopwatch.StartNew();
var records = new List<VectorRecord>(n);
for (var i = 0; i < n; i++) records.Add(new VectorRecord(i.ToString(CultureInfo.InvariantCulture), baseVectors[i]));
index.Upsert("bench", records);
index.Retrain("bench");
var buildSeconds = buildWatch.Elapsed.TotalSeconds;
if (arguments.TryGetValue("mapped", out var persistDir) && persistDir is not null)
{
    // The same records in the same order with the same seed: identical lists, written as segment files.
    if (Directory.Exists(persistDir)) Directory.Delete(persistDir, recursive: true);
    var persistWatch = Stopwatch.StartNew();
    using var writer = WerklyIndex.Open(persistDir, options);
    writer.Upsert("bench", records);
    writer.Retrain("bench");
    var commitWatch = Stopwatch.StartNew();
    writer.Commit();
    var bytes = Directory.GetFiles(persistDir).Sum(f => new FileInfo(f).Length);
    log.WriteLine($"persisted {n} vectors: build {persistWatch.Elapsed.TotalSeconds - commitWatch.Elapsed.TotalSeconds:F2}s, commit {commitWatch.Elapsed.TotalMilliseconds:F0} ms, {bytes / 1e6:F1} MB on disk ({bytes / (n * 4.0 * dimensions):F3}x raw vectors)");
}
baseVectors = null;
records = null;
GC.Collect();
var managedBytes = GC.GetTotalMemory(true) - managedBefore; // the index plus queries and ground truth
var stats = index.GetStatistics("bench");
log.WriteLine($"n={n} dim={dimensions} lists={stats.ListCount} default probes={stats.DefaultProbes} build {buildSeconds:F2}s managed {managedBytes / 1e6:F0} MB");

var rows = new List<Dictionary<string, object>>();
var hits = new SearchHit[k];
foreach (var probes in probesList)
{
    var searchOptions = new SearchOptions { Probes = probes };
    // Warm-up: JIT, tiering, caches.
    for (var w = 0; w < Math.Min(200, queries.Length); w++) index.Search("bench", queries[w], hits, searchOptions);

    var latencies = new double[queries.Length];
    double found = 0;
    for (var q = 0; q < queries.Length; q++)
    {
        var start = Stopwatch.GetTimestamp();
        var count = index.Search("bench", queries[q], hits, searchOptions);
        latencies[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var truth = new HashSet<int>(groundTruth[q].Take(k));
        for (var i = 0; i < count; i++)
        {
            if (truth.Contains(int.Parse(hits[i].Key, CultureInfo.InvariantCulture))) found++;
        }
    }
    var recall = found / (queries.Length * (double)k);

    var batchWatch = Stopwatch.StartNew();
    Parallel.For(0, queries.Length, () => new SearchHit[k], (q, _, buffer) =>
    {
        index.Search("bench", queries[q], buffer, searchOptions);
        return buffer;
    }, _ => { });
    var batchQps = queries.Length / batchWatch.Elapsed.TotalSeconds;

    Array.Sort(latencies);
    var p50 = latencies[latencies.Length / 2];
    var p95 = latencies[(int)(latencies.Length * 0.95)];
    var singleQps = queries.Length / (latencies.Sum() / 1000);
    rows.Add(new Dictionary<string, object> { ["probes"] = probes, ["recall"] = recall, ["single_qps"] = singleQps, ["batch_qps"] = batchQps, ["p50_ms"] = p50, ["p95_ms"] = p95 });
    log.WriteLine($"probes {probes,4}  recall@{k} {recall:F4}  1-by-1 QPS {singleQps,8:F0}  batch QPS {batchQps,8:F0}  p50 {p50:F3} ms  p95 {p95:F3} ms");
}

if (arguments.TryGetValue("mapped", out var mappedDir) && mappedDir is not null)
{
    // Warm search on a reopened, memory-mapped copy of the same index, interleaved with the in-memory one.
    var openWatch = Stopwatch.StartNew();
    using var mapped = WerklyIndex.Open(mappedDir, options, readOnly: true);
    log.WriteLine($"opened mapped index in {openWatch.Elapsed.TotalMilliseconds:F2} ms");
    foreach (var probes in probesList)
    {
        var searchOptions = new SearchOptions { Probes = probes };
        foreach (var q in queries) { mapped.Search("bench", q, hits, searchOptions); index.Search("bench", q, hits, searchOptions); } // warm both
        var memoryLatencies = new double[queries.Length];
        var mappedLatencies = new double[queries.Length];
        for (var q = 0; q < queries.Length; q++)
        {
            var start = Stopwatch.GetTimestamp();
            index.Search("bench", queries[q], hits, searchOptions);
            memoryLatencies[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            mapped.Search("bench", queries[q], hits, searchOptions);
            mappedLatencies[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(memoryLatencies);
        Array.Sort(mappedLatencies);
        var memoryP50 = memoryLatencies[queries.Length / 2];
        var mappedP50 = mappedLatencies[queries.Length / 2];
        log.WriteLine($"probes {probes,4}  in-memory p50 {memoryP50:F3} ms  mapped p50 {mappedP50:F3} ms  ratio mapped/in-memory {mappedP50 / memoryP50:F3}");
    }
}

if (json)
{
    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["n"] = n, ["dim"] = dimensions, ["lists"] = stats.ListCount, ["default_probes"] = stats.DefaultProbes, ["k"] = k,
        ["build_s"] = buildSeconds, ["managed_mb"] = managedBytes / 1e6, ["rows"] = rows,
    }));
}
return 0;

static Dictionary<string, string?> ParseArguments(string[] args)
{
    var result = new Dictionary<string, string?>(StringComparer.Ordinal);
    for (var i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw Usage($"unexpected argument '{args[i]}'");
        var name = args[i][2..];
        result[name] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
    }
    return result;
}

static ArgumentException Usage(string problem) =>
    new($"{problem}. usage: --data DIR [--lists N] [--probes 1,2,4,8] [--k 10] [--json] [--flat-threshold N] [--mapped DIR] | --data DIR --sq8 --lists N [--probes 8,16,24,32,48] [--rerank 2,4,8] [--ef 16,32,64,128,256] [--rounds 3] [--build-threads 1] [--clip 0.0001] [--study] [--no-usearch] [--no-usearch-i8] [--sq4 4,8,16] | --data DIR --engine [--lists N] [--probes 16,24,32] [--rerank 2,4] [--quantization None,Scalar8,Scalar4] [--ef 16,24,32,64] [--rounds 3] [--build-threads 1] [--mapped-dir DIR] [--no-usearch | --usearch-only] [--queries N] | --make-minilm OUT_DIR [--n 50500] [--queries 1000] | --data DIR --train-compare [--lists 316] [--iterations 10] [--repeats 3] [--threads 1] | --retrain-load [--companies 8] [--per-company 25000] [--growing 50000] [--rounds 3] [--commit-priority Normal,BelowNormal]");
