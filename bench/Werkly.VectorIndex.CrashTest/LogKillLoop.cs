using System.Diagnostics;
using System.Globalization;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.CrashTest;

/// <summary>
/// The write-ahead-log variant of the kill loop: the child appends one upsert at a time with
/// <see cref="IndexDirectory.AppendLog"/> (printing "logged N" after each returns) and every 40 appends commits the
/// pending records as a segment. After each SIGKILL the committed segments plus the replayed log must hold exactly the
/// records doc-0 … doc-m with m the last acked append or the one after it, each with its exact vector.
/// </summary>
internal static class LogKillLoop
{
    public const int Dimensions = 12;
    private const int CommitEvery = 40;

    public static KillLoopResult Run(string directory, int kills, long seed, int maxDelayMs, Action<string>? log = null)
    {
        var clock = Stopwatch.StartNew();
        var rng = new Random(unchecked((int)seed));
        var failures = new List<string>();
        long verified = -1;
        int matched = 0, unacked = 0;
        Directory.CreateDirectory(directory);
        for (int kill = 0; kill < kills && failures.Count < 5; kill++)
        {
            var (acked, failure) = ChildProcess.RunUntilKilled("log-child", directory, seed, "logged ", verified, rng, maxDelayMs);
            if (failure is not null)
            {
                failures.Add($"kill {kill}: {failure}");
                continue;
            }
            try
            {
                using var store = IndexDirectory.Open(FileStorageDevice.Instance, directory);
                var found = Contents(store);
                long top = found.Count - 1;
                string? problem = null;
                if (top < acked || top > acked + 1) problem = $"the store holds doc-0..doc-{top} but appends up to {acked} had returned";
                for (int i = 0; i < found.Count && problem is null; i++)
                {
                    if (!found.TryGetValue($"doc-{i}", out var vector)) problem = $"doc-{i} is missing";
                    else if (!vector.AsSpan(0, Dimensions).SequenceEqual(VectorOf(seed, i))) problem = $"doc-{i} has a wrong vector";
                }
                if (problem is not null)
                {
                    failures.Add($"kill {kill}: {problem}");
                    continue;
                }
                if (top == acked + 1) unacked++;
                verified = top;
                matched++;
                log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"kill {kill + 1}/{kills}: doc-0..doc-{top} (acked {acked}, {store.PendingLog.Count} from the log) matched"));
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                failures.Add($"kill {kill}: reopening failed: {ex}");
            }
        }
        return new KillLoopResult(kills, matched, verified + 1, unacked, failures, clock.Elapsed, "logged upserts");
    }

    public static int RunChild(string directory, long seed)
    {
        var store = ChildProcess.OpenWhenUnlocked(() => IndexDirectory.Open(FileStorageDevice.Instance, directory));
        long next = Contents(store).Count;
        long segmentId;
        using (var snapshot = store.OpenSnapshot())
            segmentId = snapshot.Companies.Count == 0 ? 0 : snapshot.Companies[0].Segments.Max(s => s.SegmentId) + 1;
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        while (true)
        {
            string key = string.Create(CultureInfo.InvariantCulture, $"doc-{next}");
            store.AppendLog([LogRecord.Upsert("acme", key, VectorOf(seed, next), new Dictionary<string, MetadataValue> { ["n"] = next })]);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"logged {next}"));
            Console.Out.Flush();
            next++;
            if (store.PendingLog.Count >= CommitEvery)
            {
                var pending = store.PendingLog;
                var rows = pending.Select(r => r.Vector!.Value.ToArray()).ToList();
                store.Commit([new CompanyChange("acme")
                {
                    AddedSegments = [new SegmentImage(segmentId++, Dimensions, ArrayInvertedLists.RoundRobin(Dimensions, 2, rows),
                        pending.Select(r => r.Key!).ToList(), pending.Select(r => r.Metadata).ToList())],
                }]);
            }
        }
    }

    /// <summary>Key → vector over the committed segments plus the pending log.</summary>
    public static Dictionary<string, float[]> Contents(IndexDirectory store)
    {
        var found = new Dictionary<string, float[]>(StringComparer.Ordinal);
        using (var snapshot = store.OpenSnapshot())
        {
            foreach (var (key, vector) in StoreModel.Read(snapshot).Companies.Values.SelectMany(c => c.LiveRows()).Select(x => (x.Segment.Rows[x.Row].Key, x.Segment.Rows[x.Row].Vector)))
                if (!found.TryAdd(key, vector)) throw new InvalidOperationException($"{key} is stored twice.");
        }
        foreach (var record in store.PendingLog)
            if (!found.TryAdd(record.Key!, record.Vector!.Value.ToArray())) throw new InvalidOperationException($"{record.Key} is both committed and pending.");
        return found;
    }

    public static float[] VectorOf(long seed, long i)
    {
        var rng = new Random(unchecked((int)(seed * 31 + i)));
        return Enumerable.Range(0, Dimensions).Select(_ => (float)rng.NextDouble()).ToArray();
    }
}

/// <summary>Starting and killing the tool itself as a child process.</summary>
internal static class ChildProcess
{
    public static Process Start(string mode, string directory, long seed, params string[] extra)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var command = Command();
        start.FileName = command[0];
        foreach (string arg in command.Skip(1).Concat([mode, "--dir", directory, "--seed", seed.ToString(CultureInfo.InvariantCulture)]).Concat(extra))
            start.ArgumentList.Add(arg);
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the crash-test child.");
    }

    /// <summary>Runs <paramref name="command"/> (program, then arguments) to its end, killing it after
    /// <paramref name="timeout"/> (exit code -1 then); returns its exit code and output.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunToEnd(IReadOnlyList<string> command, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in command.Skip(1)) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command[0]}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        bool finished = process.WaitForExit(timeout);
        if (!finished) Kill(process);
        process.WaitForExit();
        return (finished ? process.ExitCode : -1, stdout.Result, finished ? stderr.Result : $"killed after {timeout}\n{stderr.Result}");
    }

    /// <summary>The command line that starts this tool: its apphost, or the dotnet host and its dll.</summary>
    public static IReadOnlyList<string> Command()
    {
        string dll = typeof(ChildProcess).Assembly.Location;
        string apphost = Path.ChangeExtension(dll, OperatingSystem.IsWindows() ? ".exe" : null);
        if (File.Exists(apphost)) return [apphost];
        string? processPath = Environment.ProcessPath;
        string host = processPath is not null && Path.GetFileNameWithoutExtension(processPath) == "dotnet"
            ? processPath
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return [host, dll];
    }

    /// <summary>
    /// Starts a child in <paramref name="mode"/>, waits for its "ready" line, lets it run for a random delay, SIGKILLs
    /// it, and returns the last number it acknowledged with a line starting with <paramref name="ackPrefix"/>
    /// (<paramref name="previousAck"/> when none), or a failure description.
    /// </summary>
    /// <remarks>Every other kill (chosen at random) first waits for the child's first acknowledgement, then for the
    /// random delay: on a loaded machine a child can be starved for longer than any fixed delay, and kills that all
    /// land before the first write would test nothing. The other kills may land anywhere, start-up included.</remarks>
    public static (long Acked, string? Failure) RunUntilKilled(string mode, string directory, long seed, string ackPrefix,
        long previousAck, Random rng, int maxDelayMs)
    {
        long lastAcked = previousAck;
        using var progressed = new ManualResetEventSlim();
        var failure = RunUntilKilled(mode, directory, seed, line =>
        {
            if (!line.StartsWith(ackPrefix, StringComparison.Ordinal)) return;
            Interlocked.Exchange(ref lastAcked, long.Parse(line.AsSpan(ackPrefix.Length), CultureInfo.InvariantCulture));
            progressed.Set();
        }, rng, maxDelayMs, rng.Next(2) == 0 ? progressed : null);
        return failure is null ? (Interlocked.Read(ref lastAcked), null) : (previousAck, failure);
    }

    /// <summary>
    /// Starts a child in <paramref name="mode"/> (with <paramref name="extra"/> arguments), waits for its "ready" line,
    /// lets it run for a random delay and SIGKILLs it, passing every other line it printed to <paramref name="onLine"/>
    /// (called on another thread). Returns null, or a failure description.
    /// </summary>
    public static string? RunUntilKilled(string mode, string directory, long seed, Action<string> onLine, Random rng, int maxDelayMs, params string[] extra) =>
        RunUntilKilled(mode, directory, seed, onLine, rng, maxDelayMs, progress: null, extra);

    /// <summary>As above; when <paramref name="progress"/> is given, the random delay starts once it is set (or after
    /// 60 s, when the child is reported as making no progress).</summary>
    public static string? RunUntilKilled(string mode, string directory, long seed, Action<string> onLine, Random rng, int maxDelayMs,
        ManualResetEventSlim? progress, params string[] extra)
    {
        using var ready = new ManualResetEventSlim();
        var errors = new System.Text.StringBuilder();
        using var child = Start(mode, directory, seed, extra);
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            if (e.Data.StartsWith("ready", StringComparison.Ordinal)) ready.Set();
            else onLine(e.Data);
        };
        child.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (errors) errors.AppendLine(e.Data);
        };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        if (!ready.Wait(TimeSpan.FromSeconds(60)) || child.HasExited)
        {
            child.WaitForExit(5000);
            Kill(child);
            lock (errors) return $"the child did not start: {errors}";
        }
        if (progress is not null && !progress.Wait(TimeSpan.FromSeconds(60)) && !child.HasExited)
        {
            Kill(child);
            child.WaitForExit();
            lock (errors) return $"the child acknowledged nothing within 60 s of starting: {errors}";
        }
        Thread.Sleep(rng.Next(maxDelayMs + 1));
        var exitedByItself = child.HasExited;
        Kill(child);
        child.WaitForExit();
        if (exitedByItself)
            lock (errors) return $"the child exited by itself (code {child.ExitCode}): {errors}";
        return null;
    }

    /// <summary>The child side: opens with <paramref name="open"/>, retrying for up to 5 s while the killed
    /// predecessor's write lock is still held.</summary>
    public static T OpenWhenUnlocked<T>(Func<T> open)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return open();
            }
            catch (IndexLockedException) when (attempt < 100)
            {
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>SIGKILL on Unix (TerminateProcess on Windows).</summary>
    public static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
