using System.Diagnostics;
using System.Globalization;

namespace Werkly.VectorIndex.CrashTest;

/// <summary>
/// Opens and searches an index of many companies in a child process whose open-file limit (<c>ulimit -n</c>) is far
/// below the number of files the index maps, to show that a mapped file does not pin a file descriptor.
/// </summary>
/// <remarks>
/// <see cref="Write"/> builds the index in this process (each company gets one segment per commit, and trained
/// centroids); <see cref="Run"/> starts <c>fd-limit-child</c> under <c>bash -c 'ulimit -n N; exec …'</c>, which opens the
/// index for writing, finds the first record of every segment of every company by an exact-vector search, reopens it
/// read-only and does the same again, then prints one <c>searched …</c> line.
/// </remarks>
internal static class FileLimitCheck
{
    private const int Dimensions = 8;
    private const int RowsPerSegment = 16;

    private static readonly WerklyIndexOptions Options = new()
    {
        Dimensions = Dimensions, Lists = 2, FlatSearchThreshold = RowsPerSegment, AutoRetrain = false, MaxDegreeOfParallelism = 1,
    };

    /// <summary>The outcome of a child run.</summary>
    /// <param name="ExitCode">The child's exit code.</param>
    /// <param name="Stdout">What it printed on stdout.</param>
    /// <param name="Stderr">What it printed on stderr.</param>
    public sealed record ChildResult(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
    }

    /// <summary>Writes <paramref name="companies"/> companies of <paramref name="segmentsPerCompany"/> segments each,
    /// plus centroids, into <paramref name="directory"/> (one commit per segment round).</summary>
    /// <returns>The number of data files the index maps when opened.</returns>
    public static int Write(string directory, int companies, int segmentsPerCompany)
    {
        using (var index = WerklyIndex.Open(directory, Options))
        {
            for (int segment = 0; segment < segmentsPerCompany; segment++)
            {
                for (int company = 0; company < companies; company++)
                {
                    var records = new VectorRecord[RowsPerSegment];
                    for (int row = 0; row < RowsPerSegment; row++)
                        records[row] = new VectorRecord(Key(segment, row), Vector(company, segment, row));
                    index.Upsert(CompanyId(company), records);
                    if (segment == 0) index.Retrain(CompanyId(company));
                }
                index.Commit();
            }
        }
        return Directory.GetFiles(directory, "*.wv?").Length;
    }

    /// <summary>Runs <c>fd-limit-child</c> on <paramref name="directory"/> with the open-file limit set to
    /// <paramref name="openFileLimit"/> (Unix: through bash's <c>ulimit -n</c>; elsewhere without a limit).</summary>
    public static ChildResult Run(string directory, int openFileLimit, int companies, int segmentsPerCompany)
    {
        string[] limited = OperatingSystem.IsWindows()
            ? []
            : ["bash", "-c", "ulimit -n " + openFileLimit.ToString(CultureInfo.InvariantCulture) + " && exec \"$@\"", "bash"];
        string[] command = [.. limited, .. ChildProcess.Command(), "fd-limit-child", "--dir", directory,
            "--companies", companies.ToString(CultureInfo.InvariantCulture), "--segments", segmentsPerCompany.ToString(CultureInfo.InvariantCulture)];
        // The runtime itself holds ~55 descriptors (two per loaded assembly, plus its own pipes); its diagnostics IPC
        // channel and W^X double mapping are turned off to leave the index a few of the 64, since it needs one (LOCK)
        // plus one at a time while it maps a file.
        var environment = new Dictionary<string, string> { ["DOTNET_EnableDiagnostics"] = "0", ["DOTNET_EnableWriteXorExecute"] = "0" };
        var (exitCode, stdout, stderr) = ChildProcess.RunToEnd(command, TimeSpan.FromMinutes(3), environment);
        return new ChildResult(exitCode, stdout, stderr);
    }

    /// <summary>Median wall time, in milliseconds, of opening <paramref name="directory"/> read-only at the storage level
    /// (manifest, then every file mapped and validated) and releasing it, over <paramref name="repeats"/> runs after 3 warm-ups.</summary>
    public static double MedianOpenMilliseconds(string directory, int repeats)
    {
        var times = new List<double>();
        for (int i = 0; i < repeats + 3; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using (var store = Storage.IndexDirectory.Open(Storage.FileStorageDevice.Instance, directory, new Storage.IndexDirectoryOptions { ReadOnly = true }))
            using (var snapshot = store.OpenSnapshot())
            {
            }
            if (i >= 3) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>The child: open for writing, search every segment, reopen read-only, search again; print the counts.</summary>
    public static int RunChild(string directory, int companies, int segmentsPerCompany)
    {
        int found;
        string descriptors;
        using (var writer = WerklyIndex.Open(directory, Options))
        {
            found = SearchAll(writer, companies, segmentsPerCompany);
            descriptors = OpenDescriptors();
        }
        using (var reader = WerklyIndex.Open(directory, Options, readOnly: true))
            found += SearchAll(reader, companies, segmentsPerCompany);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"searched {companies} companies x {segmentsPerCompany} segments twice: {found} exact hits; open file limit {OpenFileLimit()}, {descriptors} descriptors open while the writer was open"));
        return found == 2 * companies * segmentsPerCompany ? 0 : 1;
    }

    private static int SearchAll(WerklyIndex index, int companies, int segmentsPerCompany)
    {
        if (index.Companies.Count != companies)
            throw new InvalidOperationException($"The index holds {index.Companies.Count} companies, not {companies}.");
        int found = 0;
        for (int company = 0; company < companies; company++)
        {
            for (int segment = 0; segment < segmentsPerCompany; segment++)
            {
                var hits = index.Search(CompanyId(company), Vector(company, segment, 0), 1, new SearchOptions { Probes = 2 });
                if (hits.Length == 1 && hits[0].Key == Key(segment, 0)) found++;
                else Console.Error.WriteLine($"{CompanyId(company)}: expected {Key(segment, 0)}, found [{string.Join(", ", hits.Select(h => h.Key))}]");
            }
        }
        return found;
    }

    /// <summary>The number of open file descriptors (of which index files), or "?" off Linux.</summary>
    private static string OpenDescriptors()
    {
        if (!OperatingSystem.IsLinux()) return "?";
        var targets = new DirectoryInfo("/proc/self/fd").GetFileSystemInfos().Select(f => f.LinkTarget ?? "").ToList();
        int index = targets.Count(t => t.EndsWith(".wvs", StringComparison.Ordinal) || t.EndsWith(".wvc", StringComparison.Ordinal));
        return string.Create(CultureInfo.InvariantCulture, $"{targets.Count} ({index} of index data files)");
    }

    /// <summary>The soft open-file limit as the shell reports it, or "?" off Linux.</summary>
    private static string OpenFileLimit()
    {
        if (!OperatingSystem.IsLinux()) return "?";
        foreach (var line in File.ReadLines("/proc/self/limits"))
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
                return line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
        return "?";
    }

    private static string CompanyId(int company) => "company-" + company.ToString("D3", CultureInfo.InvariantCulture);

    private static string Key(int segment, int row) => string.Create(CultureInfo.InvariantCulture, $"s{segment}-r{row}");

    /// <summary>A distinct direction per (company, segment, row): exact-vector search finds exactly this record.</summary>
    private static float[] Vector(int company, int segment, int row)
    {
        var rng = new Random((company * 1009 + segment) * 131 + row);
        var vector = new float[Dimensions];
        for (int i = 0; i < Dimensions; i++) vector[i] = (float)(rng.NextDouble() * 2 - 1);
        return vector;
    }
}
