namespace Werkly.VectorIndex.Tests.Storage.Facade;

/// <summary>The reclaim merge with quantization, the write-ahead log, a read replica and the keyword side; a fully deleted segment merges into nothing.</summary>
public class ReclaimMergeReviewTests
{
    private static readonly WerklyIndexOptions Options = new()
    {
        Dimensions = 16, FlatSearchThreshold = 500, Lists = 8, Quantization = VectorQuantization.Scalar8, Durability = Durability.PerWrite, QueryCacheBytes = 4 << 20,
    };

    private static VectorRecord[] Records(int count, int seed, string text = "text") =>
        [.. TestData.Clustered(count, 16, 20, 0.1f, seed).Select((v, i) => new VectorRecord($"r{i}", v) { Text = $"{text} {i % 97}" })];

    [Fact]
    public void Reclaim_with_codes_log_replay_replica_and_keywords()
    {
        using var temp = new TempDirectory("reclaim4");
        var records = Records(4_000, seed: 3);
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            index.Upsert("acme", records);
            index.Commit();
            using var replica = WerklyIndex.Open(temp.Path, Options with { Durability = Durability.OnCommit }, readOnly: true);
            var q = new SearchQuery { Mode = SearchMode.Hybrid, Text = "text 5", Vector = records[5].Vector, Top = 10 };
            replica.Search("acme", q);
            foreach (var i in Enumerable.Range(0, 1_200)) index.Delete("acme", $"r{i * 3}");
            index.Upsert("acme", [.. records.Skip(1).Take(20).Select(r => r with { Text = "replaced" })]);
            index.Commit(); // reclaim merge of the first segment
            Assert.Equal(0, index.GetStatistics("acme").DeletedCount);
            Assert.Empty(index.CheckConsistency("acme"));
            // Writes after the merge, logged only.
            index.Delete("acme", "r1");
            index.Upsert("acme", [records[2] with { Text = "again" }]);
            Assert.True(replica.Refresh());
            var fromReplica = replica.Search("acme", q).Select(r => (r.Key, r.Score)).ToArray();
            Assert.Equal(index.Search("acme", q).Select(r => (r.Key, r.Score)), fromReplica);
            Assert.Equal(index.Count("acme"), replica.Count("acme"));
            Assert.Single(index.Search("acme", new SearchQuery { Mode = SearchMode.Keyword, Text = "again", Top = 5 }));
        }
        using var reopened = WerklyIndex.Open(temp.Path, Options);
        Assert.Equal(4_000 - 1_200 + 6 - 1, reopened.Count("acme")); // r3..r18 (multiples of 3) came back with the upsert
        Assert.Empty(reopened.CheckConsistency("acme"));
        Assert.False(reopened.TryGetVector("acme", "r1", new float[16]));
        Assert.False(reopened.TryGetVector("acme", "r30", new float[16]));
        Assert.Single(reopened.Search("acme", new SearchQuery { Mode = SearchMode.Keyword, Text = "again", Top = 5 }));
        Assert.Equal(18, reopened.Search("acme", new SearchQuery { Mode = SearchMode.Keyword, Text = "replaced", Top = 50 }).Count);
        Assert.Equal(VectorQuantization.Scalar8, reopened.GetStatistics("acme").Quantization);
    }

    [Fact]
    public void A_fully_deleted_segment_merges_into_nothing()
    {
        using var temp = new TempDirectory("reclaim4b");
        var options = Options with { AutoRetrain = false, Quantization = VectorQuantization.None, FlatSearchThreshold = 100_000 };
        using var index = WerklyIndex.Open(temp.Path, options);
        index.Upsert("acme", [new VectorRecord("keep", new float[16] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]);
        index.Commit();
        var counts = new List<int>();
        for (var round = 0; round < 3; round++)
        {
            var batch = Records(1_000, seed: round).Select(r => r with { Key = $"b{round}-{r.Key}" }).ToArray();
            index.Upsert("acme", batch);
            index.Commit();
            foreach (var r in batch) index.Delete("acme", r.Key);
            index.Commit(); // reclaim: the batch's segment has no live row left and leaves no segment behind
            counts.Add(index.GetStatistics("acme").SegmentCount);
        }
        Assert.Equal(1, index.Count("acme"));
        Assert.Equal([2, 2, 2], counts); // committed "keep" segment + memory segment
    }
}
