using Werkly.VectorIndex.CrashTest;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.Tests.Storage.Crash;

/// <summary>I/O errors, a full disk and torn writes injected at every write-path operation of a commit: the commit
/// throws, the directory stays at its last good commit (in memory and on disk), and the next commit succeeds.</summary>
public class FaultInjectionTests
{
    private const long Seed = 5;

    [Theory]
    [InlineData(FaultKind.IOError)]
    [InlineData(FaultKind.DiskFull)]
    [InlineData(FaultKind.TornWrite)]
    public void A_fault_at_any_operation_of_a_commit_leaves_the_last_good_commit_and_the_next_commit_succeeds(FaultKind kind)
    {
        // Learn how many write-path operations one commit performs.
        long operations;
        using (var probe = new TempDirectory("probe"))
        {
            var device = new FlakyStorageDevice(FileStorageDevice.Instance);
            using var store = StorageTestData.Open(probe.Path, device);
            var model = StorageTestData.Fill(store, Seed, batches: 6);
            long before = device.Operations;
            StorageTestData.Fill(store, Seed, batches: 1, model, firstBatch: 6);
            operations = device.Operations - before;
        }
        Assert.True(operations >= 10, $"a commit took only {operations} operations");

        using var baseline = new TempDirectory("baseline");
        StoreModel baseModel;
        using (var store = StorageTestData.Open(baseline.Path))
            baseModel = StorageTestData.Fill(store, Seed, batches: 6);
        string good = baseModel.Describe();

        for (long failAt = 0; failAt < operations; failAt++)
        {
            using var temp = new TempDirectory("fault");
            foreach (string file in Directory.GetFiles(baseline.Path)) File.Copy(file, temp.Combine(Path.GetFileName(file)));
            var device = new FlakyStorageDevice(FileStorageDevice.Instance);
            using var store = StorageTestData.Open(temp.Path, device);
            var model = new StoreModel();
            for (long b = 0; b < 6; b++) model.Apply(CrashWorkload.Generate(model, Seed, b), CrashWorkload.Dimensions);

            var ops = CrashWorkload.Generate(model, Seed, 6);
            device.FailAt = device.Operations + failAt;
            device.Kind = kind;
            var ex = Assert.ThrowsAny<IOException>(() => store.Commit(CrashWorkload.ToChanges(ops), CrashWorkload.CommitDataFor(6)));
            Assert.Equal(1, device.FaultsInjected);
            if (kind == FaultKind.DiskFull && ex.Message.Contains("injected", StringComparison.Ordinal)) Assert.Equal(FlakyStorageDevice.DiskFullHResult, ex.HResult);

            Assert.Equal(6, store.Generation);
            Assert.Equal(good, StorageTestData.Describe(store));
            Assert.Equal(good, StorageTestData.DescribeOnDisk(temp.Path));

            // Space is back: the same instance commits the same batch.
            store.Commit(CrashWorkload.ToChanges(ops), CrashWorkload.CommitDataFor(6));
            model.Apply(ops, CrashWorkload.Dimensions);
            Assert.Equal(model.Describe(), StorageTestData.DescribeOnDisk(temp.Path));
            Assert.Equal(7, store.Generation);
        }
    }

    [Fact]
    public void A_full_disk_fails_the_commit_until_space_is_freed()
    {
        using var temp = new TempDirectory();
        var device = new FlakyStorageDevice(FileStorageDevice.Instance);
        using (var store = StorageTestData.Open(temp.Path, device))
        {
            var model = StorageTestData.Fill(store, Seed, batches: 4);
            string good = model.Describe();
            var ops = CrashWorkload.Generate(model, Seed, 4);
            foreach (long free in new long[] { 0, 100, 1000 })
            {
                device.FreeBytes = free;
                var ex = Assert.ThrowsAny<IOException>(() => store.Commit(CrashWorkload.ToChanges(ops), CrashWorkload.CommitDataFor(4)));
                Assert.Equal(FlakyStorageDevice.DiskFullHResult, ex.HResult);
                Assert.Equal(good, StorageTestData.Describe(store));
                Assert.Equal(good, StorageTestData.DescribeOnDisk(temp.Path));
            }
            device.FreeBytes = null;
            store.Commit(CrashWorkload.ToChanges(ops), CrashWorkload.CommitDataFor(4));
            model.Apply(ops, CrashWorkload.Dimensions);
            Assert.Equal(model.Describe(), StorageTestData.Describe(store));
        }
        // Partial files of the failed commits were removed.
        Assert.DoesNotContain(Directory.GetFiles(temp.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        using var reopened = StorageTestData.Open(temp.Path);
        var referenced = Manifest.Read(FileStorageDevice.Instance, temp.Combine(IndexDirectory.ManifestFileName)).Files().Select(f => f.Name).ToHashSet();
        Assert.All(Directory.GetFiles(temp.Path, "*.wv?"), f => Assert.Contains(Path.GetFileName(f), referenced));
    }

    [Fact]
    public void A_failed_directory_sync_after_the_rename_puts_the_previous_manifest_back()
    {
        using var temp = new TempDirectory();
        var device = new FlakyStorageDevice(FileStorageDevice.Instance);
        using var store = StorageTestData.Open(temp.Path, device);
        var model = StorageTestData.Fill(store, Seed, batches: 3);
        long before = device.Operations;
        var probeOps = CrashWorkload.Generate(model, Seed, 3);

        // The directory sync is the commit's last operation.
        using (var probe = new TempDirectory("probe"))
        {
            var counting = new FlakyStorageDevice(FileStorageDevice.Instance);
            using var other = StorageTestData.Open(probe.Path, counting);
            StorageTestData.Fill(other, Seed, batches: 3);
            long start = counting.Operations;
            other.Commit(CrashWorkload.ToChanges(probeOps), CrashWorkload.CommitDataFor(3));
            device.FailAt = before + (counting.Operations - start) - 1;
        }
        device.Kind = FaultKind.IOError;
        Assert.ThrowsAny<IOException>(() => store.Commit(CrashWorkload.ToChanges(probeOps), CrashWorkload.CommitDataFor(3)));
        Assert.Equal(model.Describe(), StorageTestData.DescribeOnDisk(temp.Path));
        Assert.Equal(3, store.Generation);
    }
}
