using Werkly.VectorIndex.Distance;

namespace Werkly.VectorIndex.Tests.Ivf;

public class IvfRecallTests
{
    private const string Company = "acme";

    private static (WerklyIndex Index, Dictionary<string, float[]> Records) Build(int n, int dimensions, DistanceMetric metric, int? lists = null, int flatThreshold = 1000, int seed = 42)
    {
        var vectors = TestData.Clustered(n, dimensions, clusters: n / 5, spread: 0.05f, seed);
        var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = dimensions, Metric = metric, Lists = lists, FlatSearchThreshold = flatThreshold, Seed = seed });
        var records = new Dictionary<string, float[]>();
        var batch = new List<VectorRecord>();
        for (var i = 0; i < n; i++)
        {
            var key = $"doc-{i:D6}";
            records[key] = vectors[i];
            batch.Add(new VectorRecord(key, vectors[i]));
        }
        index.Upsert(Company, batch);
        return (index, records);
    }

    private static double Recall(WerklyIndex index, Dictionary<string, float[]> records, float[][] queries, int k, DistanceMetric metric, SearchOptions? options = null)
    {
        double found = 0;
        foreach (var q in queries)
        {
            var truth = TestData.BruteForce(records, q, k, metric).ToHashSet();
            found += index.Search(Company, q, k, options).Count(h => truth.Contains(h.Key));
        }
        return found / (queries.Length * k);
    }

    [Theory]
    [InlineData(384)]
    [InlineData(512)]
    [InlineData(1536)]
    public void Default_probes_reach_recall_095(int dimensions)
    {
        var n = dimensions == 1536 ? 4000 : 8000;
        var (index, records) = Build(n, dimensions, DistanceMetric.Cosine);
        var stats = index.GetStatistics(Company);
        Assert.True(stats.ListCount > 1, "expected IVF lists above the flat threshold");
        var queries = TestData.Clustered(50, dimensions, n / 5, 0.05f, seed: 42); // same mixture, new draws
        var recall = Recall(index, records, queries, 10, DistanceMetric.Cosine);
        Assert.True(recall >= 0.95, $"recall@10 {recall:F3} at default probes {stats.DefaultProbes}/{stats.ListCount}");
    }

    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.InnerProduct)]
    [InlineData(DistanceMetric.SquaredL2)]
    public void Probing_every_list_is_exact(DistanceMetric metric)
    {
        var (index, records) = Build(3000, 64, metric, lists: 16);
        var queries = TestData.Clustered(30, 64, 600, 0.05f, seed: 7);
        foreach (var q in queries)
        {
            var expected = TestData.BruteForce(records, q, 10, metric);
            var actual = index.Search(Company, q, 10, new SearchOptions { Probes = 16 }).Select(h => h.Key).ToArray();
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Flat_search_equals_brute_force()
    {
        var (index, records) = Build(2000, 96, DistanceMetric.Cosine, flatThreshold: 100_000);
        Assert.Equal(0, index.GetStatistics(Company).ListCount);
        foreach (var q in TestData.Clustered(30, 96, 400, 0.05f, seed: 11))
        {
            var explanation = index.Explain(Company, q, 10);
            Assert.True(explanation.Exact);
            Assert.Equal(TestData.BruteForce(records, q, 10, DistanceMetric.Cosine), explanation.Hits.Select(h => h.Key).ToArray());
        }
    }

    [Fact]
    public void Recall_grows_with_probes_and_the_same_seed_gives_the_same_lists()
    {
        var (a, records) = Build(6000, 64, DistanceMetric.Cosine, lists: 60);
        var (b, _) = Build(6000, 64, DistanceMetric.Cosine, lists: 60);
        var queries = TestData.Clustered(40, 64, 1200, 0.05f, seed: 5);
        double previous = 0;
        foreach (var probes in new[] { 1, 4, 16, 60 })
        {
            var options = new SearchOptions { Probes = probes };
            var recall = Recall(a, records, queries, 10, DistanceMetric.Cosine, options);
            Assert.True(recall >= previous - 1e-9, $"recall fell from {previous} to {recall} at probes {probes}");
            previous = recall;
            foreach (var q in queries.Take(5))
                Assert.Equal(a.Search(Company, q, 10, options), b.Search(Company, q, 10, options));
        }
        Assert.Equal(1.0, previous, 6);
    }

    [Fact]
    public void Filtered_search_returns_k_hits_when_k_match()
    {
        var (index, records) = Build(5000, 32, DistanceMetric.Cosine, lists: 50);
        // Tag only 12 records, scattered over lists; a filtered search at probes 1 must still find all of them.
        var tagged = records.Keys.Where((_, i) => i % 400 == 3).ToHashSet();
        Assert.Equal(13, tagged.Count);
        var options = new SearchOptions { Probes = 1, Filter = (key, _) => tagged.Contains(key) };
        var q = records.First().Value;
        var explanation = index.Explain(Company, q, 10, options);
        Assert.Equal(10, explanation.Hits.Count);
        Assert.All(explanation.Hits, h => Assert.Contains(h.Key, tagged));
        Assert.True(explanation.ProbedLists.Count > 1);
        Assert.True(explanation.VectorsFilteredOut > 0);
        Assert.Equal(explanation.Hits.OrderByDescending(h => h.Score).Select(h => h.Key), explanation.Hits.Select(h => h.Key));
        // Probing every list, the filtered search is exact.
        var expected = tagged.Select(k => (k, TestData.Score(DistanceMetric.Cosine, records[k], q)))
            .OrderByDescending(x => x.Item2).ThenBy(x => x.k, StringComparer.Ordinal).Take(10).Select(x => x.k);
        Assert.Equal(expected, index.Search(Company, q, 10, options with { Probes = 50 }).Select(h => h.Key));
    }

    [Fact]
    public void Metadata_filter_and_projection()
    {
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 4 });
        index.Upsert("c1", "a", [1, 0, 0, 0], new Dictionary<string, MetadataValue> { ["lang"] = "en", ["page"] = 1, ["draft"] = false, ["at"] = new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero) });
        index.Upsert("c1", "b", [0.9f, 0.1f, 0, 0], new Dictionary<string, MetadataValue> { ["lang"] = "nl", ["page"] = 2 });
        index.Upsert("c1", "c", [0.8f, 0.2f, 0, 0]);
        var hits = index.Search("c1", [1, 0, 0, 0], 3, new SearchOptions { Filter = (_, m) => m is not null && m.TryGetValue("lang", out var v) && v.AsString() == "en" });
        var hit = Assert.Single(hits);
        Assert.Equal("a", hit.Key);
        Assert.Equal(1.0, hit.Metadata!["page"].AsNumber());
        Assert.False(hit.Metadata!["draft"].AsBoolean());
        Assert.Equal(2026, hit.Metadata!["at"].AsDate().Year);
    }

    [Fact]
    public void Deleted_and_replaced_vectors_are_never_returned()
    {
        var (index, records) = Build(3000, 32, DistanceMetric.Cosine, lists: 30);
        var q = records["doc-000010"];
        Assert.Equal("doc-000010", index.Search(Company, q, 1, new SearchOptions { Probes = 30 })[0].Key);
        Assert.True(index.Delete(Company, "doc-000010"));
        Assert.False(index.Delete(Company, "doc-000010"));
        Assert.DoesNotContain(index.Search(Company, q, 50, new SearchOptions { Probes = 30 }), h => h.Key == "doc-000010");

        // Replace doc-000011 with the opposite vector: searching for its old vector must not find it at the top.
        var old = records["doc-000011"];
        index.Upsert(Company, "doc-000011", old.Select(x => -x).ToArray());
        var top = index.Search(Company, old, 10, new SearchOptions { Probes = 30 });
        Assert.DoesNotContain(top, h => h.Key == "doc-000011");
        Assert.Equal(2999, index.Count(Company));
        Assert.Equal(2, index.GetStatistics(Company).DeletedCount);
        index.Retrain(Company);
        Assert.Equal(0, index.GetStatistics(Company).DeletedCount);
        Assert.Equal(2999, index.Count(Company));
    }

    [Fact]
    public void Deletes_that_empty_the_probed_lists_still_yield_k_hits()
    {
        var (index, records) = Build(2000, 32, DistanceMetric.Cosine, lists: 20);
        var q = records["doc-000001"];
        var before = index.Explain(Company, q, 10, new SearchOptions { Probes = 1 });
        var probed = before.ProbedLists[0];
        // A search for exactly the probed list's size at probes 1 returns that whole list: delete all of it.
        var listSize = (int)before.VectorsScanned;
        foreach (var hit in index.Search(Company, q, listSize, new SearchOptions { Probes = 1 })) index.Delete(Company, hit.Key);
        var after = index.Explain(Company, q, 10, new SearchOptions { Probes = 1 });
        Assert.Equal(10, after.Hits.Count);
        Assert.Contains(after.ProbedLists, l => l != probed);
    }

    [Fact]
    public void Ties_are_broken_by_key()
    {
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 3 });
        foreach (var key in new[] { "d", "b", "a", "c", "e" }) index.Upsert("c1", key, [1, 2, 3]);
        Assert.Equal(["a", "b", "c"], index.Search("c1", [1, 2, 3], 3).Select(h => h.Key));
    }

    [Fact]
    public void Growing_twofold_retrains_automatically()
    {
        var vectors = TestData.Clustered(9000, 32, 1000, 0.05f, seed: 3);
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 32, FlatSearchThreshold = 2000 });
        index.Upsert(Company, vectors.Take(1999).Select((v, i) => new VectorRecord($"k{i}", v)).ToList());
        Assert.Equal(0, index.GetStatistics(Company).ListCount);
        index.Upsert(Company, vectors.Skip(1999).Take(1).Select(v => new VectorRecord("k1999", v)).ToList());
        var first = index.GetStatistics(Company);
        Assert.Equal(2000, first.TrainedAtCount);
        Assert.Equal(2, first.ListCount);
        index.Upsert(Company, vectors.Skip(2000).Take(1999).Select((v, i) => new VectorRecord($"k{2000 + i}", v)).ToList());
        Assert.Equal(2000, index.GetStatistics(Company).TrainedAtCount);
        index.Upsert(Company, vectors.Skip(3999).Take(1).Select(v => new VectorRecord("k3999", v)).ToList());
        Assert.Equal(4000, index.GetStatistics(Company).TrainedAtCount);
        Assert.Equal(4, index.GetStatistics(Company).ListCount);
    }

    [Fact]
    public void Default_list_count_follows_rows_over_1000_then_square_root()
    {
        Assert.Equal(1, Werkly.VectorIndex.Ivf.IvfIndex.DefaultListCount(500));
        Assert.Equal(100, Werkly.VectorIndex.Ivf.IvfIndex.DefaultListCount(100_000));
        Assert.Equal(1000, Werkly.VectorIndex.Ivf.IvfIndex.DefaultListCount(1_000_000));
        Assert.Equal(2000, Werkly.VectorIndex.Ivf.IvfIndex.DefaultListCount(4_000_000));
    }
}

public class CompactionTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Replaced_rows_are_compacted_away_once_they_outnumber_live_ones(bool autoRetrain)
    {
        // Re-ingesting the same 200 records 30 times leaves 5,800 replaced rows unless writes compact them.
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 16, AutoRetrain = autoRetrain });
        var vectors = TestData.Clustered(200, 16, 20, 0.1f, seed: 8);
        for (var round = 0; round < 30; round++)
            index.Upsert("acme", vectors.Select((v, i) => new VectorRecord($"k{i}", v)).ToList());
        var stats = index.GetStatistics("acme");
        Assert.Equal(200, stats.LiveCount);
        if (autoRetrain) Assert.True(stats.DeletedCount <= Werkly.VectorIndex.Ivf.IvfIndex.CompactionMinimumDeletedRows, $"{stats.DeletedCount} deleted rows kept");
        else Assert.Equal(29 * 200, stats.DeletedCount); // the policy is off: only an explicit Retrain compacts
        Assert.Equal("k7", index.Search("acme", vectors[7], 1)[0].Key);
    }
}
