namespace Werkly.VectorIndex.Tests.Ivf;

public class ConcurrencyTests
{
    [Fact]
    public async Task Readers_run_alongside_a_writer_and_a_retrain_and_only_ever_see_live_records()
    {
        const int dimensions = 32;
        var vectors = TestData.Clustered(6000, dimensions, 600, 0.05f, seed: 21);
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = dimensions, FlatSearchThreshold = 1000, Lists = 20 });
        index.Upsert("acme", vectors.Take(2000).Select((v, i) => new VectorRecord($"k{i}", v)).ToList());

        // Keys ever deleted are never re-inserted, so a search returning one after its delete returned is a bug.
        var deleted = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (var i = 2000; i < 6000; i++)
            {
                index.Upsert("acme", $"k{i}", vectors[i]);
                if (i % 3 == 0)
                {
                    var victim = $"k{i - 1500}";
                    if (index.Delete("acme", victim)) deleted[victim] = true;
                }
                if (i % 1000 == 0) index.Retrain("acme");
            }
        });
        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(() =>
        {
            var hits = new SearchHit[10];
            var random = new Random(r);
            var searches = 0;
            while (!writer.IsCompleted || searches < 100)
            {
                var snapshot = deleted.Keys.ToHashSet();
                var count = index.Search("acme", vectors[random.Next(vectors.Length)], hits);
                Assert.Equal(10, count);
                for (var i = 0; i < count; i++)
                {
                    Assert.DoesNotContain(hits[i].Key, snapshot);
                    if (i > 0) Assert.True(hits[i - 1].Score >= hits[i].Score);
                }
                searches++;
            }
        })).ToArray();
        await writer;
        await Task.WhenAll(readers);
        Assert.Equal(4000 - deleted.Count + 2000, index.Count("acme"));
    }

    [Fact]
    public void Span_search_allocates_nothing_after_warm_up()
    {
        var vectors = TestData.Clustered(3000, 384, 300, 0.05f, seed: 4);
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 384, FlatSearchThreshold = 1000 });
        index.Upsert("acme", vectors.Select((v, i) => new VectorRecord($"k{i}", v)).ToList());
        var hits = new SearchHit[10];
        var filtered = new SearchOptions { Filter = static (key, _) => key.Length > 2, Probes = 2 };
        for (var i = 0; i < 50; i++)
        {
            index.Search("acme", vectors[i], hits);
            index.Search("acme", vectors[i], hits, filtered);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            index.Search("acme", vectors[i], hits);
            index.Search("acme", vectors[i], hits, filtered);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

public class AtomicApplyTests
{
    [Fact]
    public async Task Readers_see_a_replaced_document_whole_or_not_at_all()
    {
        // A "document" of 5 chunks is replaced over and over by another version; every search sees one version whole.
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 4 });
        float[] v = [1, 0.5f, 0.25f, 0.125f];
        VectorRecord[] Version(int n) => Enumerable.Range(0, 5).Select(i => new VectorRecord($"doc#{i}", v, new Dictionary<string, MetadataValue> { ["version"] = n })).ToArray();
        index.Apply("acme", Version(0), []);
        var writer = Task.Run(() =>
        {
            for (var n = 1; n <= 2000; n++) index.Apply("acme", Version(n), Enumerable.Range(0, 5).Select(i => $"doc#{i}").ToArray());
        });
        var hits = new SearchHit[10];
        while (!writer.IsCompleted)
        {
            var count = index.Search("acme", v, hits);
            Assert.Equal(5, count);
            Assert.Single(hits.Take(count).Select(h => h.Metadata!["version"].AsNumber()).Distinct());
        }
        await writer;
        Assert.Equal(5, index.Count("acme"));
    }

    [Fact]
    public void A_bad_record_leaves_deletes_unapplied_too()
    {
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 2 });
        index.Upsert("acme", "a", [1, 0]);
        Assert.Throws<Werkly.VectorIndex.Exceptions.InvalidVectorException>(() => index.Apply("acme", [new VectorRecord("b", new float[] { float.NaN, 0 })], ["a"]));
        Assert.Equal(1, index.Count("acme"));
    }
}
