using Werkly.VectorIndex.CrashTest;
using Werkly.VectorIndex.Storage;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Tests.Storage;

/// <summary>A mapped file pins no file descriptor: it stays mapped (and readable) after its handle is closed, and is
/// unmapped when its last user releases it.</summary>
/// <remarks>The descriptor and mapping checks read <c>/proc/self/fd</c> and <c>/proc/self/maps</c>, so they run on
/// Linux (where CI runs); elsewhere the tests still check the content and the open/search under the limit.</remarks>
public class MappedFileDescriptorTests(ITestOutputHelper output)
{
    [Fact]
    public void A_mapped_file_holds_no_descriptor_stays_readable_and_is_unmapped_on_dispose()
    {
        using var temp = new TempDirectory("map-fd");
        string path = temp.Combine("data.bin");
        var bytes = new byte[3 * 4096 + 17];
        new Random(5).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        var region = FileStorageDevice.Instance.MapReadOnly(path);
        try
        {
            Assert.Equal(bytes.Length, region.Length);
            Assert.True(region.Slice(0, bytes.Length).SequenceEqual(bytes));
            if (OperatingSystem.IsLinux())
            {
                Assert.DoesNotContain(path, OpenDescriptorTargets());
                Assert.True(IsMapped(path), $"'{path}' is not in /proc/self/maps while its region is alive.");
            }
        }
        finally
        {
            region.Dispose();
        }
        if (OperatingSystem.IsLinux()) Assert.False(IsMapped(path), $"'{path}' is still mapped after Dispose.");
        region.Dispose(); // idempotent
        File.Delete(path); // nothing holds the file any more
    }

    [Fact]
    public void An_empty_file_maps_to_an_empty_region_and_closes_its_handle()
    {
        using var temp = new TempDirectory("map-fd");
        string path = temp.Combine("empty.bin");
        File.WriteAllBytes(path, []);
        using (var region = FileStorageDevice.Instance.MapReadOnly(path))
        {
            Assert.Equal(0, region.Length);
            Assert.True(region.Slice(0, 0).IsEmpty);
            if (OperatingSystem.IsLinux()) Assert.DoesNotContain(path, OpenDescriptorTargets());
        }
        File.Delete(path);
    }

    [Fact]
    public void A_retired_segment_stays_mapped_without_a_descriptor_until_the_last_snapshot_releases_it()
    {
        using var temp = new TempDirectory("map-fd");
        using var store = StorageTestData.Open(temp.Path);
        store.Commit([StorageTestData.Segment("acme", 0, 10)]);
        string first = Directory.GetFiles(temp.Path, "seg-*").Single();
        var snapshot = store.OpenSnapshot();
        store.Commit([new CompanyChange("acme") { RemovedSegments = [0], AddedSegments = StorageTestData.Segment("acme", 1, 10).AddedSegments }]);

        if (OperatingSystem.IsLinux())
        {
            Assert.DoesNotContain(first, OpenDescriptorTargets());
            Assert.True(IsMapped(first));
        }
        var segment = snapshot.Companies[0].Segments[0].Segment;
        segment.VerifyAll(); // every byte of the retired file is still readable through the snapshot
        Assert.Equal("acme-0-9", segment.GetKey(9));

        snapshot.Dispose();
        Assert.False(File.Exists(first));
        if (OperatingSystem.IsLinux()) Assert.False(IsMapped(first), "the retired segment is still mapped after its last snapshot was disposed.");
    }

    [Fact]
    public void An_index_of_100_companies_with_3_segments_and_centroids_each_opens_and_searches_under_ulimit_n_72()
    {
        using var temp = new TempDirectory("fd-limit");
        int files = FileLimitCheck.Write(temp.Path, companies: 100, segmentsPerCompany: 3);
        Assert.Equal(400, files); // 300 segments + 100 centroids, each mapped when the index opens

        // 72, not 64: the runtime holds ~57 descriptors (two per loaded assembly; WerklyIndexOptions.CommitPriority's
        // ThreadPriority loads the System.Threading.Thread facade), the index needs LOCK plus one while it maps a file.
        var result = FileLimitCheck.Run(temp.Path, openFileLimit: 72, companies: 100, segmentsPerCompany: 3);
        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("600 exact hits", result.Stdout);
        if (!OperatingSystem.IsWindows()) Assert.Contains("open file limit 72,", result.Stdout);
        if (OperatingSystem.IsLinux()) Assert.Contains("(0 of index data files)", result.Stdout);
    }

    private static List<string> OpenDescriptorTargets() =>
        [.. new DirectoryInfo("/proc/self/fd").GetFileSystemInfos().Select(f =>
        {
            try
            {
                return f.LinkTarget ?? "";
            }
            catch (IOException)
            {
                return ""; // closed between listing and reading the link
            }
        })];

    private static bool IsMapped(string path) => File.ReadLines("/proc/self/maps").Any(line => line.EndsWith(" " + path, StringComparison.Ordinal));
}
