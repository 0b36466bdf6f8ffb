using System.Diagnostics;
using System.Globalization;
using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.AnnBench;

/// <summary>
/// Search under writes (issue 13): a committed index of <c>companies × perCompany</c> clustered 384-d vectors with
/// Cranfield texts; searchers (vector, and hybrid on one of them) run alone for a phase, then beside a paced writer
/// (upserts of new and existing keys to random companies) and a commit every interval. Reports per phase and mode
/// p50/p95/p99 and throughput, the throughput inside commit windows, commit durations, GC pauses and the achieved write
/// rate. The two phases run in one process on the same index, so their ratios hold on a noisy machine.
/// </summary>
internal static class MixedLoad
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public sealed record Settings
    {
        public required string Directory { get; init; }
        public int Companies { get; init; } = 20;
        public int PerCompany { get; init; } = 10_000;
        public int Dimensions { get; init; } = 384;
        public int Searchers { get; init; } = 4;
        public int HybridSearchers { get; init; } = 1;
        public int UpsertsPerSecond { get; init; } = 1000;
        public int WriteBatch { get; init; } = 10;
        public int CommitIntervalMs { get; init; } = 2000;
        public int Seconds { get; init; } = 30;
        public int Rounds { get; init; } = 1;
        /// <summary>One write phase per priority in each round (alternating order between rounds), each compared with the
        /// round's no-write phase.</summary>
        public ThreadPriority[] CommitPriorities { get; init; } = [ThreadPriority.BelowNormal];
    }

    private sealed class Recorder
    {
        public readonly List<(long At, double Ms)> Vector = [];
        public readonly List<(long At, double Ms)> Hybrid = [];
    }

    public static int Run(Settings settings, TextWriter log)
    {
        log.WriteLine($"# mixed load — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {EngineComparison.LoadAverage()}, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} {System.Runtime.GCSettings.LatencyMode}");
        log.WriteLine(string.Create(Invariant, $"{settings.Companies} companies x {settings.PerCompany} x {settings.Dimensions}, {settings.Searchers} searchers ({settings.HybridSearchers} hybrid), writer {settings.UpsertsPerSecond} upserts/s in batches of {settings.WriteBatch}, commit every {settings.CommitIntervalMs} ms, phases of {settings.Seconds} s, commit priorities {string.Join(", ", settings.CommitPriorities)}"));
        var dataset = BeirDataset.Load(FindCranfield());
        var texts = dataset.Corpus.Select(d => (d.Title, d.Text)).ToArray();
        var queryTexts = dataset.Queries.Select(q => q.Text).ToArray();
        var generator = new VectorSource(seed: 11, settings.Dimensions, centres: settings.Companies * 100);
        if (System.IO.Directory.Exists(settings.Directory)) System.IO.Directory.Delete(settings.Directory, recursive: true);
        var options = new WerklyIndexOptions { Dimensions = settings.Dimensions };
        var watch = Stopwatch.StartNew();
        using (var builder = WerklyIndex.Open(settings.Directory, options))
        {
            for (var company = 0; company < settings.Companies; company++)
            {
                var records = new VectorRecord[settings.PerCompany];
                for (var i = 0; i < records.Length; i++)
                {
                    var (title, text) = texts[(company * 7919 + i) % texts.Length];
                    records[i] = new VectorRecord($"r{i}", generator.Draw()) { Title = title, Text = text };
                }
                builder.Upsert(Company(company), records);
            }
            builder.Commit();
        }
        log.WriteLine(string.Create(Invariant, $"built and committed in {watch.Elapsed.TotalSeconds:F1} s; {EngineComparison.Rss()}"));

        using var index = WerklyIndex.Open(settings.Directory, options);
        var queries = Enumerable.Range(0, 1024).Select(_ => generator.Draw()).ToArray();
        // Warm every company (keyword side, maps) so neither phase pays a first load.
        for (var company = 0; company < settings.Companies; company++)
        {
            index.Search(Company(company), new SearchQuery { Text = queryTexts[company], Vector = queries[company], Top = 10 });
        }
        // Allocation per search, one thread (deterministic, unlike the latencies): what drives the GCs of the phases.
        foreach (var hybrid in new[] { false, true })
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 200; i++)
            {
                var query = hybrid
                    ? new SearchQuery { Text = queryTexts[i % queryTexts.Length], Vector = queries[i], Top = 10 }
                    : new SearchQuery { Mode = SearchMode.Vector, Vector = queries[i], Top = 10 };
                index.Search(Company(i % settings.Companies), query);
            }
            log.WriteLine(string.Create(Invariant, $"{(hybrid ? "hybrid" : "vector")} search allocates {(GC.GetAllocatedBytesForCurrentThread() - before) / 200 / 1024.0:F1} KB (mean of 200, this thread)"));
        }
        // The writer's vectors are drawn before the phases (the generator's log/cos per dimension would otherwise be
        // charged to the write path), and the write and commit paths run once so no phase pays their JIT.
        var batches = new WriteBatches(settings, generator);
        var warm = new Random(3);
        for (var i = 0; i < 20; i++) index.Upsert(Company(i % settings.Companies), batches.Next(warm));
        index.Commit();
        // Each write phase sits between two no-write phases and is compared with both pooled: the index grows with the
        // writes (half are new keys) and the machine's load drifts, so a no-write phase measured only before would
        // flatter the baseline.
        var quiet = RunPhase(index, settings, queries, queryTexts, null, null, log);
        for (var round = 0; round < settings.Rounds; round++)
        {
            var priorities = round % 2 == 0 ? settings.CommitPriorities : [.. settings.CommitPriorities.Reverse()];
            foreach (var priority in priorities)
            {
                var loaded = RunPhase(index, settings, queries, queryTexts, batches, priority, log);
                var after = RunPhase(index, settings, queries, queryTexts, null, null, log);
                Compare(Pool(quiet, after), loaded, log);
                quiet = after;
            }
        }
        log.WriteLine($"load at end {EngineComparison.LoadAverage()}; {EngineComparison.Rss()}");
        return 0;
    }

    private static string Company(int i) => $"company-{i:D2}";

    private sealed record PhaseResult(string Name, double Seconds, Recorder Searches, List<(long Start, long End)> Commits, List<CommitProfile> Profiles, long Upserts,
        TimeSpan GcPause, int Gen0, int Gen1, int Gen2, double CpuCores, double CommitCpuCores, double CommitGcPauseMs);

    private static PhaseResult RunPhase(WerklyIndex index, Settings settings, float[][] queries, string[] queryTexts, WriteBatches? batches, ThreadPriority? priority,
        TextWriter log)
    {
        var writes = batches is not null;
        if (priority is { } p) index.SetCommitPriority(p);
        var name = writes ? $"with writes, commit priority {priority}" : "no writes";
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        double commitCpuSeconds = 0, commitGcPauseMs = 0;
        using var stop = new CancellationTokenSource();
        var recorders = Enumerable.Range(0, settings.Searchers).Select(_ => new Recorder()).ToArray();
        var commits = new List<(long Start, long End)>();
        var profiles = new List<CommitProfile>();
        long upserts = 0;
        var pauseBefore = GC.GetTotalPauseDuration();
        var (gen0Before, gen1Before, gen2Before) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var begin = Stopwatch.GetTimestamp();
        var threads = new List<Thread>();
        for (var s = 0; s < settings.Searchers; s++)
        {
            var searcher = s;
            threads.Add(new Thread(() =>
            {
                var random = new Random(100 + searcher);
                var recorder = recorders[searcher];
                var hybrid = searcher < settings.HybridSearchers;
                while (!stop.IsCancellationRequested)
                {
                    var company = Company(random.Next(settings.Companies));
                    var q = random.Next(queries.Length);
                    var query = hybrid
                        ? new SearchQuery { Text = queryTexts[q % queryTexts.Length], Vector = queries[q], Top = 10 }
                        : new SearchQuery { Mode = SearchMode.Vector, Vector = queries[q], Top = 10 };
                    var start = Stopwatch.GetTimestamp();
                    index.Search(company, query);
                    var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    (hybrid ? recorder.Hybrid : recorder.Vector).Add((start, ms));
                }
            }) { Name = $"searcher {searcher}" });
        }
        if (batches is not null)
        {
            threads.Add(new Thread(() =>
            {
                // Paced: batch i is due at begin + i × batch period; a late writer catches up without sleeping.
                var period = settings.WriteBatch / (double)settings.UpsertsPerSecond;
                var random = new Random(7);
                for (var i = 0L; !stop.IsCancellationRequested; i++)
                {
                    var due = begin + (long)(i * period * Stopwatch.Frequency);
                    var wait = due - Stopwatch.GetTimestamp();
                    if (wait > 0) Thread.Sleep(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency));
                    var company = random.Next(settings.Companies);
                    index.Upsert(Company(company), batches.Next(random));
                    Interlocked.Add(ref upserts, settings.WriteBatch);
                }
            }) { Name = "writer" });
            threads.Add(new Thread(() =>
            {
                // Paced start to start, like the writer: commit i is due at begin + (i + 1) × interval, so a slower
                // (lowered) commit does not also make commits rarer; a late commit starts at once.
                for (var i = 1L; ; i++)
                {
                    var wait = begin + (long)(i * settings.CommitIntervalMs / 1000.0 * Stopwatch.Frequency) - Stopwatch.GetTimestamp();
                    if (stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(Math.Max(0, wait) / (double)Stopwatch.Frequency))) break;
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var pause = GC.GetTotalPauseDuration();
                    var start = Stopwatch.GetTimestamp();
                    index.Commit();
                    var end = Stopwatch.GetTimestamp();
                    commitCpuSeconds += (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                    commitGcPauseMs += (GC.GetTotalPauseDuration() - pause).TotalMilliseconds;
                    lock (commits)
                    {
                        commits.Add((start, end));
                        if (index.LastCommitProfile is { } profile) profiles.Add(profile);
                    }
                }
            }) { Name = "committer" });
        }
        foreach (var thread in threads) thread.Start();
        Thread.Sleep(TimeSpan.FromSeconds(settings.Seconds));
        stop.Cancel();
        foreach (var thread in threads) thread.Join();
        var seconds = Stopwatch.GetElapsedTime(begin).TotalSeconds;
        process.Refresh();
        var commitSeconds = commits.Sum(c => (c.End - c.Start) / (double)Stopwatch.Frequency);
        var result = new PhaseResult(name, seconds, Merge(recorders), commits, profiles, upserts, GC.GetTotalPauseDuration() - pauseBefore,
            GC.CollectionCount(0) - gen0Before, GC.CollectionCount(1) - gen1Before, GC.CollectionCount(2) - gen2Before,
            (process.TotalProcessorTime - cpuBefore).TotalSeconds / seconds, commitSeconds > 0 ? commitCpuSeconds / commitSeconds : 0,
            commitSeconds > 0 ? commitGcPauseMs / commitSeconds / 10 : 0);
        Report(result, log);
        return result;
    }

    /// <summary>Two no-write phases as one (their samples and durations together).</summary>
    private static PhaseResult Pool(PhaseResult before, PhaseResult after) =>
        before with { Name = "no writes (before and after)", Seconds = before.Seconds + after.Seconds, Searches = Merge([before.Searches, after.Searches]) };

    private static Recorder Merge(Recorder[] recorders)
    {
        var all = new Recorder();
        foreach (var r in recorders)
        {
            all.Vector.AddRange(r.Vector);
            all.Hybrid.AddRange(r.Hybrid);
        }
        return all;
    }

    private static void Report(PhaseResult phase, TextWriter log)
    {
        log.WriteLine();
        log.WriteLine(string.Create(Invariant, $"## {phase.Name}: {phase.Seconds:F1} s, {phase.Upserts / phase.Seconds:F0} upserts/s, {phase.Commits.Count} commits, GC pause {phase.GcPause.TotalMilliseconds:F0} ms ({phase.GcPause.TotalMilliseconds / phase.Seconds / 10:F2}% of time), GCs gen0/1/2 {phase.Gen0}/{phase.Gen1}/{phase.Gen2}, process CPU {phase.CpuCores:F2} cores, load {EngineComparison.LoadAverage()}"));
        if (phase.Commits.Count > 0)
            log.WriteLine(string.Create(Invariant, $"inside commit windows: process CPU {phase.CommitCpuCores:F2} cores, GC pause {phase.CommitGcPauseMs:F2}% of the time"));
        foreach (var (mode, samples) in new[] { ("vector", phase.Searches.Vector), ("hybrid", phase.Searches.Hybrid) })
        {
            if (samples.Count == 0) continue;
            var ms = samples.Select(s => s.Ms).Order().ToArray();
            var inCommit = samples.Count(s => phase.Commits.Any(c => s.At >= c.Start && s.At < c.End));
            var commitSeconds = phase.Commits.Sum(c => (c.End - c.Start) / (double)Stopwatch.Frequency);
            log.WriteLine(string.Create(Invariant,
                $"{mode}: {samples.Count / phase.Seconds:F0}/s, p50 {P(ms, 0.50):F3} ms, p95 {P(ms, 0.95):F3} ms, p99 {P(ms, 0.99):F3} ms, max {ms[^1]:F1} ms") +
                (commitSeconds > 0 ? string.Create(Invariant, $"; during commits ({commitSeconds:F1} s) {inCommit / commitSeconds:F0}/s") : ""));
        }
        if (phase.Commits.Count > 0)
        {
            var durations = phase.Commits.Select(c => (c.End - c.Start) * 1000.0 / Stopwatch.Frequency).Order().ToArray();
            log.WriteLine(string.Create(Invariant, $"commits: p50 {P(durations, 0.5):F0} ms, max {durations[^1]:F0} ms"));
            double Median(Func<CommitProfile, TimeSpan> part) => P([.. phase.Profiles.Select(p => part(p).TotalMilliseconds).Order()], 0.5);
            if (phase.Profiles.Count > 0)
                log.WriteLine(string.Create(Invariant,
                    $"commit phases (median ms): merges {Median(p => p.Merges):F0} ({phase.Profiles.Sum(p => p.MergedCompanies)} company merges in all), freeze {Median(p => p.Freeze):F1}, write + fsync {Median(p => p.Write):F0}, swap {Median(p => p.Swap):F1}"));
        }
    }

    private static void Compare(PhaseResult quiet, PhaseResult loaded, TextWriter log)
    {
        log.WriteLine();
        foreach (var mode in new[] { "vector", "hybrid" })
        {
            var q = (mode == "vector" ? quiet.Searches.Vector : quiet.Searches.Hybrid).Select(s => s.Ms).Order().ToArray();
            var l = mode == "vector" ? loaded.Searches.Vector : loaded.Searches.Hybrid;
            if (q.Length == 0 || l.Count == 0) continue;
            var lm = l.Select(s => s.Ms).Order().ToArray();
            var commitSeconds = loaded.Commits.Sum(c => (c.End - c.Start) / (double)Stopwatch.Frequency);
            var inCommit = l.Count(s => loaded.Commits.Any(c => s.At >= c.Start && s.At < c.End));
            var quietRate = q.Length / quiet.Seconds;
            log.WriteLine(string.Create(Invariant,
                $"{mode} ({loaded.Name} vs no writes before and after): p99 {P(lm, 0.99):F2} vs {P(q, 0.99):F2} ms (ratio {P(lm, 0.99) / P(q, 0.99):F2}, target <= 2); throughput {l.Count / loaded.Seconds / quietRate:F2} of no-write") +
                (commitSeconds > 0 ? string.Create(Invariant, $", during commits {inCommit / commitSeconds / quietRate:F2} (target >= 0.80)") : ""));
        }
    }

    private static double P(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))];

    private static string FindCranfield()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Werkly.VectorIndex.sln"))) root = root.Parent;
        return Path.Combine(root?.FullName ?? throw new InvalidOperationException("repository root not found"), "tests", "data", "cranfield");
    }

    /// <summary>Write batches: half new keys, half replacements of existing ones (which delete a row of a segment). The
    /// vectors come from a pool drawn up front (the index copies what it stores, so reusing them is safe).</summary>
    private sealed class WriteBatches(Settings settings, VectorSource generator)
    {
        private readonly float[][] _pool = [.. Enumerable.Range(0, 8192).Select(_ => generator.Draw())];
        private long _next;

        public VectorRecord[] Next(Random random)
        {
            var batch = new VectorRecord[settings.WriteBatch];
            for (var i = 0; i < batch.Length; i++)
            {
                var key = random.Next(2) == 0 ? $"r{random.Next(settings.PerCompany)}" : $"n{Interlocked.Increment(ref _next)}";
                batch[i] = new VectorRecord(key, _pool[random.Next(_pool.Length)]) { Text = $"new text {key} written under load" };
            }
            return batch;
        }
    }

    /// <summary>Clustered unit vectors (thread-safe: one writer and the set-up draw from it).</summary>
    private sealed class VectorSource
    {
        private readonly Random _random;
        private readonly float[][] _centres;
        private readonly Lock _gate = new();
        private readonly int _dimensions;

        public VectorSource(int seed, int dimensions, int centres)
        {
            _random = new Random(seed);
            _dimensions = dimensions;
            _centres = [.. Enumerable.Range(0, centres).Select(_ => Unit(Gaussian(1f)))];
        }

        public float[] Draw()
        {
            lock (_gate)
            {
                var centre = _centres[_random.Next(_centres.Length)];
                var noise = Gaussian(0.05f);
                for (var d = 0; d < noise.Length; d++) noise[d] += centre[d];
                return Unit(noise);
            }
        }

        private float[] Gaussian(float scale)
        {
            var v = new float[_dimensions];
            for (var d = 0; d < v.Length; d++)
                v[d] = scale * (float)(Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble()));
            return v;
        }

        private static float[] Unit(float[] v)
        {
            var norm = MathF.Sqrt(v.Sum(x => x * x));
            for (var d = 0; d < v.Length; d++) v[d] /= norm;
            return v;
        }
    }
}
