using System.Diagnostics;
using System.Globalization;
using Werkly.VectorIndex;

namespace Werkly.VectorIndex.AnnBench;

/// <summary>
/// Searches while an automatic retrain runs (docs/BENCHMARKS.md, "Search during an automatic retrain"): searchers (one
/// per core) query trained companies; a writer then doubles another company in one upsert, which retrains its lists
/// (k-means, assignment, codes, calibration) before the upsert returns. Search throughput during that upsert is compared
/// with the throughput of the same searchers just before it, at each <see cref="WerklyIndexOptions.CommitPriority"/>
/// (the priority automatic retrains are built at), the priorities alternating round by round.
/// </summary>
internal static class RetrainLoad
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public sealed record Settings
    {
        public int Companies { get; init; } = 8;
        public int PerCompany { get; init; } = 25_000;
        public int Growing { get; init; } = 50_000;
        public int Dimensions { get; init; } = 384;
        public int Searchers { get; init; } = Environment.ProcessorCount;
        public int Rounds { get; init; } = 3;
        public double QuietSeconds { get; init; } = 5;
        public ThreadPriority[] Priorities { get; init; } = [ThreadPriority.Normal, ThreadPriority.BelowNormal];
    }

    public static int Run(Settings settings, TextWriter log)
    {
        log.WriteLine($"# search during an automatic retrain — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {EngineComparison.LoadAverage()}");
        log.WriteLine(string.Create(Invariant, $"{settings.Companies} searched companies x {settings.PerCompany} x {settings.Dimensions}, {settings.Searchers} searchers; a company of {settings.Growing / 2} rows doubled to {settings.Growing} in one upsert (its automatic retrain); priorities {string.Join(", ", settings.Priorities)}, {settings.Rounds} rounds"));
        var random = new Random(17);
        var centres = Enumerable.Range(0, 2000).Select(_ => Unit(Gaussian(random, settings.Dimensions, 1f))).ToArray();
        float[] Draw()
        {
            var v = Gaussian(random, settings.Dimensions, 0.3f);
            var centre = centres[random.Next(centres.Length)];
            for (var d = 0; d < v.Length; d++) v[d] += centre[d];
            return Unit(v);
        }
        var searched = Enumerable.Range(0, settings.Companies).Select(c => Enumerable.Range(0, settings.PerCompany).Select(i => new VectorRecord($"r{i}", Draw())).ToArray()).ToArray();
        var growing = Enumerable.Range(0, settings.Growing).Select(i => new VectorRecord($"g{i}", Draw())).ToArray();
        var queries = Enumerable.Range(0, 1024).Select(_ => Draw()).ToArray();

        var rows = new List<(ThreadPriority Priority, double Baseline, double During, double Seconds, double P99Ratio)>();
        for (var round = 0; round < settings.Rounds; round++)
        {
            foreach (var priority in round % 2 == 0 ? settings.Priorities : [.. settings.Priorities.Reverse()])
            {
                using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = settings.Dimensions, CommitPriority = priority });
                for (var c = 0; c < settings.Companies; c++) index.Upsert($"c{c}", searched[c]);
                index.Upsert("growing", growing[..(settings.Growing / 2)]);
                for (var i = 0; i < 200; i++) index.Search($"c{i % settings.Companies}", queries[i], 10);

                using var stop = new CancellationTokenSource();
                var samples = Enumerable.Range(0, settings.Searchers).Select(_ => new List<(long At, double Ms)>(1 << 16)).ToArray();
                var threads = Enumerable.Range(0, settings.Searchers).Select(s => new Thread(() =>
                {
                    var r = new Random(s);
                    while (!stop.IsCancellationRequested)
                    {
                        var start = Stopwatch.GetTimestamp();
                        index.Search($"c{r.Next(settings.Companies)}", queries[r.Next(queries.Length)], 10);
                        samples[s].Add((start, Stopwatch.GetElapsedTime(start).TotalMilliseconds));
                    }
                }) { IsBackground = true }).ToArray();
                foreach (var thread in threads) thread.Start();
                var quietStart = Stopwatch.GetTimestamp();
                Thread.Sleep(TimeSpan.FromSeconds(settings.QuietSeconds));
                var writeStart = Stopwatch.GetTimestamp();
                index.Upsert("growing", growing[(settings.Growing / 2)..]);
                var writeEnd = Stopwatch.GetTimestamp();
                stop.Cancel();
                foreach (var thread in threads) thread.Join();
                if (index.GetStatistics("growing").TrainedAtCount != settings.Growing)
                    throw new InvalidOperationException($"the upsert did not retrain (trained at {index.GetStatistics("growing").TrainedAtCount})");

                var all = samples.SelectMany(s => s).ToArray();
                var quiet = all.Where(s => s.At >= quietStart && s.At < writeStart).ToArray();
                var during = all.Where(s => s.At >= writeStart && s.At < writeEnd).ToArray();
                var quietSeconds = Stopwatch.GetElapsedTime(quietStart, writeStart).TotalSeconds;
                var writeSeconds = Stopwatch.GetElapsedTime(writeStart, writeEnd).TotalSeconds;
                var baseline = quiet.Length / quietSeconds;
                var throughput = during.Length / writeSeconds;
                var p99Ratio = P99(during) / P99(quiet);
                rows.Add((priority, baseline, throughput, writeSeconds, p99Ratio));
                log.WriteLine(string.Create(Invariant,
                    $"round {round + 1} {priority,-11} upsert with retrain {writeSeconds:F2} s; searches/s {baseline:F0} before, {throughput:F0} during (ratio {throughput / baseline:F2}); p99 {P99(quiet):F2} -> {P99(during):F2} ms (ratio {p99Ratio:F2})"));
            }
        }
        log.WriteLine();
        log.WriteLine("| priority | upsert with retrain, median s | searches/s during / before, median | p99 during / before, median |");
        log.WriteLine("|---|---:|---:|---:|");
        foreach (var group in rows.GroupBy(r => r.Priority))
        {
            log.WriteLine(string.Create(Invariant,
                $"| {group.Key} | {Median(group.Select(r => r.Seconds)):F2} | {Median(group.Select(r => r.During / r.Baseline)):F2} | {Median(group.Select(r => r.P99Ratio)):F2} |"));
        }
        log.WriteLine($"load at end {EngineComparison.LoadAverage()}");
        return 0;
    }

    private static double P99((long At, double Ms)[] samples)
    {
        if (samples.Length == 0) return double.NaN;
        var sorted = samples.Select(s => s.Ms).Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))];
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static float[] Gaussian(Random random, int dimensions, float scale)
    {
        var v = new float[dimensions];
        for (var d = 0; d < dimensions; d++)
            v[d] = scale * (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return v;
    }

    private static float[] Unit(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        for (var d = 0; d < v.Length; d++) v[d] /= norm;
        return v;
    }
}
