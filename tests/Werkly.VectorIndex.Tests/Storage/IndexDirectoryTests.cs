using Werkly.VectorIndex.CrashTest;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.Tests.Storage;

public class IndexDirectoryTests
{
    [Fact]
    public void A_new_directory_opens_empty_at_generation_zero()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "nested", "index");
        using var store = StorageTestData.Open(path);
        using var snapshot = store.OpenSnapshot();
        Assert.Equal(0, snapshot.Generation);
        Assert.Empty(snapshot.Companies);
        Assert.True(File.Exists(Path.Combine(path, IndexDirectory.ManifestFileName)));
    }

    [Fact]
    public void Everything_committed_reads_back_identically_after_reopen()
    {
        using var temp = new TempDirectory();
        StoreModel model;
        using (var store = StorageTestData.Open(temp.Path))
        {
            model = StorageTestData.Fill(store, seed: 7, batches: 40);
            Assert.Equal(model.Describe(), StorageTestData.Describe(store));
            Assert.Equal(40, store.Generation);
        }
        Assert.Equal(model.Describe(), StorageTestData.DescribeOnDisk(temp.Path));
        using (var store = StorageTestData.Open(temp.Path))
        {
            using var snapshot = store.OpenSnapshot();
            Assert.Equal(39, CrashWorkload.BatchOf(snapshot));
            Assert.True(model.Companies.Count >= 2);
            Assert.Contains(model.Companies.Values, c => c.Segments.Any(s => s.Deleted.Count > 0));
        }
    }

    [Fact]
    public void Centroids_tombstones_keys_and_metadata_are_exposed_by_the_snapshot()
    {
        using var temp = new TempDirectory();
        using var store = StorageTestData.Open(temp.Path);
        var centroids = new float[2 * 16];
        centroids[0] = 1; centroids[16] = -1;
        var vectors = new List<float[]> { new float[] { 1, 2, 3 }, new float[] { 4, 5, 6 }, new float[] { 7, 8, 9 } };
        var meta = new IReadOnlyDictionary<string, MetadataValue>?[] { new Dictionary<string, MetadataValue> { ["lang"] = "en" }, null, new Dictionary<string, MetadataValue>() };
        store.Commit([new CompanyChange("acme")
        {
            Centroids = new CentroidsImage(3, 2, metric: 2, trainingVersion: 5, trainedRowCount: 3, centroids),
            AddedSegments = [new SegmentImage(10, 3, ArrayInvertedLists.RoundRobin(3, 2, vectors), ["a", "b", "c"], meta)],
            AddedTombstones = new Dictionary<long, IReadOnlyCollection<int>> { [10] = [1] },
        }], "settings"u8.ToArray());

        using var snapshot = store.OpenSnapshot();
        Assert.Equal("settings", System.Text.Encoding.UTF8.GetString(snapshot.CommitData.Span));
        var company = snapshot.FindCompany("acme")!;
        Assert.Null(snapshot.FindCompany("other"));
        Assert.Equal(3, company.Dimensions);
        Assert.Equal(2, company.Centroids!.ListCount);
        Assert.Equal(2, company.Centroids.Metric);
        Assert.Equal(5, company.Centroids.TrainingVersion);
        Assert.Equal(3, company.Centroids.TrainedRowCount);
        Assert.Equal(centroids, company.Centroids.Vectors.ToArray());
        var segment = company.Segments.Single();
        Assert.Equal(10, segment.SegmentId);
        Assert.True(segment.Tombstones.Contains(1));
        Assert.False(segment.Tombstones.Contains(0));
        Assert.False(segment.Tombstones.Contains(-1));
        Assert.False(segment.Tombstones.Contains(1000));
        Assert.Equal(2, segment.LiveRowCount);
        Assert.Equal(2, company.LiveRowCount);
        var lists = segment.Segment.Lists;
        Assert.Equal(new[] { 0, 2 }, lists.GetRowIds(0).ToArray());
        Assert.Equal(new float[] { 7, 8, 9 }, lists.GetVectors(0).Slice(16, 3).ToArray());
        Assert.Equal("c", segment.Segment.GetKey(2));
        Assert.Equal(new float[] { 4, 5, 6 }, segment.Segment.GetVector(1)[..3].ToArray());
        Assert.Equal(16, segment.Segment.GetVector(2).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => segment.Segment.GetVector(3).Length);
        Assert.Equal("en", segment.Segment.GetMetadata(0)!["lang"].AsString());
        Assert.Null(segment.Segment.GetMetadata(1));
        Assert.Empty(segment.Segment.GetMetadata(2)!);
    }

    [Fact]
    public void Per_company_properties_persist_until_replaced_and_go_with_the_company()
    {
        using var temp = new TempDirectory();
        using (var store = StorageTestData.Open(temp.Path))
        {
            var first = StorageTestData.Segment("acme", 0, 3);
            store.Commit([new CompanyChange("acme") { AddedSegments = first.AddedSegments, Properties = "probes=7"u8.ToArray() }, StorageTestData.Segment("globex", 0, 2)]);
            store.Commit([StorageTestData.Segment("acme", 1, 3)]);
        }
        using (var store = StorageTestData.Open(temp.Path))
        {
            using (var snapshot = store.OpenSnapshot())
            {
                Assert.Equal("probes=7", System.Text.Encoding.UTF8.GetString(snapshot.FindCompany("acme")!.Properties.Span));
                Assert.True(snapshot.FindCompany("globex")!.Properties.IsEmpty);
            }
            store.Commit([new CompanyChange("acme") { Properties = "probes=9"u8.ToArray() }]);
            using (var snapshot = store.OpenSnapshot())
                Assert.Equal("probes=9", System.Text.Encoding.UTF8.GetString(snapshot.FindCompany("acme")!.Properties.Span));
            var again = StorageTestData.Segment("acme", 0, 1);
            store.Commit([new CompanyChange("acme") { DeleteCompany = true, AddedSegments = again.AddedSegments }]);
        }
        using (var store = StorageTestData.Open(temp.Path, readOnly: true))
        using (var snapshot = store.OpenSnapshot())
        {
            Assert.True(snapshot.FindCompany("acme")!.Properties.IsEmpty);
            Assert.Single(snapshot.FindCompany("acme")!.Segments);
        }
    }

    [Fact]
    public void A_second_writer_gets_IndexLockedException_but_readers_are_welcome()
    {
        using var temp = new TempDirectory();
        using (var writer = StorageTestData.Open(temp.Path))
        {
            var ex = Assert.Throws<IndexLockedException>(() => StorageTestData.Open(temp.Path));
            Assert.EndsWith(IndexDirectory.LockFileName, ex.LockFilePath);
            using var reader = StorageTestData.Open(temp.Path, readOnly: true);
            Assert.Throws<InvalidOperationException>(() => reader.Commit([]));
        }
        using var again = StorageTestData.Open(temp.Path);
    }

    [Fact]
    public void A_read_only_instance_sees_later_commits_after_Refresh()
    {
        using var temp = new TempDirectory();
        using var writer = StorageTestData.Open(temp.Path);
        writer.Commit([StorageTestData.Segment("acme", 0, 4)]);
        using var reader = StorageTestData.Open(temp.Path, readOnly: true);
        Assert.Equal(1, reader.Generation);
        Assert.False(reader.Refresh());
        writer.Commit([StorageTestData.Segment("acme", 1, 4)]);
        using var before = reader.OpenSnapshot();
        Assert.True(reader.Refresh());
        using var after = reader.OpenSnapshot();
        Assert.Single(before.Companies[0].Segments);
        Assert.Equal(2, after.Companies[0].Segments.Count);
        Assert.Equal(StorageTestData.Describe(writer), StorageTestData.Describe(reader));
    }

    [Fact]
    public void A_reader_whose_segment_is_retired_between_manifest_and_map_retries_with_the_new_manifest()
    {
        using var temp = new TempDirectory();
        using var writer = StorageTestData.Open(temp.Path);
        writer.Commit([StorageTestData.Segment("acme", 0, 10)]);
        string first = Directory.GetFiles(temp.Path, "seg-*").Single();
        var device = new FlakyStorageDevice(FileStorageDevice.Instance);
        bool raced = false;
        device.BeforeMap = path =>
        {
            if (raced || path != first) return;
            raced = true;
            // The writer merges segment 0 away (and deletes its file) after the reader read the manifest.
            writer.Commit([new CompanyChange("acme") { RemovedSegments = [0], AddedSegments = StorageTestData.Segment("acme", 1, 4).AddedSegments }]);
            Assert.False(File.Exists(first));
        };
        using var reader = StorageTestData.Open(temp.Path, device, readOnly: true);
        Assert.True(raced);
        using var snapshot = reader.OpenSnapshot();
        Assert.Equal(2, snapshot.Generation);
        Assert.Equal(1, snapshot.Companies[0].Segments.Single().SegmentId);
    }

    [Fact]
    public void A_retired_segment_is_deleted_only_when_the_last_snapshot_using_it_is_disposed()
    {
        using var temp = new TempDirectory();
        using var store = StorageTestData.Open(temp.Path);
        store.Commit([StorageTestData.Segment("acme", 0, 10)]);
        string first = Directory.GetFiles(temp.Path, "seg-*").Single();
        var old = store.OpenSnapshot();
        var older = store.OpenSnapshot();

        // A merge retires segment 0.
        var merge = StorageTestData.Segment("acme", 1, 10);
        store.Commit([new CompanyChange("acme") { RemovedSegments = [0], AddedSegments = merge.AddedSegments }]);
        Assert.True(File.Exists(first));
        Assert.Equal("acme-0-3", old.Companies[0].Segments[0].Segment.GetKey(3));
        old.Dispose();
        old.Dispose();
        Assert.True(File.Exists(first));
        Assert.Equal(10, older.Companies[0].Segments[0].Segment.Lists.GetRowIds(0).Length + older.Companies[0].Segments[0].Segment.Lists.GetRowIds(1).Length + older.Companies[0].Segments[0].Segment.Lists.GetRowIds(2).Length);
        older.Dispose();
        Assert.False(File.Exists(first));
        Assert.Throws<ObjectDisposedException>(() => older.Companies);
        using var current = store.OpenSnapshot();
        Assert.Equal(1, current.Companies[0].Segments.Single().SegmentId);
    }

    [Fact]
    public void Deleting_a_company_removes_its_files()
    {
        using var temp = new TempDirectory();
        using var store = StorageTestData.Open(temp.Path);
        store.Commit([StorageTestData.Segment("acme", 0, 10), StorageTestData.Segment("globex", 0, 10)]);
        store.Commit([new CompanyChange("acme") { AddedTombstones = new Dictionary<long, IReadOnlyCollection<int>> { [0] = [1, 2] } }]);
        Assert.Equal(3, Directory.GetFiles(temp.Path, "*.wv?").Length);
        store.Commit([new CompanyChange("acme") { DeleteCompany = true }]);
        using var snapshot = store.OpenSnapshot();
        Assert.Equal(["globex"], snapshot.Companies.Select(c => c.CompanyId));
        Assert.Single(Directory.GetFiles(temp.Path, "*.wv?"));
    }

    [Fact]
    public void Files_left_by_a_crash_are_deleted_when_a_writer_opens()
    {
        using var temp = new TempDirectory();
        using (var store = StorageTestData.Open(temp.Path))
            store.Commit([StorageTestData.Segment("acme", 0, 10)]);
        File.WriteAllText(temp.Combine("seg-000000000099.wvs"), "half a segment");
        File.WriteAllText(temp.Combine(IndexDirectory.ManifestTempFileName), "half a manifest");
        File.WriteAllText(temp.Combine("notes.txt"), "not ours");
        using (var reader = StorageTestData.Open(temp.Path, readOnly: true))
            Assert.True(File.Exists(temp.Combine("seg-000000000099.wvs")));
        using (var store = StorageTestData.Open(temp.Path))
        {
            Assert.False(File.Exists(temp.Combine("seg-000000000099.wvs")));
            Assert.False(File.Exists(temp.Combine(IndexDirectory.ManifestTempFileName)));
            Assert.True(File.Exists(temp.Combine("notes.txt")));
            store.Commit([StorageTestData.Segment("acme", 1, 3)]);
            Assert.True(Directory.GetFiles(temp.Path, "seg-*").All(f => Manifest.FileNumberOf(Path.GetFileName(f)) != 99 || true));
        }
        Assert.Equal(2, StorageTestData.DescribeOnDisk(temp.Path).Split('\n').Count(l => l.StartsWith("  segment", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_missing_manifest_next_to_data_files_is_corruption_not_a_new_index()
    {
        using var temp = new TempDirectory();
        using (var store = StorageTestData.Open(temp.Path))
            store.Commit([StorageTestData.Segment("acme", 0, 10)]);
        File.Delete(temp.Combine(IndexDirectory.ManifestFileName));
        var ex = Assert.Throws<IndexCorruptedException>(() => StorageTestData.Open(temp.Path));
        Assert.Equal(-1, ex.Offset);
        Assert.EndsWith(IndexDirectory.ManifestFileName, ex.FilePath);
        Assert.Throws<IndexCorruptedException>(() => StorageTestData.Open(temp.Path, readOnly: true));
    }

    [Fact]
    public void A_manifest_naming_a_missing_segment_throws_naming_that_file()
    {
        using var temp = new TempDirectory();
        using (var store = StorageTestData.Open(temp.Path))
            store.Commit([StorageTestData.Segment("acme", 0, 10)]);
        string segment = Directory.GetFiles(temp.Path, "seg-*").Single();
        File.Delete(segment);
        var ex = Assert.Throws<IndexCorruptedException>(() => StorageTestData.Open(temp.Path));
        Assert.Equal(segment, ex.FilePath);
        Assert.Equal(-1, ex.Offset);
        Assert.Contains("missing", ex.Message);
    }

    [Fact]
    public void A_damaged_list_is_reported_on_first_touch_while_the_others_stay_readable()
    {
        using var temp = new TempDirectory();
        using (var store = StorageTestData.Open(temp.Path))
            store.Commit([StorageTestData.Segment("acme", 0, 60, lists: 4)]);
        string path = Directory.GetFiles(temp.Path, "seg-*").Single();
        long offset;
        using (var file = BlockFile.Open(FileStorageDevice.Instance, path, FileKind.Segment))
            offset = file.PayloadOffset(file.Find(BlockTag.List, 2)) + 100;
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        using var reopened = StorageTestData.Open(temp.Path);
        using var snapshot = reopened.OpenSnapshot();
        var lists = snapshot.Companies[0].Segments[0].Segment.Lists;
        Assert.Equal(15, lists.GetCount(2));
        Assert.Equal(15, lists.GetVectors(1).Length / lists.Stride);
        var ex = Assert.Throws<IndexCorruptedException>(() => lists.GetVectors(2).Length);
        Assert.Equal(path, ex.FilePath);
        Assert.Equal(offset - 100, ex.Offset);
        Assert.Throws<IndexCorruptedException>(() => lists.GetRowIds(2).Length);
        Assert.Equal("acme-0-5", snapshot.Companies[0].Segments[0].Segment.GetKey(5));
    }

    [Fact]
    public void VerifyAll_finds_damage_that_open_does_not_read()
    {
        using var temp = new TempDirectory();
        using (var store = StorageTestData.Open(temp.Path))
            StorageTestData.Fill(store, seed: 9, batches: 5);
        using (var store = StorageTestData.Open(temp.Path))
        using (var snapshot = store.OpenSnapshot())
            snapshot.VerifyAll();
        string centroids = Directory.GetFiles(temp.Path, "cen-*").First();
        var bytes = File.ReadAllBytes(centroids);
        bytes[^200] ^= 1; // inside the CVEC payload, which open does not hash
        File.WriteAllBytes(centroids, bytes);
        using var reopened = StorageTestData.Open(temp.Path);
        using var damaged = reopened.OpenSnapshot();
        var ex = Assert.Throws<IndexCorruptedException>(() => damaged.VerifyAll());
        Assert.Equal(centroids, ex.FilePath);
    }

    [Fact]
    public void Concurrent_first_touches_of_lists_verify_safely()
    {
        using var temp = new TempDirectory();
        using var store = StorageTestData.Open(temp.Path);
        store.Commit([StorageTestData.Segment("acme", 0, 2000, lists: 64)]);
        using var snapshot = store.OpenSnapshot();
        var segment = snapshot.Companies[0].Segments[0].Segment;
        long total = 0;
        Parallel.For(0, 8, _ =>
        {
            long local = 0;
            for (int list = 0; list < segment.Lists.ListCount; list++) local += segment.Lists.GetRowIds(list).Length;
            for (int row = 0; row < segment.RowCount; row += 97) Assert.StartsWith("acme-0-", segment.GetKey(row));
            Interlocked.Add(ref total, local);
        });
        Assert.Equal(8 * 2000, total);
    }

    [Fact]
    public void Invalid_changes_throw_and_leave_the_directory_at_the_last_commit()
    {
        using var temp = new TempDirectory();
        using var store = StorageTestData.Open(temp.Path);
        store.Commit([StorageTestData.Segment("acme", 0, 5)]);
        string before = StorageTestData.Describe(store);
        int files = Directory.GetFiles(temp.Path).Length;

        Assert.Throws<ArgumentException>(() => store.Commit([StorageTestData.Segment("acme", 0, 5)]));
        Assert.Throws<ArgumentException>(() => store.Commit([StorageTestData.Segment("acme", 1, 5, dimensions: 25)]));
        Assert.Throws<ArgumentException>(() => store.Commit([new CompanyChange("acme") { RemovedSegments = [7] }]));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Commit([new CompanyChange("acme") { AddedTombstones = new Dictionary<long, IReadOnlyCollection<int>> { [0] = [5] } }]));
        Assert.Throws<ArgumentException>(() => store.Commit([new CompanyChange("acme") { AddedTombstones = new Dictionary<long, IReadOnlyCollection<int>> { [3] = [0] } }]));
        Assert.Throws<ArgumentException>(() => store.Commit([StorageTestData.Segment("b", 0, 5), StorageTestData.Segment("b", 1, 5)]));
        Assert.Throws<InvalidIdentifierException>(() => new CompanyChange("../evil"));
        Assert.Throws<InvalidIdentifierException>(() => new CompanyChange(""));
        Assert.Throws<InvalidIdentifierException>(() => new CompanyChange(new string('a', 65)));
        var bad = new ArrayInvertedLists(16, [new float[32]], [[0, 0]]);
        Assert.Throws<ArgumentException>(() => store.Commit([new CompanyChange("x") { AddedSegments = [new SegmentImage(0, 3, bad, ["a", "b"])] }]));
        var outOfRange = new ArrayInvertedLists(16, [new float[16]], [[9]]);
        Assert.Throws<ArgumentException>(() => store.Commit([new CompanyChange("x") { AddedSegments = [new SegmentImage(0, 3, outOfRange, ["a"])] }]));
        Assert.Throws<ArgumentException>(() => new SegmentImage(0, 20, outOfRange, ["a"]));

        Assert.Equal(1, store.Generation);
        Assert.Equal(before, StorageTestData.Describe(store));
        Assert.Equal(before, StorageTestData.DescribeOnDisk(temp.Path));
        Assert.Equal(files, Directory.GetFiles(temp.Path).Length);
        store.Commit([StorageTestData.Segment("acme", 1, 5)]);
        Assert.Equal(2, store.Generation);
    }

    [Fact]
    public void A_cancelled_commit_changes_nothing()
    {
        using var temp = new TempDirectory();
        using var store = StorageTestData.Open(temp.Path);
        store.Commit([StorageTestData.Segment("acme", 0, 5)]);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => store.Commit([StorageTestData.Segment("acme", 1, 500)], cancellationToken: cts.Token));
        Assert.Equal(1, store.Generation);
        Assert.Single(Directory.GetFiles(temp.Path, "seg-*"));
    }

    [Fact]
    public void An_empty_segment_and_a_flat_company_without_centroids_are_allowed()
    {
        using var temp = new TempDirectory();
        using (var store = StorageTestData.Open(temp.Path))
        {
            store.Commit([StorageTestData.Segment("flat", 0, 0, lists: 1)]);
            using var snapshot = store.OpenSnapshot();
            Assert.Null(snapshot.Companies[0].Centroids);
            Assert.Equal(0, snapshot.Companies[0].Segments[0].Segment.RowCount);
            Assert.Equal(0, snapshot.Companies[0].Segments[0].Segment.Lists.GetVectors(0).Length);
        }
        Assert.Contains("rows=0", StorageTestData.DescribeOnDisk(temp.Path));
    }

    [Fact]
    public async Task Snapshots_can_be_taken_while_commits_run_on_another_thread()
    {
        using var temp = new TempDirectory();
        using var store = StorageTestData.Open(temp.Path);
        var writer = Task.Run(() => StorageTestData.Fill(store, seed: 3, batches: 30));
        long lastGeneration = 0;
        while (!writer.IsCompleted)
        {
            using var snapshot = store.OpenSnapshot();
            Assert.True(snapshot.Generation >= lastGeneration);
            lastGeneration = snapshot.Generation;
            _ = StoreModel.Read(snapshot).Describe();
        }
        var model = await writer;
        Assert.Equal(model.Describe(), StorageTestData.Describe(store));
    }
}
