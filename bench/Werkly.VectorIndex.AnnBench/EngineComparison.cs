using System.Diagnostics;
using System.Globalization;
using Cloud.Unum.USearch;

namespace Werkly.VectorIndex.AnnBench;

/// <summary>
/// The engine as a user gets it (<see cref="WerklyIndex"/>, one company, built by upsert + retrain, optionally committed
/// and reopened from the memory-mapped files) with each <see cref="VectorQuantization"/>, against USearch HNSW on the same
/// data in the same process.
/// </summary>
/// <remarks>
/// The engine indexes share their seed, so their lists are identical and float32 vs quantized recall at equal probes is
/// a like-for-like comparison. Every configuration answers all queries one at a time on one thread (the allocation-free
/// <see cref="WerklyIndex.Search(string, ReadOnlySpan{float}, Span{SearchHit}, SearchOptions?)"/>), in rounds that visit
/// the configurations in turn; p50/p95 are medians over the rounds. Recall@k against the exact top-k is deterministic.
/// </remarks>
internal static class EngineComparison
{
    private const string Company = "bench";
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public sealed record Settings
    {
        public required string DataDir { get; init; }
        public int? Lists { get; init; }
        public int K { get; init; } = 10;
        public int[] Probes { get; init; } = [];
        public int[] RerankFactors { get; init; } = [];
        public VectorQuantization[] Quantizations { get; init; } = [VectorQuantization.None, VectorQuantization.Scalar8, VectorQuantization.Scalar4];
        public int[] UsearchEf { get; init; } = [16, 24, 32, 64];
        public int Rounds { get; init; } = 3;
        public int BuildThreads { get; init; } = 1;
        public bool Usearch { get; init; } = true;
        public bool Engine { get; init; } = true;
        public string? MappedDir { get; init; }
        public int? Queries { get; init; }
        /// <summary>Open the index a previous run committed under <see cref="MappedDir"/> instead of building it (a fresh
        /// process: its RSS is what serving the reopened index costs).</summary>
        public bool Reuse { get; init; }
    }

    private sealed record Config(string System, string Name, Func<float[], int[], int> Search)
    {
        public double Recall;
        public readonly List<double> P50s = [];
        public readonly List<double> P95s = [];
        public double P50 => Median(P50s);
        public double P95 => Median(P95s);
    }

    private sealed record Engine(VectorQuantization Quantization, WerklyIndex Index, double BuildSeconds, double? CommitSeconds, double? OpenMs, long DiskBytes);

    public static int Run(Settings settings, TextWriter log)
    {
        log.WriteLine($"# engine vs USearch — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {LoadAverage()}");
        log.WriteLine($"AvxVnni {System.Runtime.Intrinsics.X86.AvxVnni.IsSupported}, Vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, USearch {USearchCapabilities.Version()}");
        // Reopening a committed index without USearch needs no base vectors (and its RSS must not include them).
        float[][]? baseVectors = settings.Reuse && !settings.Usearch ? null : TexmexReader.ReadFvecs(Path.Combine(settings.DataDir, "base.fvecs"));
        var queries = TexmexReader.ReadFvecs(Path.Combine(settings.DataDir, "query.fvecs"));
        var truth = TexmexReader.ReadIvecs(Path.Combine(settings.DataDir, "gt.ivecs")).Select(t => t[..settings.K].ToHashSet()).ToArray();
        if (settings.Queries is { } limit && limit < queries.Length)
        {
            queries = queries[..limit];
            truth = truth[..limit];
        }
        var n = baseVectors?.Length ?? 0;
        var dimensions = queries[0].Length;
        var k = settings.K;
        log.WriteLine($"data {settings.DataDir}: {n} x {dimensions}, {queries.Length} queries, k {k}, build threads {settings.BuildThreads}{(settings.MappedDir is null ? ", in memory" : $", committed and reopened read-only from {settings.MappedDir}")}");
        log.WriteLine($"process at start: {Rss()}");

        var engines = new List<Engine>();
        if (settings.Engine)
        {
            foreach (var quantization in settings.Quantizations)
            {
                engines.Add(BuildEngine(baseVectors, dimensions, quantization, settings, log));
                GC.Collect();
            }
        }
        UsearchPeer? usearch = null;
        if (settings.Usearch)
        {
            usearch = UsearchPeer.Build(baseVectors!, ScalarKind.Float32, connectivity: 16, expansionAdd: 128, settings.BuildThreads);
            log.WriteLine(string.Create(Invariant, $"USearch HNSW f32 (M 16, ef_construction 128) build {usearch.BuildTime.TotalSeconds:F2} s, memory {usearch.MemoryBytes / 1e6:F1} MB"));
            if (settings.MappedDir is not null)
            {
                var file = Path.Combine(settings.MappedDir, "usearch.bin");
                Directory.CreateDirectory(settings.MappedDir);
                var watch = Stopwatch.StartNew();
                var bytes = usearch.Save(file);
                log.WriteLine(string.Create(Invariant, $"USearch saved in {watch.Elapsed.TotalSeconds:F2} s, disk {bytes / 1e6:F1} MB"));
                File.Delete(file);
            }
        }
        baseVectors = null;
        GC.Collect();
        log.WriteLine($"process after building: {Rss()}");

        var configs = new List<Config>();
        foreach (var engine in engines)
        {
            var index = engine.Index;
            var system = engine.Quantization switch { VectorQuantization.None => "werkly-f32", VectorQuantization.Scalar8 => "werkly-sq8", _ => "werkly-sq4" };
            configs.Add(new Config(system, "calibrated", (q, ids) => Search(index, q, ids, null)));
            foreach (var p in settings.Probes)
            {
                if (engine.Quantization == VectorQuantization.None)
                {
                    var options = new SearchOptions { Probes = p };
                    configs.Add(new Config(system, $"probes {p}", (q, ids) => Search(index, q, ids, options)));
                    continue;
                }
                foreach (var r in settings.RerankFactors.DefaultIfEmpty(0))
                {
                    var options = new SearchOptions { Probes = p, RerankFactor = r == 0 ? null : r };
                    configs.Add(new Config(system, r == 0 ? $"probes {p}" : $"probes {p} r {r}", (q, ids) => Search(index, q, ids, options)));
                }
            }
        }
        if (usearch is not null)
        {
            foreach (var ef in settings.UsearchEf)
            {
                configs.Add(new Config("usearch-f32", $"ef {ef}", (q, ids) =>
                {
                    usearch.SetExpansion(ef);
                    var count = usearch.Search(q, k, out var keys);
                    for (var i = 0; i < count; i++) ids[i] = (int)keys[i];
                    return count;
                }));
            }
        }

        Measure(configs, queries, truth, k, settings.Rounds);
        log.WriteLine($"process after searching: {Rss()}");
        Report(configs, log);
        Summary(configs, engines, usearch, log);
        foreach (var engine in engines) engine.Index.Dispose();
        usearch?.Dispose();
        log.WriteLine($"load at end {LoadAverage()}");
        return 0;
    }

    private static int Search(WerklyIndex index, float[] query, int[] ids, SearchOptions? options)
    {
        var buffer = t_hits ??= new SearchHit[ids.Length];
        var count = index.Search(Company, query, buffer.AsSpan(0, ids.Length), options);
        for (var i = 0; i < count; i++) ids[i] = int.Parse(buffer[i].Key, Invariant);
        return count;
    }

    [ThreadStatic]
    private static SearchHit[]? t_hits;

    private static Engine BuildEngine(float[][]? vectors, int dimensions, VectorQuantization quantization, Settings settings, TextWriter log)
    {
        var options = new WerklyIndexOptions
        {
            Dimensions = dimensions,
            Lists = settings.Lists,
            FlatSearchThreshold = Math.Min(20_000, vectors?.Length ?? 20_000),
            AutoRetrain = false,
            MaxDegreeOfParallelism = settings.BuildThreads,
            Quantization = quantization,
        };
        if (settings.Reuse && settings.MappedDir is not null)
        {
            var existing = Path.Combine(settings.MappedDir, quantization.ToString().ToLowerInvariant());
            var disk0 = Directory.GetFiles(existing).Sum(f => new FileInfo(f).Length);
            var opening = Stopwatch.StartNew();
            var reopened = WerklyIndex.Open(existing, options, readOnly: true);
            var opened = opening.Elapsed.TotalMilliseconds;
            var statistics = reopened.GetStatistics(Company);
            log.WriteLine(string.Create(Invariant,
                $"werkly {quantization}: reopened {existing} read-only in {opened:F1} ms, {statistics.LiveCount} vectors, disk {disk0 / 1e6:F1} MB; lists {statistics.ListCount}, calibrated probes {statistics.DefaultProbes}, r {statistics.RerankFactor}; {Rss()}"));
            return new Engine(quantization, reopened, double.NaN, null, opened, disk0);
        }
        ArgumentNullException.ThrowIfNull(vectors);
        var records = new VectorRecord[vectors.Length];
        for (var i = 0; i < vectors.Length; i++) records[i] = new VectorRecord(i.ToString(Invariant), vectors[i]);
        string? directory = settings.MappedDir is null ? null : Path.Combine(settings.MappedDir, quantization.ToString().ToLowerInvariant());
        if (directory is not null && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        var watch = Stopwatch.StartNew();
        var index = directory is null ? new WerklyIndex(options) : WerklyIndex.Open(directory, options);
        index.Upsert(Company, records);
        var upsertSeconds = watch.Elapsed.TotalSeconds;
        index.Retrain(Company);
        var buildSeconds = watch.Elapsed.TotalSeconds;
        log.WriteLine($"werkly {quantization} retrain: {index.RetrainProfileOf(Company)}");
        double? commitSeconds = null, openMs = null;
        long disk = 0;
        if (directory is not null)
        {
            watch.Restart();
            index.Commit();
            commitSeconds = watch.Elapsed.TotalSeconds;
            index.Dispose();
            disk = Directory.GetFiles(directory).Sum(f => new FileInfo(f).Length);
            watch.Restart();
            index = WerklyIndex.Open(directory, options, readOnly: true);
            openMs = watch.Elapsed.TotalMilliseconds;
        }
        var stats = index.GetStatistics(Company);
        var (hot, rerank) = index.FootprintOf(Company);
        log.WriteLine(string.Create(Invariant,
            $"werkly {quantization}: build {buildSeconds:F2} s (upsert {upsertSeconds:F2} s, retrain {buildSeconds - upsertSeconds:F2} s){(commitSeconds is { } c ? $", commit {c:F2} s, reopen {openMs:F1} ms, disk {disk / 1e6:F1} MB" : "")}; " +
            $"lists {stats.ListCount}, calibrated probes {stats.DefaultProbes}, r {stats.RerankFactor}; search reads {hot / 1e6:F1} MB wholesale, {rerank / 1e6:F1} MB only for re-ranked rows"));
        return new Engine(quantization, index, buildSeconds, commitSeconds, openMs, disk);
    }

    private static void Measure(List<Config> configs, float[][] queries, HashSet<int>[] truth, int k, int rounds)
    {
        var ids = new int[k];
        foreach (var config in configs)
        {
            double found = 0;
            for (var q = 0; q < queries.Length; q++)
            {
                var count = config.Search(queries[q], ids);
                for (var i = 0; i < count; i++)
                {
                    if (truth[q].Contains(ids[i])) found++;
                }
            }
            config.Recall = found / (queries.Length * (double)k);
        }
        var latencies = new double[queries.Length];
        for (var round = 0; round < rounds; round++)
        {
            foreach (var config in configs)
            {
                for (var q = 0; q < queries.Length; q++)
                {
                    var start = Stopwatch.GetTimestamp();
                    config.Search(queries[q], ids);
                    latencies[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
                Array.Sort(latencies);
                config.P50s.Add(latencies[latencies.Length / 2]);
                config.P95s.Add(latencies[(int)(latencies.Length * 0.95)]);
            }
        }
    }

    private static void Report(List<Config> configs, TextWriter log)
    {
        log.WriteLine();
        log.WriteLine("| system | setting | recall@10 | p50 ms | p95 ms |");
        log.WriteLine("|---|---|---:|---:|---:|");
        foreach (var c in configs)
            log.WriteLine(string.Create(Invariant, $"| {c.System} | {c.Name} | {c.Recall:F4} | {c.P50:F3} | {c.P95:F3} |"));
    }

    private static void Summary(List<Config> configs, List<Engine> engines, UsearchPeer? usearch, TextWriter log)
    {
        log.WriteLine();
        foreach (var f in configs.Where(c => c.System == "werkly-f32" && c.Name.StartsWith("probes", StringComparison.Ordinal)))
        {
            foreach (var s in configs.Where(c => c.System != "werkly-f32" && c.System.StartsWith("werkly", StringComparison.Ordinal) && (c.Name == f.Name || c.Name.StartsWith(f.Name + " ", StringComparison.Ordinal))))
                log.WriteLine(string.Create(Invariant, $"{s.System} {s.Name}: recall {s.Recall:F4} vs float32 {f.Recall:F4} (diff {s.Recall - f.Recall:+0.0000;-0.0000}), p50 {s.P50:F3} vs {f.P50:F3} ms (ratio {s.P50 / f.P50:F2})"));
        }
        var peer = configs.Where(c => c.System == "usearch-f32").OrderBy(c => c.Recall).ToList();
        if (peer.Count > 0)
        {
            log.WriteLine();
            foreach (var system in configs.Select(c => c.System).Where(s => s.StartsWith("werkly", StringComparison.Ordinal)).Distinct())
            {
                foreach (var target in new[] { 0.95, 0.96, 0.97, 0.98, 0.99 })
                {
                    var ours = configs.Where(c => c.System == system && c.Recall >= target).OrderBy(c => c.P50).FirstOrDefault();
                    if (ours is null) continue;
                    var peerP50 = Interpolate(peer, ours.Recall);
                    log.WriteLine(string.Create(Invariant, $"recall >= {target:F2}: {system} {ours.Name} recall {ours.Recall:F4} p50 {ours.P50:F3} ms p95 {ours.P95:F3} ms; USearch f32 at that recall {(peerP50 is { } p ? $"{p:F3} ms: ratio {ours.P50 / p:F2}" : "not reached")}"));
                }
            }
        }
        foreach (var engine in engines)
        {
            var (hot, rerank) = engine.Index.FootprintOf(Company);
            var floatHot = engines.FirstOrDefault(e => e.Quantization == VectorQuantization.None)?.Index.FootprintOf(Company).Hot;
            log.WriteLine(string.Create(Invariant,
                $"werkly {engine.Quantization}: build {engine.BuildSeconds:F2} s{(usearch is null ? "" : $" vs USearch {usearch.BuildTime.TotalSeconds:F2} s (ratio {engine.BuildSeconds / usearch.BuildTime.TotalSeconds:F3})")}; " +
                $"hot data {hot / 1e6:F1} MB{(floatHot is { } f ? $" (ratio to float32 {hot / (double)f:F3})" : "")}{(usearch is null ? "" : $" vs USearch {usearch.MemoryBytes / 1e6:F1} MB")}, re-rank-only {rerank / 1e6:F1} MB"));
        }
    }

    /// <summary>USearch's p50 at exactly <paramref name="recall"/>, linear between the two ef values around it.</summary>
    private static double? Interpolate(List<Config> byRecall, double recall)
    {
        for (var i = 0; i < byRecall.Count; i++)
        {
            if (byRecall[i].Recall < recall) continue;
            if (i == 0) return byRecall[0].P50;
            var (lo, hi) = (byRecall[i - 1], byRecall[i]);
            var t = (recall - lo.Recall) / (hi.Recall - lo.Recall);
            return lo.P50 + t * (hi.P50 - lo.P50);
        }
        return null;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The process's resident memory from /proc/self/status: total, anonymous (managed and native heaps) and
    /// file-backed (mapped index files).</summary>
    internal static string Rss()
    {
        if (!File.Exists("/proc/self/status")) return "RSS n/a";
        var fields = File.ReadAllLines("/proc/self/status").Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim());
        return $"RSS {fields.GetValueOrDefault("VmRSS")} (anonymous {fields.GetValueOrDefault("RssAnon")}, file {fields.GetValueOrDefault("RssFile")})";
    }

    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
