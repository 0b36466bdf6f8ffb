using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.Tests.Storage.Facade;

/// <summary><see cref="WerklyIndex.Open(string, WerklyIndexOptions, bool)"/> and <see cref="WerklyIndex.Commit"/> end to end.</summary>
public class PersistentIndexTests
{
    private static readonly WerklyIndexOptions Options = new() { Dimensions = 32, FlatSearchThreshold = 500, Lists = 8 };

    private static List<VectorRecord> Records(int start, int count, int seed) =>
        TestData.Clustered(count, 32, 40, 0.1f, seed).Select((v, i) => new VectorRecord($"doc-{start + i}", v,
            new Dictionary<string, MetadataValue> { ["n"] = start + i, ["tag"] = (start + i) % 2 == 0 ? "even" : "odd" })).ToList();

    private static string[] Keys(WerklyIndex index, string company) => [.. index.GetKeys(company).Order(StringComparer.Ordinal)];

    [Fact]
    public void Committed_writes_survive_reopening_and_search_the_same()
    {
        using var temp = new TempDirectory("facade");
        var queries = TestData.Clustered(20, 32, 40, 0.1f, seed: 99);
        SearchHit[][] before;
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            index.Upsert("acme", Records(0, 1200, 1));
            index.Upsert("globex", Records(0, 50, 2));
            Assert.True(index.GetStatistics("acme").ListCount > 1);
            index.Commit();
            before = queries.Select(q => index.Search("acme", q, 10, new SearchOptions { Probes = 8 })).ToArray();
            index.Upsert("acme", Records(5000, 10, 3).Select(r => r with { Key = "uncommitted-" + r.Key }).ToList()); // lost on reopen
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.Equal(1200, index.Count("acme"));
            Assert.Equal(50, index.Count("globex"));
            Assert.Equal(8, index.GetStatistics("acme").ListCount);
            for (var i = 0; i < queries.Length; i++)
            {
                var after = index.Search("acme", queries[i], 10, new SearchOptions { Probes = 8 });
                Assert.Equal(before[i].Select(h => h.Key), after.Select(h => h.Key));
                Assert.Equal(before[i].Select(h => h.Score), after.Select(h => h.Score));
                Assert.Equal(after[0].Metadata!["n"].AsNumber() % 2 == 0 ? "even" : "odd", after[0].Metadata!["tag"].AsString());
            }
        }
    }

    [Fact]
    public void Deletes_replacements_retrains_merges_and_company_deletes_persist()
    {
        using var temp = new TempDirectory("facade");
        var replaced = Records(7, 1, 50)[0] with { Key = "doc-7" };
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            index.Upsert("acme", Records(0, 300, 4));
            index.Upsert("gone", Records(0, 5, 5));
            index.Commit();
            index.Upsert("acme", Records(300, 300, 6)); // crosses the flat threshold: trains lists
            index.Delete("acme", "doc-3");
            index.Upsert("acme", [replaced]);
            Assert.True(index.DeleteCompany("gone"));
            index.Commit();
            for (var c = 0; c < 10; c++)
            {
                index.Upsert("acme", Records(1000 + c * 10, 10, 100 + c));
                index.Commit(); // more than 8 segments: commits merge the smallest
            }
            Assert.True(index.GetStatistics("acme").SegmentCount <= 10);
            index.Delete("acme", "doc-1005");
            index.Commit();
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.False(index.ContainsCompany("gone"));
            Assert.Equal(600 + 100 - 2, index.Count("acme"));
            var keys = Keys(index, "acme");
            Assert.DoesNotContain("doc-3", keys);
            Assert.DoesNotContain("doc-1005", keys);
            var vector = new float[32];
            Assert.True(index.TryGetVector("acme", "doc-7", vector));
            var expected = replaced.Vector.ToArray();
            VectorDistance.Normalize(expected, expected);
            Assert.Equal(expected, vector);
            Assert.Equal("doc-7", index.Search("acme", replaced.Vector.Span, 1, new SearchOptions { Probes = 100 })[0].Key);

            index.Retrain("acme");
            index.Merge("acme");
            index.Commit();
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.Equal(698, index.Count("acme"));
            Assert.Equal(2, index.GetStatistics("acme").SegmentCount); // the merged segment and the empty in-memory one
            Assert.Equal(0, index.GetStatistics("acme").DeletedCount);
        }
    }

    [Fact]
    public void A_second_writer_is_refused_and_readers_open_alongside()
    {
        using var temp = new TempDirectory("facade");
        using var writer = WerklyIndex.Open(temp.Path, Options);
        writer.Upsert("acme", Records(0, 20, 7));
        writer.Commit();
        Assert.Throws<IndexLockedException>(() => WerklyIndex.Open(temp.Path, Options));
        using var reader = WerklyIndex.Open(temp.Path, Options, readOnly: true);
        Assert.Equal(20, reader.Count("acme"));
        Assert.Throws<InvalidOperationException>(() => reader.Upsert("acme", "x", new float[32]));
        Assert.Throws<InvalidOperationException>(() => reader.Commit());
    }

    [Fact]
    public void Options_that_contradict_the_stored_index_are_refused()
    {
        using var temp = new TempDirectory("facade");
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            index.Upsert("acme", Records(0, 3, 8));
            index.Commit();
        }
        var ex = Assert.Throws<ArgumentException>(() => WerklyIndex.Open(temp.Path, Options with { Dimensions = 64 }));
        Assert.Contains("32", ex.Message);
        Assert.Throws<ArgumentException>(() => WerklyIndex.Open(temp.Path, Options with { Metric = DistanceMetric.SquaredL2 }));
    }

    [Fact]
    public void In_memory_indexes_cannot_commit()
    {
        using var index = new WerklyIndex(Options);
        Assert.Throws<InvalidOperationException>(() => index.Commit());
    }

    [Theory]
    [InlineData(FaultKind.IOError)]
    [InlineData(FaultKind.DiskFull)]
    public void A_failed_commit_loses_nothing_and_the_next_commit_succeeds(FaultKind kind)
    {
        using var temp = new TempDirectory("facade");
        var device = new FlakyStorageDevice(FileStorageDevice.Instance);
        using (var index = WerklyIndex.Open(device, temp.Path, Options))
        {
            index.Upsert("acme", Records(0, 100, 9));
            index.Commit();
            index.Upsert("acme", Records(100, 100, 10));
            index.Delete("acme", "doc-0");
            device.Kind = kind;
            device.FailAt = device.Operations + 2;
            Assert.ThrowsAny<IOException>(() => index.Commit());
            Assert.Equal(199, index.Count("acme")); // still searchable, nothing lost in memory
            device.FailAt = null;
            index.Commit();
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.Equal(199, index.Count("acme"));
            Assert.DoesNotContain("doc-0", Keys(index, "acme"));
        }
    }

    [Fact]
    public async Task Searches_continue_during_commits()
    {
        using var temp = new TempDirectory("facade");
        using var index = WerklyIndex.Open(temp.Path, Options);
        index.Upsert("acme", Records(0, 600, 11));
        var query = Records(0, 1, 11)[0].Vector;
        var writer = Task.Run(() =>
        {
            for (var c = 0; c < 30; c++)
            {
                index.Upsert("acme", Records(1000 + c * 20, 20, 200 + c));
                index.Commit();
            }
        });
        var searches = 0;
        while (!writer.IsCompleted)
        {
            Assert.Equal(10, index.Search("acme", query.Span, 10).Length);
            searches++;
        }
        await writer;
        Assert.True(searches > 0);
        Assert.Equal(1200, index.Count("acme"));
    }
}
