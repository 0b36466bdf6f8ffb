namespace Werkly.VectorIndex.Tests.Storage.Facade;

/// <summary>Issue 10, defect 9: every mapped file held a file descriptor, so 40 companies × 3 segments could not open
/// under <c>ulimit -n 165</c>. An index of 100 companies × 3 segments must open and search holding a handful.</summary>
public class ResourceTests
{
    private static readonly WerklyIndexOptions Options = new() { Dimensions = 8 };

    private static int OpenFileDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    [Fact]
    public void Mapped_segments_do_not_hold_file_descriptors()
    {
        Assert.True(OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd"), "this test counts descriptors in /proc/self/fd (Linux)");
        using var temp = new TempDirectory("descriptors");
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            for (var commit = 0; commit < 3; commit++)
            {
                for (var c = 0; c < 100; c++)
                    index.Upsert($"c{c}", new VectorRecord($"k{commit}", new float[] { 1, c, commit, 0, 0, 0, 0, 1 }) { Text = $"text {commit}" });
                index.Commit();
            }
        }
        var before = OpenFileDescriptors();
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            for (var c = 0; c < 100; c++)
            {
                Assert.Equal(3, index.Search($"c{c}", new float[] { 1, c, 0, 0, 0, 0, 0, 1 }, 5).Length);
                Assert.Equal(3, index.Search($"c{c}", new SearchQuery { Mode = SearchMode.Keyword, Text = "text" }).Count);
            }
            var held = OpenFileDescriptors() - before;
            // 300 segment files are mapped; the lock file, the manifest and the runtime may hold a few descriptors.
            Assert.True(held < 20, $"an open index of 300 segments holds {held} file descriptors");
        }
    }
}
