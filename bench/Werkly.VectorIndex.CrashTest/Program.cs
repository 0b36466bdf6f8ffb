using System.Globalization;
using Werkly.VectorIndex;
using Werkly.VectorIndex.CrashTest;

// Usage:
//   dotnet run -c Release --project bench/Werkly.VectorIndex.CrashTest -- --kills N --dir DIR [--seed S] [--max-delay-ms M] [--wal] [--hybrid] [--keep]
//     (default: the child drives the public WerklyIndex facade and commits batches;
//      --hybrid: the same with titles and texts, and every live record must be found by keyword search from the stored blocks;
//      --storage: the child commits storage-level batches through IndexDirectory;
//      --wal: the child appends single upserts to the write-ahead log instead of committing batches)
//   ... -- child --dir DIR --seed S          (the writer the kill loop starts and kills)
//   ... -- dispose --dir DIR [--children N] [--iterations N]   (Dispose racing searches and a writer, in child processes)
//   ... -- per-write --kills N --dir DIR     (the kill loop with Durability.PerWrite and concurrent writers)
//   ... -- replica-writer --dir DIR [--durability per-write]   (the writer of the read-replica test)
//   ... -- fd-limit [--companies 100] [--segments 3] [--limit 64] [--open-repeats N]
//                                           (opens and searches a many-file index under ulimit -n; N: median open time)
//   ... -- open-probe DIR...                (tries a writer and a reader on each folder; prints the outcome of each)
//   ... -- bench --dir DIR [--rows N]        (storage benchmarks: open time, commit time and bytes)
//   ... -- write-fixture --dir DIR           (writes the format-v1 compatibility fixture)
//   ... -- write-index-fixture --dir DIR     (writes the format-v1 fixture through the WerklyIndex facade)
//   ... -- write-hybrid-fixture --dir DIR    (writes the segment-record-v2 fixture, keyword blocks included)
//   ... -- write-quantized-fixture --dir DIR (writes the segment-record-v3 fixture, code blocks and ranges included)
// Exit code 0 only when every reopen matched; the last line is a one-line summary.

var options = ParseOptions(args);
string mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "kill";
string dir = options.GetValueOrDefault("dir") ?? Path.Combine(Path.GetTempPath(), "werkly-crashtest-" + Guid.NewGuid().ToString("N"));
long seed = long.Parse(options.GetValueOrDefault("seed") ?? "42", CultureInfo.InvariantCulture);

switch (mode)
{
    case "child":
        return KillLoop.RunChild(dir, seed);
    case "dispose-child":
        return DisposeRaceLoop.RunChild(dir, seed, int.Parse(options.GetValueOrDefault("iterations") ?? "10", CultureInfo.InvariantCulture));
    case "dispose":
    {
        var race = DisposeRaceLoop.Run(dir, int.Parse(options.GetValueOrDefault("children") ?? "20", CultureInfo.InvariantCulture),
            int.Parse(options.GetValueOrDefault("iterations") ?? "10", CultureInfo.InvariantCulture), seed, line => Console.WriteLine(line));
        foreach (string failure in race.Failures) Console.WriteLine(failure);
        Console.WriteLine(race.Summary());
        return race.Success ? 0 : 1;
    }
    case "per-write-child":
        return PerWriteKillLoop.RunChild(dir, seed, [.. (options.GetValueOrDefault("resume") ?? "0,0,0").Split(',').Select(x => long.Parse(x, CultureInfo.InvariantCulture))]);
    case "per-write":
    {
        var perWrite = PerWriteKillLoop.Run(dir, int.Parse(options.GetValueOrDefault("kills") ?? "30", CultureInfo.InvariantCulture), seed,
            int.Parse(options.GetValueOrDefault("max-delay-ms") ?? "300", CultureInfo.InvariantCulture), line => Console.WriteLine(line));
        foreach (string failure in perWrite.Failures) Console.WriteLine(failure);
        Console.WriteLine(perWrite.Summary());
        return perWrite.Success ? 0 : 1;
    }
    case "replica-writer":
        return ReplicaWriter.RunChild(dir, options.GetValueOrDefault("durability") == "per-write" ? Durability.PerWrite : Durability.OnCommit);
    case "log-child":
        return LogKillLoop.RunChild(dir, seed);
    case "facade-child":
        return FacadeKillLoop.RunChild(dir, seed);
    case "hybrid-child":
        return FacadeKillLoop.RunChild(dir, seed, hybrid: true);
    case "open-probe":
        return OpenProbe.Run(args.Skip(1).ToArray());
    case "fd-limit-child":
        return FileLimitCheck.RunChild(dir, int.Parse(options["companies"]!, CultureInfo.InvariantCulture), int.Parse(options["segments"]!, CultureInfo.InvariantCulture));
    case "fd-limit":
        {
            int companies = int.Parse(options.GetValueOrDefault("companies") ?? "100", CultureInfo.InvariantCulture);
            int segments = int.Parse(options.GetValueOrDefault("segments") ?? "3", CultureInfo.InvariantCulture);
            int limit = int.Parse(options.GetValueOrDefault("limit") ?? "72", CultureInfo.InvariantCulture);
            Directory.CreateDirectory(dir);
            int files = FileLimitCheck.Write(dir, companies, segments);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var outcome = FileLimitCheck.Run(dir, limit, companies, segments);
            Console.WriteLine($"{files} mapped files, ulimit -n {limit}, child ran {clock.Elapsed.TotalSeconds:F2} s: {outcome}");
            int repeats = int.Parse(options.GetValueOrDefault("open-repeats") ?? "0", CultureInfo.InvariantCulture);
            if (repeats > 0)
                Console.WriteLine($"open (storage level, read-only, {files} files): median {FileLimitCheck.MedianOpenMilliseconds(dir, repeats):F2} ms over {repeats} runs");
            if (!options.ContainsKey("dir")) Directory.Delete(dir, recursive: true);
            return outcome.ExitCode;
        }
    case "bench":
        return StorageBench.Run(dir, options);
    case "write-index-fixture":
        IndexFixture.Write(dir);
        Console.WriteLine($"index fixture written to {dir}");
        return 0;
    case "write-hybrid-fixture":
        HybridFixture.Write(dir);
        Console.WriteLine($"hybrid fixture written to {dir}");
        return 0;
    case "write-quantized-fixture":
        QuantizedFixture.Write(dir);
        Console.WriteLine($"quantized fixture written to {dir}");
        return 0;
    case "write-fixture":
        CompatibilityFixture.Write(dir);
        Console.WriteLine($"fixture written to {dir}");
        return 0;
    default:
        int kills = int.Parse(options.GetValueOrDefault("kills") ?? "100", CultureInfo.InvariantCulture);
        int maxDelayMs = int.Parse(options.GetValueOrDefault("max-delay-ms") ?? "300", CultureInfo.InvariantCulture);
        bool keep = options.ContainsKey("keep");
        bool ownDir = !options.ContainsKey("dir");
        Console.WriteLine($"crash test{(options.ContainsKey("wal") ? " (write-ahead log)" : options.ContainsKey("storage") ? " (storage level)" : options.ContainsKey("hybrid") ? " (with texts, keyword blocks checked)" : " (WerklyIndex facade)")}: {kills} kills, seed {seed}, directory {dir}");
        bool wal = options.ContainsKey("wal");
        var result = wal
            ? LogKillLoop.Run(dir, kills, seed, maxDelayMs, line => Console.WriteLine(line))
            : options.ContainsKey("storage")
                ? KillLoop.Run(dir, kills, seed, maxDelayMs, line => Console.WriteLine(line))
                : FacadeKillLoop.Run(dir, kills, seed, maxDelayMs, line => Console.WriteLine(line), hybrid: options.ContainsKey("hybrid"));
        foreach (string failure in result.Failures) Console.WriteLine(failure);
        if (ownDir && !keep) Directory.Delete(dir, recursive: true);
        Console.WriteLine(result.Summary());
        return result.Success ? 0 : 1;
}

static Dictionary<string, string?> ParseOptions(string[] args)
{
    var options = new Dictionary<string, string?>(StringComparer.Ordinal);
    for (int i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal)) continue;
        string name = args[i][2..];
        string? value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
        options[name] = value;
    }
    return options;
}
