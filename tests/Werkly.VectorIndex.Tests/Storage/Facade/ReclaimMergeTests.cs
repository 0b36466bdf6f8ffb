using Werkly.VectorIndex.Ivf;

namespace Werkly.VectorIndex.Tests.Storage.Facade;

/// <summary>
/// A commit rewrites a committed segment without its deleted rows once they reach
/// <see cref="IvfIndex.ReclaimDeletedPercent"/> of it (and <see cref="IvfIndex.MinReclaimedRows"/>), however large the
/// segment: deleted and replaced rows are otherwise scanned by every search until a retrain compacts the company.
/// </summary>
public class ReclaimMergeTests
{
    private static readonly WerklyIndexOptions Options = new() { Dimensions = 16, FlatSearchThreshold = 500, Lists = 8 };

    private static VectorRecord[] Records(int count, int seed) =>
        [.. TestData.Clustered(count, 16, 20, 0.1f, seed).Select((v, i) => new VectorRecord($"r{i}", v) { Text = $"text {i % 97}" })];

    [Fact]
    public void A_segment_a_quarter_deleted_is_rewritten_by_the_next_commit_and_searches_are_unchanged()
    {
        using var temp = new TempDirectory("reclaim");
        var records = Records(4_000, seed: 3);
        var queries = TestData.Clustered(40, 16, 20, 0.1f, seed: 4);
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            index.Upsert("acme", records);
            index.Commit();
            // 950 deleted (23.75 %, and under 1,000): below both thresholds, nothing is rewritten.
            foreach (var i in Enumerable.Range(0, 950)) index.Delete("acme", $"r{i * 4}");
            index.Commit();
            Assert.Equal(950, index.GetStatistics("acme").DeletedCount);
            Assert.Equal(2, index.GetStatistics("acme").SegmentCount);

            // 1,000 deleted (25 %): the next commit rewrites the segment without them.
            foreach (var i in Enumerable.Range(950, 50)) index.Delete("acme", $"r{i * 4}");
            var before = queries.Select(q => index.Search("acme", q, 10, new SearchOptions { Probes = 8 })).ToArray();
            index.Commit();
            var statistics = index.GetStatistics("acme");
            Assert.Equal(0, statistics.DeletedCount);
            Assert.Equal(3_000, statistics.LiveCount);
            Assert.Equal(2, statistics.SegmentCount);
            for (var i = 0; i < queries.Length; i++)
            {
                var after = index.Search("acme", queries[i], 10, new SearchOptions { Probes = 8 });
                Assert.Equal(before[i].Select(h => (h.Key, h.Score)), after.Select(h => (h.Key, h.Score)));
            }
        }
        using var reopened = WerklyIndex.Open(temp.Path, Options);
        Assert.Equal(0, reopened.GetStatistics("acme").DeletedCount);
        Assert.Equal(3_000, reopened.Count("acme"));
        Assert.DoesNotContain(Enumerable.Range(0, 1_000), i => reopened.TryGetVector("acme", $"r{i * 4}", new float[16]));
        Assert.Equal("r1", reopened.Search("acme", records[1].Vector.Span, 1, new SearchOptions { Probes = 8 })[0].Key);
    }

    [Fact]
    public void Many_deletes_in_a_large_segment_below_a_quarter_wait_and_replacements_count_as_deletes()
    {
        using var temp = new TempDirectory("reclaim");
        using var index = WerklyIndex.Open(temp.Path, Options);
        var records = Records(8_000, seed: 5);
        index.Upsert("acme", records);
        index.Commit();
        // 1,900 replaced (23.75 % of the segment): the old rows stay, deleted, in the first segment.
        index.Upsert("acme", [.. records.Take(1_900).Select(r => r with { Text = "replaced" })]);
        index.Commit();
        Assert.Equal(1_900, index.GetStatistics("acme").DeletedCount);
        // 100 more replaced: 2,000 of 8,000 rows of the first segment deleted → rewritten with its live 6,000.
        index.Upsert("acme", [.. records.Skip(1_900).Take(100).Select(r => r with { Text = "replaced" })]);
        index.Commit();
        var statistics = index.GetStatistics("acme");
        Assert.Equal(8_000, statistics.LiveCount);
        Assert.Equal(0, statistics.DeletedCount);
        Assert.Equal(5, index.Search("acme", new SearchQuery { Text = "replaced", Mode = SearchMode.Keyword, Top = 5 }).Count);
    }
}
