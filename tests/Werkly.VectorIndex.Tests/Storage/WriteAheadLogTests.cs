using Werkly.VectorIndex.CrashTest;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.Tests.Storage;

public class WriteAheadLogTests
{
    private static LogRecord Upsert(int i) =>
        LogRecord.Upsert("acme", $"doc-{i}", new float[] { i, i + 0.5f, -i }, i % 2 == 0 ? new Dictionary<string, MetadataValue> { ["n"] = i, ["lang"] = "en" } : null);

    private static string Text(IEnumerable<LogRecord> records) =>
        string.Join('\n', records.Select(r => $"{r.CompanyId}/{r.Key} {(r.Vector is { } v ? string.Join(',', v.ToArray()) : "deleted")} " +
            string.Join(',', r.Metadata?.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}") ?? [])));

    private static string LogPath(string directory) => Directory.GetFiles(directory, "wal-*.wvl").Single();

    [Fact]
    public void Appended_records_are_replayed_on_open_and_a_commit_empties_the_log()
    {
        using var temp = new TempDirectory();
        var appended = new List<LogRecord>();
        using (var store = StorageTestData.Open(temp.Path))
        {
            Assert.Empty(store.PendingLog);
            for (int i = 0; i < 5; i++)
            {
                var group = new[] { Upsert(i * 2), Upsert(i * 2 + 1) };
                store.AppendLog(group);
                appended.AddRange(group);
            }
            store.AppendLog([LogRecord.Delete("globex", "doc-1")]);
            appended.Add(LogRecord.Delete("globex", "doc-1"));
            Assert.Equal(Text(appended), Text(store.PendingLog));
        }
        Assert.Single(Directory.GetFiles(temp.Path, "wal-*"));
        using (var reader = StorageTestData.Open(temp.Path, readOnly: true))
            Assert.Equal(Text(appended), Text(reader.PendingLog));
        using (var store = StorageTestData.Open(temp.Path))
        {
            Assert.Equal(Text(appended), Text(store.PendingLog));
            Assert.True(store.PendingLog[^1].IsDelete);
            store.AppendLog([Upsert(100)]);
            store.Commit([StorageTestData.Segment("acme", 0, 3)]);
            Assert.Empty(store.PendingLog);
            // A log in use is replaced by an empty one, named by the commit's manifest, so appends never wait for a manifest write.
            var log = Assert.Single(Directory.GetFiles(temp.Path, "wal-*"));
            Assert.Equal(FileHeader.Size, new FileInfo(log).Length);
        }
        using (var store = StorageTestData.Open(temp.Path))
        {
            Assert.Empty(store.PendingLog);
            store.AppendLog([Upsert(7)]);
        }
        using (var store = StorageTestData.Open(temp.Path))
            Assert.Equal(Text([Upsert(7)]), Text(store.PendingLog));
    }

    [Fact]
    public void A_torn_last_record_is_dropped_and_every_earlier_record_survives()
    {
        using var temp = new TempDirectory();
        long lengthBeforeLast;
        using (var store = StorageTestData.Open(temp.Path))
        {
            store.AppendLog([Upsert(0), Upsert(1)]);
            store.AppendLog([Upsert(2)]);
            lengthBeforeLast = new FileInfo(LogPath(temp.Path)).Length;
            store.AppendLog([Upsert(3), Upsert(4)]);
        }
        string log = LogPath(temp.Path);
        byte[] full = File.ReadAllBytes(log);
        var rng = new Random(3);
        for (int trial = 0; trial < 30; trial++)
        {
            // Cut the last record anywhere, or leave it zero-filled as a crash after the size update but before the data can.
            int cut = (int)lengthBeforeLast + rng.Next((int)(full.Length - lengthBeforeLast));
            byte[] torn = trial % 3 == 0 ? [.. full.AsSpan(0, (int)lengthBeforeLast), .. new byte[full.Length - lengthBeforeLast]] : full.AsSpan(0, cut).ToArray();
            foreach (string f in Directory.GetFiles(temp.Path, "wal-*")) File.Delete(f);
            File.WriteAllBytes(log, torn);
            using (var store = StorageTestData.Open(temp.Path, readOnly: true))
                Assert.Equal(Text([Upsert(0), Upsert(1), Upsert(2)]), Text(store.PendingLog));
        }
        // A writer rewrites the log without the torn tail and appends after it.
        using (var store = StorageTestData.Open(temp.Path))
        {
            Assert.Equal(3, store.PendingLog.Count);
            store.AppendLog([Upsert(9)]);
        }
        using (var store = StorageTestData.Open(temp.Path))
            Assert.Equal(Text([Upsert(0), Upsert(1), Upsert(2), Upsert(9)]), Text(store.PendingLog));
    }

    [Fact]
    public void Damage_inside_the_log_is_corruption_not_a_silent_loss()
    {
        using var temp = new TempDirectory();
        using (var store = StorageTestData.Open(temp.Path))
        {
            store.AppendLog([Upsert(0)]);
            store.AppendLog([Upsert(1)]);
        }
        string log = LogPath(temp.Path);
        byte[] full = File.ReadAllBytes(log);
        for (int offset = 0; offset < full.Length; offset++)
        {
            var copy = (byte[])full.Clone();
            copy[offset] ^= 0x04;
            File.WriteAllBytes(log, copy);
            var ex = Assert.ThrowsAny<IOException>(() => StorageTestData.Open(temp.Path, readOnly: true));
            Assert.True(ex is IndexCorruptedException or IncompatibleFormatException, $"offset {offset}: {ex.GetType().Name}");
        }
        File.Delete(log);
        var missing = Assert.Throws<IndexCorruptedException>(() => StorageTestData.Open(temp.Path));
        Assert.Equal(log, missing.FilePath);
    }

    [Theory]
    [InlineData(FaultKind.IOError)]
    [InlineData(FaultKind.TornWrite)]
    [InlineData(FaultKind.DiskFull)]
    public void A_failed_append_throws_loses_nothing_acked_and_the_next_append_succeeds(FaultKind kind)
    {
        for (int failAt = 0; failAt < 12; failAt++)
        {
            using var temp = new TempDirectory();
            var device = new FlakyStorageDevice(FileStorageDevice.Instance);
            using (var store = StorageTestData.Open(temp.Path, device))
            {
                store.AppendLog([Upsert(0)]);
                store.AppendLog([Upsert(1)]);
                device.Kind = kind;
                device.FailAt = device.Operations + failAt;
                bool failed = false;
                try
                {
                    store.AppendLog([Upsert(2)]);
                    store.AppendLog([Upsert(3)]);
                }
                catch (IOException)
                {
                    failed = true;
                }
                Assert.True(failed || device.FailAt is not null);
                device.FailAt = null;
                store.AppendLog([Upsert(4)]);
                var expected = store.PendingLog;
                Assert.Equal("doc-0,doc-1", string.Join(',', expected.Take(2).Select(r => r.Key)));
                Assert.Equal("doc-4", expected[^1].Key);
                using var reader = StorageTestData.Open(temp.Path, readOnly: true);
                Assert.Equal(Text(expected), Text(reader.PendingLog));
            }
            using var reopened = StorageTestData.Open(temp.Path);
            Assert.Equal("doc-4", reopened.PendingLog[^1].Key);
        }
    }

    [Fact]
    public void After_SIGKILLs_during_single_upsert_appends_every_acked_upsert_is_replayed()
    {
        using var temp = new TempDirectory("walkill");
        var result = LogKillLoop.Run(temp.Path, kills: 10, seed: 77, maxDelayMs: 250);
        Assert.True(result.Success, result.Summary() + Environment.NewLine + string.Join(Environment.NewLine, result.Failures));
        Assert.True(result.BatchesCommitted > 40, result.Summary());
    }
}
