using System.Diagnostics;
using System.Globalization;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.CrashTest;

/// <summary>The outcome of a kill loop.</summary>
internal sealed record KillLoopResult(int Kills, int Matched, long BatchesCommitted, int UnackedCommitsFound, IReadOnlyList<string> Failures, TimeSpan Elapsed, string Unit = "batches")
{
    public bool Success => Failures.Count == 0 && Matched == Kills;

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"{(Success ? "PASS" : "FAIL")}: {Matched}/{Kills} reopens matched, {BatchesCommitted} {Unit} durable, {UnackedCommitsFound} landed before their ack, {Failures.Count} failures, {Elapsed.TotalSeconds:F1} s");
}

/// <summary>
/// Runs a writer child process that commits <see cref="CrashWorkload"/> batches in a loop, SIGKILLs it at a random
/// moment, reopens the directory and checks that it holds exactly the batches whose commit returned (every acked
/// batch; the one in flight may or may not have landed), compared row by row against an independent model.
/// </summary>
internal static class KillLoop
{
    public static KillLoopResult Run(string directory, int kills, long seed, int maxDelayMs, Action<string>? log = null)
    {
        var clock = Stopwatch.StartNew();
        var rng = new Random(unchecked((int)seed));
        var failures = new List<string>();
        var model = new StoreModel();
        long modelBatch = -1;
        long verifiedBatch = -1;
        int matched = 0, unacked = 0;
        Directory.CreateDirectory(directory);

        for (int kill = 0; kill < kills && failures.Count < 5; kill++)
        {
            var (acked, failure) = ChildProcess.RunUntilKilled("child", directory, seed, "committed ", verifiedBatch, rng, maxDelayMs);
            if (failure is not null)
            {
                failures.Add($"kill {kill}: {failure}");
                continue;
            }
            try
            {
                using var store = IndexDirectory.Open(FileStorageDevice.Instance, directory);
                using var snapshot = store.OpenSnapshot();
                long found = CrashWorkload.BatchOf(snapshot);
                if (found < acked || found > acked + 1)
                {
                    failures.Add($"kill {kill}: the store holds batches up to {found} but commits up to {acked} had returned.");
                    continue;
                }
                if (found == acked + 1) unacked++;
                for (long b = modelBatch + 1; b <= found; b++) model.Apply(CrashWorkload.Generate(model, seed, b), CrashWorkload.Dimensions);
                modelBatch = found;
                string expected = model.Describe();
                string actual = StoreModel.Read(snapshot).Describe();
                if (!string.Equals(expected, actual, StringComparison.Ordinal))
                {
                    failures.Add($"kill {kill}: content after batch {found} differs from the model: {FirstDifference(expected, actual)}");
                    continue;
                }
                verifiedBatch = found;
                matched++;
                log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"kill {kill + 1}/{kills}: batch {found} (acked {acked}) matched"));
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                failures.Add($"kill {kill}: reopening failed: {ex}");
            }
        }
        return new KillLoopResult(kills, matched, verifiedBatch + 1, unacked, failures, clock.Elapsed);
    }

    /// <summary>The child side: commit batches forever, printing "committed N" after each commit returns.</summary>
    public static int RunChild(string directory, long seed)
    {
        var store = ChildProcess.OpenWhenUnlocked(() => IndexDirectory.Open(FileStorageDevice.Instance, directory));
        StoreModel model;
        long batch;
        using (var snapshot = store.OpenSnapshot())
        {
            model = StoreModel.Read(snapshot);
            batch = CrashWorkload.BatchOf(snapshot);
        }
        var output = Console.Out;
        output.WriteLine($"ready {batch}");
        output.Flush();
        while (true)
        {
            batch++;
            var ops = CrashWorkload.Generate(model, seed, batch);
            store.Commit(CrashWorkload.ToChanges(ops), CrashWorkload.CommitDataFor(batch));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"committed {batch}"));
            output.Flush();
            model.Apply(ops, CrashWorkload.Dimensions);
        }
    }

    /// <summary>The first line where two descriptions differ, each cut to <paramref name="maxLineChars"/> characters, for failure messages.</summary>
    public static string FirstDifference(string expected, string actual, int maxLineChars = int.MaxValue)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string x = i < e.Length ? e[i] : "<end>";
            string y = i < a.Length ? a[i] : "<end>";
            if (x != y) return $"line {i}: expected '{x[..Math.Min(maxLineChars, x.Length)]}' but found '{y[..Math.Min(maxLineChars, y.Length)]}'";
        }
        return "(no line differs)";
    }
}
