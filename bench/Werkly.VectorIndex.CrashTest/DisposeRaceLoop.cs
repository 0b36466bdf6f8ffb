using System.Diagnostics;
using System.Globalization;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.CrashTest;

/// <summary>
/// Dispose racing searches and a writer (issue 10, defect 1: <c>Dispose</c> during searches crashed the process with an
/// AccessViolationException in 26 of 40 runs). Child processes each run iterations that open a committed index of
/// ~10,000 records (vectors, titles, texts, metadata, documents; trained lists; several mapped segments), start four
/// searching threads (vector, keyword and hybrid searches, record and key reads) and a writer (upserts, deletes,
/// document replacements, commits), sleep a random 0–100 ms and dispose the index. Every iteration must see: no crash
/// (the child's exit code is checked), the threads stop with <see cref="ObjectDisposedException"/> or finish normally
/// and never see anything else, <see cref="WerklyIndex.Dispose"/> returns without throwing, and the next iteration opens
/// the directory for writing at once (the LOCK was released).
/// </summary>
internal static class DisposeRaceLoop
{
    public const int Dimensions = 32;
    public const int Rows = 10_000;
    private const string Company = "acme";

    /// <summary>Lists are trained (the IVF scan path runs), and the fixture spans several mapped segments.</summary>
    public static readonly WerklyIndexOptions Options = new() { Dimensions = Dimensions, FlatSearchThreshold = 2_000, Lists = 24, TrainingIterations = 4 };

    private static readonly string[] Words = ["vacation", "expense", "laptop", "security", "parental", "travel", "holiday", "password", "office", "manager"];

    public static float[] Vector(long seed, int i)
    {
        var rng = new Random(unchecked((int)(seed * 7_919 + i)));
        var v = new float[Dimensions];
        for (var d = 0; d < Dimensions; d++) v[d] = (float)(rng.NextDouble() * 2 - 1);
        v[i % Dimensions] += 1.5f; // loose clusters, so the lists differ
        return v;
    }

    private static VectorRecord Record(string key, int i, long seed) =>
        new(key, Vector(seed, i), new Dictionary<string, MetadataValue> { ["n"] = i, ["tag"] = Words[i % Words.Length] })
        {
            Title = i % 3 == 0 ? $"{Words[i % Words.Length]} policy" : null,
            Text = $"{Words[i % Words.Length]} {Words[(i / 10) % Words.Length]} rules number w{i}z",
        };

    /// <summary>Writes the committed ~10k-row fixture (four commits: several segments) unless the directory holds one.</summary>
    public static void WriteFixture(string directory, long seed)
    {
        using var index = WerklyIndex.Open(directory, Options);
        if (index.ContainsCompany(Company)) return;
        for (var part = 0; part < 4; part++)
        {
            var records = Enumerable.Range(part * Rows / 4, Rows / 4).Select(i => Record($"r{i}", i, seed)).ToList();
            index.Upsert(Company, records);
            index.ReplaceDocuments(Company, [.. Enumerable.Range(part * 25, 25).Select(d => new DocumentUpdate($"doc{d}", "h0",
                [.. Enumerable.Range(0, 4).Select(c => Record($"doc{d}#{c}", 50_000 + d * 4 + c, seed))]))]);
            index.Commit();
        }
    }

    /// <summary>The parent: writes the fixture, then runs <paramref name="children"/> child processes one after another.</summary>
    public static DisposeRaceResult Run(string directory, int children, int iterations, long seed, Action<string>? log = null)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(directory);
        WriteFixture(directory, seed);
        var failures = new List<string>();
        int passed = 0;
        long stoppedByDispose = 0;
        long searches = 0, writes = 0;
        for (var child = 0; child < children; child++)
        {
            var lines = new List<string>();
            var errors = new List<string>();
            using var process = ChildProcess.Start("dispose-child", directory, seed + child, "--iterations", iterations.ToString(CultureInfo.InvariantCulture));
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null) lock (lines) lines.Add(e.Data);
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null) lock (errors) errors.Add(e.Data);
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            // A hang guard, not a timing assertion: a child that never finishes is a deadlock.
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                ChildProcess.Kill(process);
                failures.Add($"child {child} hung (killed after 5 minutes); its last lines: {string.Join(" | ", lines.TakeLast(3))}");
                continue;
            }
            process.WaitForExit();
            foreach (var line in lines)
            {
                if (line.StartsWith("ok ", StringComparison.Ordinal))
                {
                    passed++;
                    var parts = line.Split(' ');
                    searches += long.Parse(parts[2], CultureInfo.InvariantCulture);
                    writes += long.Parse(parts[3], CultureInfo.InvariantCulture);
                    stoppedByDispose += long.Parse(parts[4], CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("failure ", StringComparison.Ordinal))
                {
                    failures.Add($"child {child}: {line}");
                }
            }
            if (process.ExitCode != 0)
                failures.Add($"child {child} exited with code {process.ExitCode}{(process.ExitCode > 128 ? " (killed by a signal: a crash)" : "")}; stderr: {string.Join(" | ", errors.Take(20))}");
            log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"child {child + 1}/{children}: exit {process.ExitCode}, {passed} iterations passed so far"));
        }
        return new DisposeRaceResult(children * iterations, passed, stoppedByDispose, searches, writes, failures, clock.Elapsed);
    }

    /// <summary>The child: <paramref name="iterations"/> times open, race, dispose; per iteration "ok i searches writes
    /// threads-stopped-by-ObjectDisposedException", or "failure i …" lines.</summary>
    public static int RunChild(string directory, long seed, int iterations)
    {
        var rng = new Random(unchecked((int)seed));
        var failed = false;
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var problems = new List<string>();
            WerklyIndex index;
            try
            {
                index = WerklyIndex.Open(directory, Options); // no retry: the previous iteration must have released LOCK
            }
            catch (IndexLockedException ex)
            {
                Report($"failure {iteration}: the directory is still locked after Dispose: {ex.Message}");
                return 1;
            }

            using var stop = new CancellationTokenSource();
            long searches = 0, writes = 0;
            var disposedSeen = 0;
            var threads = new List<Thread>();
            for (var t = 0; t < 4; t++)
            {
                var reader = t;
                threads.Add(new Thread(() => Guard($"reader {reader}", problems, ref disposedSeen, () => ReadLoop(index, reader, seed, stop.Token, ref searches))));
            }
            threads.Add(new Thread(() => Guard("writer", problems, ref disposedSeen, () => WriteLoop(index, rng.Next(), seed, stop.Token, ref writes))));
            foreach (var thread in threads) thread.Start();

            Thread.Sleep(rng.Next(0, 101));
            try
            {
                index.Dispose();
            }
#pragma warning disable CA1031 // any exception from Dispose is the failure being tested for
            catch (Exception ex)
#pragma warning restore CA1031
            {
                lock (problems) problems.Add($"Dispose threw {ex}");
            }
            stop.Cancel(); // only for threads that finished a loop without meeting the disposed index
            foreach (var thread in threads)
            {
                if (!thread.Join(TimeSpan.FromMinutes(2))) lock (problems) problems.Add($"a thread did not stop within 2 minutes after Dispose");
            }
            if (problems.Count > 0)
            {
                failed = true;
                foreach (var problem in problems) Report($"failure {iteration}: {problem.ReplaceLineEndings(" ")}");
            }
            else
            {
                Report(string.Create(CultureInfo.InvariantCulture, $"ok {iteration} {Interlocked.Read(ref searches)} {Interlocked.Read(ref writes)} {Volatile.Read(ref disposedSeen)}"));
            }
        }
        return failed ? 1 : 0;
    }

    private static void Report(string line)
    {
        lock (Console.Out)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    /// <summary>Runs a thread's loop: <see cref="ObjectDisposedException"/> ends it (counted); anything else is a problem.</summary>
    private static void Guard(string name, List<string> problems, ref int disposedSeen, Action loop)
    {
        try
        {
            loop();
        }
        catch (ObjectDisposedException)
        {
            Interlocked.Increment(ref disposedSeen);
        }
#pragma warning disable CA1031 // every other exception is reported, whatever its type
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lock (problems) problems.Add($"{name} threw {ex}");
        }
    }

    /// <summary>Searches until the index is disposed: vector (span and array), keyword and hybrid, record and key reads.</summary>
    private static void ReadLoop(WerklyIndex index, int reader, long seed, CancellationToken stop, ref long searches)
    {
        var hits = new SearchHit[10];
        var vector = new float[Dimensions];
        var rng = new Random(reader);
        while (!stop.IsCancellationRequested)
        {
            var i = rng.Next(Rows);
            var query = Vector(seed, i);
            // Readers 0 and 1 scan vectors from the first moment (no key map or keyword load needed); 2 and 3 search
            // keywords, fuse, and read records, keys and documents (and so race Dispose against those loads too).
            var n = Interlocked.Increment(ref searches);
            switch (reader switch { 0 => 0, 1 => (int)(n % 2), 2 => 2 + (int)(n % 2), _ => 4 + (int)(n % 2) })
            {
                case 0:
                    var count = index.Search(Company, query, hits);
                    for (var h = 0; h < count; h++) _ = hits[h].Metadata?.Count;
                    break;
                case 1:
                    foreach (var hit in index.Search(Company, query, 20, new SearchOptions { Probes = 4, Filter = (_, m) => m is not null && m["n"].AsNumber() % 2 == 0 }))
                        _ = hit.Metadata!["tag"].AsString();
                    break;
                case 2:
                    _ = index.Search(Company, new SearchQuery { Mode = SearchMode.Keyword, Text = $"{Words[i % Words.Length]} w{i}z", Top = 10, Include = RecordFields.All });
                    break;
                case 3:
                    _ = index.Search(Company, new SearchQuery { Text = Words[i % Words.Length] + " rules", Vector = query, Top = 10, Include = RecordFields.Text | RecordFields.Metadata });
                    break;
                case 4:
                    if (index.TryGetRecord(Company, $"r{i}", out var record)) _ = record.Text?.Length;
                    index.TryGetVector(Company, $"r{(i + 1) % Rows}", vector);
                    break;
                default:
                    _ = index.GetKeys(Company).Count;
                    _ = index.GetDocuments(Company).Count;
                    break;
            }
        }
    }

    /// <summary>Writes until the index is disposed: upserts and replacements, deletes, document replacements, commits.</summary>
    private static void WriteLoop(WerklyIndex index, int start, long seed, CancellationToken stop, ref long writes)
    {
        var rng = new Random(start);
        while (!stop.IsCancellationRequested)
        {
            var n = Interlocked.Increment(ref writes);
            var i = rng.Next(Rows);
            switch (n % 5)
            {
                case 0:
                    index.Commit();
                    break;
                case 1:
                    index.Delete(Company, $"r{i}");
                    break;
                case 2:
                    var d = rng.Next(100);
                    index.ReplaceDocuments(Company, [new DocumentUpdate($"doc{d}", $"h{n}", [.. Enumerable.Range(0, 4).Select(c => Record($"doc{d}#{c}", 50_000 + d * 4 + c, seed))])]);
                    break;
                default:
                    index.Upsert(Company, [.. Enumerable.Range(0, 8).Select(j => Record($"r{(i + j) % Rows}", (i + j) % Rows, seed))]);
                    break;
            }
        }
    }
}

/// <summary>The outcome of the dispose race.</summary>
internal sealed record DisposeRaceResult(int Iterations, int Passed, long StoppedByDispose, long Searches, long Writes, IReadOnlyList<string> Failures, TimeSpan Elapsed)
{
    public bool Success => Failures.Count == 0 && Passed == Iterations;

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"{(Success ? "PASS" : "FAIL")}: {Passed}/{Iterations} iterations passed ({Searches} searches and {Writes} writes raced Dispose; {StoppedByDispose} threads stopped by ObjectDisposedException), {Failures.Count} failures, {Elapsed.TotalSeconds:F1} s");
}
