using System.Diagnostics;
using System.Globalization;
using Cloud.Unum.USearch;
using Werkly.VectorIndex.Distance.Kernels;
using Werkly.VectorIndex.Ivf;

namespace Werkly.VectorIndex.AnnBench;

/// <summary>
/// The SQ8 prototype against float32 IVF (same lists) and USearch HNSW (f32 and i8), on the same data in one process.
/// </summary>
/// <remarks>
/// Every configuration answers all queries one at a time on one thread, in <c>rounds</c> rounds that visit the
/// configurations in turn, so machine noise hits all alike; latency is the median over rounds of each round's p50
/// (and p95). Recall@k against the exact top-k is deterministic.
/// </remarks>
internal static class Sq8Comparison
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly int[] StudyFactors = [1, 2, 4];

    public sealed record Settings
    {
        public required string DataDir { get; init; }
        public required int Lists { get; init; }
        public int K { get; init; } = 10;
        public int[] Probes { get; init; } = [8, 16, 24, 32, 48];
        public int[] CandidateFactors { get; init; } = [2, 4, 8];
        public int[] UsearchEf { get; init; } = [16, 32, 64, 128, 256];
        public int Rounds { get; init; } = 3;
        public int BuildThreads { get; init; } = 1;
        public double ClipQuantile { get; init; } = 0.0001;
        public bool Study { get; init; }
        public bool Usearch { get; init; } = true;
        public bool UsearchInt8 { get; init; } = true;
        public int[] FourBitFactors { get; init; } = [];
    }

    private sealed record Config(string System, string Name, Func<float[], int[], int> Search, Func<int>? Scanned = null, QuantizedLists.Searcher? Profiled = null)
    {
        public string Breakdown = "";
        public double Recall;
        public double ScannedMean;
        public readonly List<double> P50s = [];
        public readonly List<double> P95s = [];
        public double P50 => Median(P50s);
        public double P95 => Median(P95s);
    }

    public static int Run(Settings settings, TextWriter log)
    {
        log.WriteLine($"# SQ8 + re-rank vs float32 IVF vs USearch — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {LoadAverage()}");
        log.WriteLine($"AvxVnni {System.Runtime.Intrinsics.X86.AvxVnni.IsSupported}, Vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, USearch {USearchCapabilities.Version()} ({USearchCapabilities.HardwareAccelerationAvailable()})");
        var baseVectors = TexmexReader.ReadFvecs(Path.Combine(settings.DataDir, "base.fvecs"));
        var queries = TexmexReader.ReadFvecs(Path.Combine(settings.DataDir, "query.fvecs"));
        var truth = TexmexReader.ReadIvecs(Path.Combine(settings.DataDir, "gt.ivecs")).Select(t => t[..settings.K].ToHashSet()).ToArray();
        var n = baseVectors.Length;
        var k = settings.K;
        log.WriteLine($"data {settings.DataDir}: {n} x {baseVectors[0].Length}, {queries.Length} queries, k {k}, lists {settings.Lists}, build threads {settings.BuildThreads}");

        var lists = QuantizedLists.Build(baseVectors, settings.Lists, settings.BuildThreads);
        var floatBuild = lists.TrainTime + lists.AssignTime;
        log.WriteLine($"float32 IVF build {floatBuild.TotalSeconds:F2} s (k-means {lists.TrainTime.TotalSeconds:F2} s, assign + lay out {lists.AssignTime.TotalSeconds:F2} s)");

        if (settings.Study) Study(lists, queries, truth, settings, log);

        lists.Encode(CodeScheme.Residual, settings.ClipQuantile, settings.BuildThreads);
        log.WriteLine($"SQ8 (residual, clip {settings.ClipQuantile}) ranges + codes {lists.CodeTime.TotalSeconds:F2} s ({lists.CodeTimeParts}): SQ8 IVF build {(floatBuild + lists.CodeTime).TotalSeconds:F2} s");
        if (settings.FourBitFactors.Length > 0)
        {
            lists.EncodeFourBit(settings.BuildThreads);
            log.WriteLine($"SQ4 prototype codes {lists.Code4Time.TotalSeconds:F2} s, hot data {lists.Code4HotBytes / 1e6:F1} MB");
        }
        log.WriteLine($"hot data: float32 {lists.FloatHotBytes / 1e6:F1} MB, SQ8 {lists.CodeHotBytes / 1e6:F1} MB (ratio {lists.CodeHotBytes / (double)lists.FloatHotBytes:F3}); float rows for re-ranking {lists.Floats.Length * 4L / 1e6:F1} MB stay cold");

        var peers = new List<UsearchPeer>();
        if (settings.Usearch)
        {
            foreach (var kind in settings.UsearchInt8 ? [ScalarKind.Float32, ScalarKind.Int8] : new[] { ScalarKind.Float32 })
            {
                var peer = UsearchPeer.Build(baseVectors, kind, connectivity: 16, expansionAdd: 128, settings.BuildThreads);
                peers.Add(peer);
                log.WriteLine($"USearch HNSW {kind} (M 16, ef_construction 128) build {peer.BuildTime.TotalSeconds:F2} s, memory {peer.MemoryBytes / 1e6:F1} MB");
            }
        }

        var searcher = new QuantizedLists.Searcher(lists);
        var configs = new List<Config>();
        foreach (var p in settings.Probes)
        {
            configs.Add(new Config("ivf-f32", $"probes {p}", (q, ids) => searcher.SearchFloat(q, p, k, ids), () => searcher.Scanned));
            foreach (var r in settings.CandidateFactors)
                configs.Add(new Config("ivf-sq8", $"probes {p} r {r}", (q, ids) => searcher.SearchCodes(q, p, k, k * r, ids), () => searcher.Scanned, searcher));
            foreach (var r in settings.FourBitFactors)
                configs.Add(new Config("ivf-sq4", $"probes {p} r {r}", (q, ids) => searcher.SearchFourBit(q, p, k, k * r, ids), () => searcher.Scanned));
            var r0 = settings.CandidateFactors[settings.CandidateFactors.Length / 2];
            configs.Add(new Config("ivf-sq8-float-query", $"probes {p} r {r0}", (q, ids) => searcher.SearchDequantized(q, p, k, k * r0, ids), () => searcher.Scanned));
        }
        foreach (var peer in peers)
        {
            foreach (var ef in settings.UsearchEf)
            {
                var system = peer.Kind == ScalarKind.Float32 ? "usearch-f32" : "usearch-i8";
                configs.Add(new Config(system, $"ef {ef}", (q, ids) =>
                {
                    peer.SetExpansion(ef);
                    var count = peer.Search(q, k, out var keys);
                    for (var i = 0; i < count; i++) ids[i] = (int)keys[i];
                    return count;
                }));
            }
        }

        Measure(configs, queries, truth, k, settings.Rounds);
        Report(configs, log);
        Summary(configs, lists, floatBuild + lists.CodeTime, peers, log);
        foreach (var peer in peers) peer.Dispose();
        log.WriteLine($"load at end {LoadAverage()}");
        return 0;
    }

    private static void Measure(List<Config> configs, float[][] queries, HashSet<int>[] truth, int k, int rounds)
    {
        var ids = new int[k];
        foreach (var config in configs)
        {
            double found = 0, scanned = 0;
            var parts = new List<(long Probe, long Scan, long Rerank)>(queries.Length);
            for (var q = 0; q < queries.Length; q++)
            {
                var count = config.Search(queries[q], ids);
                for (var i = 0; i < count; i++)
                {
                    if (truth[q].Contains(ids[i])) found++;
                }
                scanned += config.Scanned?.Invoke() ?? 0;
                if (config.Profiled is { } profiled) parts.Add((profiled.ProbeTicks, profiled.ScanTicks, profiled.RerankTicks));
            }
            config.Recall = found / (queries.Length * (double)k);
            if (parts.Count > 0)
            {
                double Us(IEnumerable<long> ticks) => Median(ticks.Select(t => t * 1e6 / Stopwatch.Frequency).ToList());
                config.Breakdown = string.Create(Invariant, $"{Us(parts.Select(p => p.Probe)):F1} / {Us(parts.Select(p => p.Scan)):F1} / {Us(parts.Select(p => p.Rerank)):F1}");
            }
            config.ScannedMean = scanned / queries.Length;
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
        log.WriteLine("| system | setting | recall@10 | p50 ms | p95 ms | rows scanned | median µs: lists / scan / re-rank |");
        log.WriteLine("|---|---|---:|---:|---:|---:|---|");
        foreach (var c in configs)
            log.WriteLine(string.Create(Invariant, $"| {c.System} | {c.Name} | {c.Recall:F4} | {c.P50:F3} | {c.P95:F3} | {(c.Scanned is null ? "" : c.ScannedMean.ToString("F0", Invariant))} | {c.Breakdown} |"));
    }

    private static void Summary(List<Config> configs, QuantizedLists lists, TimeSpan sq8Build, List<UsearchPeer> peers, TextWriter log)
    {
        log.WriteLine();
        var f32 = configs.Where(c => c.System == "ivf-f32").ToList();
        foreach (var f in f32)
        {
            var probes = f.Name;
            foreach (var s in configs.Where(c => c.System == "ivf-sq8" && c.Name.StartsWith(probes + " ", StringComparison.Ordinal)))
                log.WriteLine(string.Create(Invariant, $"{s.Name}: SQ8 recall {s.Recall:F4} vs float32 {f.Recall:F4} (diff {s.Recall - f.Recall:+0.0000;-0.0000}), p50 {s.P50:F3} vs {f.P50:F3} ms (ratio {s.P50 / f.P50:F2})"));
        }
        var usearch = configs.Where(c => c.System == "usearch-f32").OrderBy(c => c.Recall).ToList();
        if (usearch.Count == 0) return;
        log.WriteLine();
        foreach (var system in new[] { "ivf-sq8", "ivf-sq4", "ivf-f32" })
        {
            foreach (var target in new[] { 0.95, 0.96, 0.97, 0.98, 0.99 })
            {
                var ours = configs.Where(c => c.System == system && c.Recall >= target).OrderBy(c => c.P50).FirstOrDefault();
                if (ours is null) continue;
                var peerP50 = Interpolate(usearch, ours.Recall);
                log.WriteLine(string.Create(Invariant, $"recall >= {target:F2}: {system} {ours.Name} recall {ours.Recall:F4} p50 {ours.P50:F3} ms; USearch f32 at that recall {(peerP50 is { } p ? $"{p:F3} ms: ratio {ours.P50 / p:F2}" : "not reached")}"));
            }
        }
        foreach (var peer in peers)
            log.WriteLine(string.Create(Invariant, $"build: SQ8 IVF {sq8Build.TotalSeconds:F2} s vs USearch {peer.Kind} {peer.BuildTime.TotalSeconds:F2} s (ratio {sq8Build / peer.BuildTime:F3}); hot memory SQ8 {lists.CodeHotBytes / 1e6:F1} MB vs USearch {peer.Kind} {peer.MemoryBytes / 1e6:F1} MB"));
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

    /// <summary>
    /// Which SQ8 scheme: for each range scheme, the reconstruction error and the recall of the approximate top-10
    /// (no re-ranking) and of the re-ranked top 10 from k × 4 candidates, at the middle probes setting.
    /// </summary>
    private static void Study(QuantizedLists lists, float[][] queries, HashSet<int>[] truth, Settings settings, TextWriter log)
    {
        var probes = settings.Probes[settings.Probes.Length / 2];
        var k = settings.K;
        log.WriteLine();
        log.WriteLine($"SQ8 range schemes at probes {probes} (recall@{k} of the SQ8 order alone, and re-ranked from {k} x 2 and x 4 candidates):");
        log.WriteLine("| scheme | clip quantile | relative squared error | recall, SQ8 order | recall, r 2 | recall, r 4 |");
        log.WriteLine("|---|---:|---:|---:|---:|---:|");
        var searcher = new QuantizedLists.Searcher(lists);
        var ids = new int[k];
        var decoded = new float[lists.Dimensions];
        foreach (var scheme in new[] { CodeScheme.Direct, CodeScheme.Residual })
        {
            foreach (var clip in new[] { 0, 0.0001, 0.001, 0.01 })
            {
                lists.Encode(scheme, clip, settings.BuildThreads);
                double error = 0, norm = 0;
                for (var l = 0; l < lists.ListCount; l++)
                {
                    var centroid = scheme == CodeScheme.Residual ? lists.Centroids.AsSpan(l * lists.Stride, lists.Dimensions) : default;
                    for (var at = lists.ListStart[l]; at < lists.ListStart[l + 1]; at += 7)
                    {
                        lists.Quantizer!.Decode(lists.Codes.AsSpan(at * lists.CodeStride, lists.CodeStride), centroid, decoded);
                        var row = lists.Floats.AsSpan(at * lists.Stride, lists.Dimensions);
                        for (var d = 0; d < lists.Dimensions; d++)
                        {
                            error += (decoded[d] - row[d]) * (double)(decoded[d] - row[d]);
                            norm += row[d] * (double)row[d];
                        }
                    }
                }
                var recalls = StudyFactors.Select(r =>
                {
                    double found = 0;
                    for (var q = 0; q < queries.Length; q++)
                    {
                        var count = searcher.SearchCodes(queries[q], probes, k, k * r, ids);
                        for (var i = 0; i < count; i++)
                        {
                            if (truth[q].Contains(ids[i])) found++;
                        }
                    }
                    return found / (queries.Length * (double)k);
                }).ToArray();
                log.WriteLine(string.Create(Invariant, $"| {scheme} | {clip} | {error / norm:E2} | {recalls[0]:F4} | {recalls[1]:F4} | {recalls[2]:F4} |"));
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
