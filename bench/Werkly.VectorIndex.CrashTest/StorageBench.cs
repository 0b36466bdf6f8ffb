using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Werkly.VectorIndex.Ivf;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.CrashTest;

/// <summary>Storage benchmarks for docs/benchmarks/storage.md: open time 1,000,000 vs 10,000 rows × 384 (side by side,
/// medians), private memory after open, commit time and bytes for 10,000 × 384, write amplification of 100 commits +
/// a merge, and a warm scan of mapped lists against the same lists in managed arrays.</summary>
internal static class StorageBench
{
    private const int Dimensions = 384;

    public static int Run(string root, Dictionary<string, string?> options)
    {
        int bigRows = int.Parse(options.GetValueOrDefault("rows") ?? "1000000", CultureInfo.InvariantCulture);
        int repeats = int.Parse(options.GetValueOrDefault("repeats") ?? "31", CultureInfo.InvariantCulture);
        Directory.CreateDirectory(root);
        string small = Path.Combine(root, "open-10k");
        string big = Path.Combine(root, "open-big");
        try
        {
            Console.WriteLine($"# storage bench: {Environment.ProcessorCount} cores, {RuntimeInformationText()}");
            var write = Stopwatch.StartNew();
            Build(small, 10_000);
            Build(big, bigRows);
            Console.WriteLine($"build: {write.Elapsed.TotalSeconds:F1} s for both directories");

            // Open: interleaved A/B runs, medians; page cache warm for both (same as a service restart on a warm box).
            var smallTimes = new List<double>();
            var bigTimes = new List<double>();
            for (int i = 0; i < repeats + 3; i++)
            {
                double a = TimeOpen(small), b = TimeOpen(big);
                if (i < 3) continue;
                smallTimes.Add(a);
                bigTimes.Add(b);
            }
            double smallMedian = Median(smallTimes), bigMedian = Median(bigTimes);
            Console.WriteLine($"open 10,000 x 384: median {smallMedian * 1000:F1} us");
            Console.WriteLine($"open {bigRows:N0} x 384: median {bigMedian * 1000:F1} us");
            Console.WriteLine($"open ratio big/small: {bigMedian / smallMedian:F2} (target <= 3)");

            {
                GC.Collect();
                var (anonBefore, fileBefore) = ResidentKiB();
                using var store = IndexDirectory.Open(FileStorageDevice.Instance, big, new IndexDirectoryOptions { ReadOnly = true });
                using var snapshot = store.OpenSnapshot();
                var (anonOpen, fileOpen) = ResidentKiB();
                var lists = snapshot.Companies[0].Segments[0].Segment.Lists;
                float sum = 0;
                for (int list = 0; list < lists.ListCount; list++) sum += lists.GetVectors(list)[0];
                var (anonTouched, fileTouched) = ResidentKiB();
                long dataBytes = new FileInfo(Path.Combine(big, snapshot.Companies[0].Segments[0].Entry.File.Name)).Length;
                Console.WriteLine($"memory, {dataBytes / 1048576.0:F0} MiB segment: after open private (RssAnon) +{(anonOpen - anonBefore) / 1024.0:F1} MiB, file-backed (RssFile) +{(fileOpen - fileBefore) / 1024.0:F1} MiB; " +
                    $"after verifying every list private +{(anonTouched - anonBefore) / 1024.0:F1} MiB, file-backed +{(fileTouched - fileBefore) / 1024.0:F1} MiB (checksum {sum:F2})");
                WarmScan(lists);
            }

            CommitCost(Path.Combine(root, "commit"));
            WriteAmplification(Path.Combine(root, "amplification"));
            return 0;
        }
        finally
        {
            if (!options.ContainsKey("keep")) Directory.Delete(root, recursive: true);
        }
    }

    // Linux: resident anonymous (private) and file-backed (shared page cache) memory of this process, in KiB.
    private static (long Anon, long File) ResidentKiB()
    {
        if (!File.Exists("/proc/self/status")) return (0, 0);
        long anon = 0, file = 0;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anon = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            if (line.StartsWith("RssFile:", StringComparison.Ordinal)) file = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        return (anon, file);
    }

    private static string RuntimeInformationText() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

    private static double TimeOpen(string directory)
    {
        var clock = Stopwatch.StartNew();
        using (var store = IndexDirectory.Open(FileStorageDevice.Instance, directory, new IndexDirectoryOptions { ReadOnly = true }))
        using (var snapshot = store.OpenSnapshot())
        {
            _ = snapshot.Companies[0].Segments[0].Segment.Lists.GetCount(0);
        }
        return clock.Elapsed.TotalMilliseconds;
    }

    private static void Build(string directory, int rows)
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        int lists = Math.Max(1, rows / 1000);
        using var store = IndexDirectory.Open(FileStorageDevice.Instance, directory);
        store.Commit([Change("bench", 0, rows, lists, seed: rows, withCentroids: true)]);
    }

    private static CompanyChange Change(string company, long segmentId, int rows, int lists, int seed, bool withCentroids)
    {
        var keys = new KeyList(segmentId, rows);
        var centroids = new float[lists * StorageFormat.StrideFor(Dimensions)];
        for (int i = 0; i < centroids.Length; i++) centroids[i] = (i % 384) / 384f;
        return new CompanyChange(company)
        {
            Centroids = withCentroids ? new CentroidsImage(Dimensions, lists, 1, 1, rows, centroids) : null,
            AddedSegments = [new SegmentImage(segmentId, Dimensions, new SyntheticInvertedLists(rows, lists, seed), keys, new MetadataList(rows))],
        };
    }

    private static unsafe void WarmScan(MappedInvertedLists mapped)
    {
        // The in-memory side: the same lists copied into pinned managed arrays, 64-byte aligned like the core's lists.
        int probes = Math.Min(32, mapped.ListCount);
        var managed = new ReadOnlyMemory<float>[probes];
        for (int list = 0; list < probes; list++)
        {
            var source = mapped.GetVectors(list);
            var array = GC.AllocateUninitializedArray<float>(source.Length + 16, pinned: true);
            fixed (float* p = array)
            {
                int skip = (int)((64 - ((long)p % 64)) % 64) / sizeof(float);
                source.CopyTo(array.AsSpan(skip));
                managed[list] = array.AsMemory(skip, source.Length);
            }
        }
        var query = new float[Dimensions];
        for (int i = 0; i < Dimensions; i++) query[i] = MathF.Sin(i);
        var mappedTimes = new List<double>();
        var managedTimes = new List<double>();
        float sink = 0;
        for (int round = 0; round < 103; round++)
        {
            double a = 0, b = 0;
            for (int order = 0; order < 2; order++)
            {
                bool mappedTurn = (order == 0) == (round % 2 == 0);
                var clock = Stopwatch.StartNew();
                for (int list = 0; list < probes; list++) sink += Scan(mappedTurn ? mapped.GetVectors(list) : managed[list].Span, query);
                if (mappedTurn) a = clock.Elapsed.TotalMilliseconds;
                else b = clock.Elapsed.TotalMilliseconds;
            }
            if (round < 3) continue;
            mappedTimes.Add(a);
            managedTimes.Add(b);
        }
        Console.WriteLine($"warm scan of {probes} lists (~{probes * 1000:N0} rows, TensorPrimitives.Dot per row): mapped median {Median(mappedTimes):F3} ms, " +
            $"in-memory (aligned managed) median {Median(managedTimes):F3} ms, ratio {Median(mappedTimes) / Median(managedTimes):F3} (sink {sink:F1})");
    }

    private static float Scan(ReadOnlySpan<float> block, float[] query)
    {
        int stride = StorageFormat.StrideFor(Dimensions);
        float best = float.MinValue;
        for (int offset = 0; offset + stride <= block.Length; offset += stride)
            best = Math.Max(best, TensorPrimitives.Dot(block.Slice(offset, Dimensions), query));
        return best;
    }

    private static void CommitCost(string directory)
    {
        var times = new List<double>();
        long bytes = 0;
        for (int run = 0; run < 7; run++)
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            var device = new CountingStorageDevice(FileStorageDevice.Instance);
            using var store = IndexDirectory.Open(device, directory);
            var change = Change("bench", 0, 10_000, 10, seed: run, withCentroids: true);
            device.Reset();
            var clock = Stopwatch.StartNew();
            store.Commit([change]);
            times.Add(clock.Elapsed.TotalMilliseconds);
            bytes = device.BytesWritten;
        }
        long payload = 10_000L * Dimensions * sizeof(float);
        Console.WriteLine($"commit 10,000 x 384 (new segment + centroids, fsynced): median {Median(times):F1} ms, {bytes:N0} bytes written ({(double)bytes / payload:F3} x the raw vector bytes)");
    }

    private static void WriteAmplification(string directory)
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        var device = new CountingStorageDevice(FileStorageDevice.Instance);
        using var store = IndexDirectory.Open(device, directory);
        device.Reset();
        const int Commits = 100, RowsPerCommit = 1_000;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Commits; i++) store.Commit([Change("bench", i, RowsPerCommit, 1, seed: i, withCentroids: i == 0)]);
        long beforeMerge = device.BytesWritten;
        // The merge: one segment with every row replaces the 100 segments.
        var merged = new CompanyChange("bench")
        {
            RemovedSegments = Enumerable.Range(0, Commits).Select(i => (long)i).ToList(),
            AddedSegments = [new SegmentImage(Commits, Dimensions, new SyntheticInvertedLists(Commits * RowsPerCommit, 1, 7), new KeyList(Commits, Commits * RowsPerCommit), new MetadataList(Commits * RowsPerCommit))],
        };
        store.Commit([merged]);
        long total = device.BytesWritten;
        long logical = (long)Commits * RowsPerCommit * Dimensions * sizeof(float);
        Console.WriteLine($"write amplification, {Commits} commits x {RowsPerCommit:N0} x 384 then a merge: {beforeMerge:N0} bytes before the merge, {total:N0} total; " +
            $"{(double)total / logical:F3} x the raw vector bytes ({logical:N0}); {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>Lists whose vectors are generated per list on demand (row r in list r % lists), so writing 1M × 384 needs no 1.5 GB array.</summary>
    private sealed class SyntheticInvertedLists(int rows, int lists, int seed) : IInvertedLists
    {
        private float[] _buffer = [];
        private int[] _ids = [];
        private int _cached = -1;

        public int ListCount => lists;

        public int Stride => StorageFormat.StrideFor(Dimensions);

        public int GetCount(int list) => rows / lists + (list < rows % lists ? 1 : 0);

        public ReadOnlySpan<float> GetVectors(int list)
        {
            Fill(list);
            return _buffer;
        }

        public ReadOnlySpan<int> GetRowIds(int list)
        {
            Fill(list);
            return _ids;
        }

        private void Fill(int list)
        {
            if (_cached == list) return;
            int count = GetCount(list);
            _ids = new int[count];
            _buffer = new float[count * Stride];
            var rng = new Random(seed * 7919 + list);
            for (int i = 0; i < count; i++)
            {
                _ids[i] = list + i * lists;
                for (int d = 0; d < Dimensions; d++) _buffer[i * Stride + d] = (float)rng.NextDouble() - 0.5f;
            }
            _cached = list;
        }
    }

    private sealed class KeyList(long segment, int rows) : IReadOnlyList<string>
    {
        public string this[int index] => string.Create(CultureInfo.InvariantCulture, $"tenant-doc-{segment}-{index:D8}");
        public int Count => rows;
        public IEnumerator<string> GetEnumerator() => Enumerable.Range(0, rows).Select(i => this[i]).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class MetadataList(int rows) : IReadOnlyList<IReadOnlyDictionary<string, MetadataValue>?>
    {
        public IReadOnlyDictionary<string, MetadataValue>? this[int index] => new Dictionary<string, MetadataValue> { ["page"] = index % 500, ["lang"] = "en" };
        public int Count => rows;
        public IEnumerator<IReadOnlyDictionary<string, MetadataValue>?> GetEnumerator() => Enumerable.Range(0, rows).Select(i => this[i]).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>An <see cref="IStorageDevice"/> decorator counting the bytes written through it.</summary>
internal sealed class CountingStorageDevice(IStorageDevice inner) : IStorageDevice
{
    private long _bytes;

    public long BytesWritten => Interlocked.Read(ref _bytes);

    public void Reset() => Interlocked.Exchange(ref _bytes, 0);

    public IWritableFile Create(string path) => new CountingFile(inner.Create(path), this);
    public IWritableFile OpenAppend(string path) => new CountingFile(inner.OpenAppend(path), this);
    public Stream OpenRead(string path) => inner.OpenRead(path);
    public MappedFileRegion MapReadOnly(string path) => inner.MapReadOnly(path);
    public void Rename(string sourcePath, string destinationPath) => inner.Rename(sourcePath, destinationPath);
    public void SyncDirectory(string directoryPath) => inner.SyncDirectory(directoryPath);
    public void Delete(string path) => inner.Delete(path);
    public bool Exists(string path) => inner.Exists(path);
    public IReadOnlyList<string> ListFiles(string directoryPath) => inner.ListFiles(directoryPath);
    public void CreateDirectory(string directoryPath) => inner.CreateDirectory(directoryPath);
    public IDisposable AcquireExclusiveLock(string lockFilePath) => inner.AcquireExclusiveLock(lockFilePath);

    private sealed class CountingFile(IWritableFile file, CountingStorageDevice owner) : IWritableFile
    {
        public string Path => file.Path;
        public long Length => file.Length;
        public void Write(ReadOnlySpan<byte> bytes)
        {
            file.Write(bytes);
            Interlocked.Add(ref owner._bytes, bytes.Length);
        }
        public void Sync() => file.Sync();
        public void Truncate(long length) => file.Truncate(length);
        public void Dispose() => file.Dispose();
    }
}
