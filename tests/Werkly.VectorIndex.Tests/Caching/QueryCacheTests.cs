using System.Diagnostics.Metrics;
using Werkly.VectorIndex.Tests.Storage;

namespace Werkly.VectorIndex.Tests.Caching;

/// <summary>The query-result cache (<see cref="WerklyIndexOptions.QueryCacheBytes"/>): what it answers, when a write
/// invalidates it, its size bound and its meter counters.</summary>
public class QueryCacheTests
{
    private const int Dimensions = 16;

    private static WerklyIndex NewIndex(long cacheBytes = 4 << 20) =>
        new(new WerklyIndexOptions { Dimensions = Dimensions, QueryCacheBytes = cacheBytes, FlatSearchThreshold = 200 });

    private static float[] V(int seed) => TestData.Unit(TestData.Gaussian(new Random(seed), Dimensions));

    private static void Fill(WerklyIndex index, string company, int count, int seed = 0)
    {
        index.Upsert(company, [.. Enumerable.Range(0, count).Select(i => new VectorRecord($"{company}-{i}", V(seed + i)) { Title = $"doc {i}", Text = $"word{i % 7} common text {i}" })]);
    }

    [Fact]
    public void Off_by_default()
    {
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = Dimensions });
        Assert.Null(index.QueryCache);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WerklyIndexOptions { Dimensions = 4, QueryCacheBytes = 1000 }.Validate());
    }

    [Fact]
    public void A_repeated_query_is_a_hit_with_the_same_results_as_a_search()
    {
        using var index = NewIndex();
        using var plain = new WerklyIndex(new WerklyIndexOptions { Dimensions = Dimensions, FlatSearchThreshold = 200 });
        Fill(index, "acme", 500);
        Fill(plain, "acme", 500);
        var cache = index.QueryCache!;
        var queries = new[]
        {
            new SearchQuery { Mode = SearchMode.Vector, Vector = V(7), Top = 5 },
            new SearchQuery { Mode = SearchMode.Keyword, Text = "word3 common", Top = 5 },
            new SearchQuery { Mode = SearchMode.Hybrid, Text = "word3 common", Vector = V(8), Top = 5, Include = RecordFields.All },
            new SearchQuery { Mode = SearchMode.Hybrid, Text = "word3 common", Vector = V(8), Top = 5, Fusion = new FusionOptions { Method = FusionMethod.ReciprocalRank } },
        };
        foreach (var query in queries)
        {
            var misses = cache.Misses;
            var first = index.Search("acme", query);
            Assert.Equal(misses + 1, cache.Misses);
            var hits = cache.Hits;
            var second = index.Search("acme", query);
            Assert.Equal(hits + 1, cache.Hits);
            Assert.NotSame(first, second);
            Assert.Equal(first, second);
            Assert.Equal(plain.Search("acme", query).Select(r => (r.Key, r.Score)), second.Select(r => (r.Key, r.Score)));
        }
        // The same query under other options is another entry.
        var before = cache.Misses;
        index.Search("acme", queries[0] with { Top = 6 });
        index.Search("acme", queries[0] with { Probes = 2 });
        index.Search("acme", queries[2] with { Fusion = new FusionOptions { Alpha = 0.9 } });
        Assert.Equal(before + 3, cache.Misses);
        // The hit array overload is cached too, and a hit is a copy the caller may change.
        var array = index.Search("acme", V(9), 4);
        array[0] = default;
        Assert.Equal(plain.Search("acme", V(9), 4).Select(h => (h.Key, h.Score)), index.Search("acme", V(9), 4).Select(h => (h.Key, h.Score)));
    }

    [Fact]
    public void Filtered_searches_and_the_span_overload_are_never_cached()
    {
        using var index = NewIndex();
        Fill(index, "acme", 300);
        var cache = index.QueryCache!;
        var filtered = new SearchQuery { Mode = SearchMode.Vector, Vector = V(1), Filter = (k, _) => k.EndsWith('1') };
        index.Search("acme", filtered);
        index.Search("acme", filtered);
        index.Search("acme", V(1), 3, new SearchOptions { Filter = (_, _) => true });
        index.Search("acme", V(1), new SearchHit[3]);
        Assert.Equal(0, cache.Hits + cache.Misses);
    }

    [Fact]
    public void A_write_invalidates_its_company_only()
    {
        using var index = NewIndex();
        Fill(index, "acme", 300);
        Fill(index, "globex", 300, seed: 1000);
        var cache = index.QueryCache!;
        var query = new SearchQuery { Mode = SearchMode.Vector, Vector = V(5000), Top = 3 };
        index.Search("acme", query);
        index.Search("globex", query);
        var hits = cache.Hits;
        index.Upsert("acme", "new", V(5000));
        Assert.Equal("new", index.Search("acme", query)[0].Key); // recomputed: a miss
        Assert.Equal(hits, cache.Hits);
        index.Search("globex", query); // still valid
        Assert.Equal(hits + 1, cache.Hits);
        index.Search("acme", query);
        Assert.Equal(hits + 2, cache.Hits);

        // Deletes, document replacement and retraining invalidate too, as do deleting and re-creating the company.
        Assert.True(index.Delete("acme", "new"));
        Assert.NotEqual("new", index.Search("acme", query)[0].Key);
        index.Retrain("acme");
        var missesBefore = cache.Misses;
        index.Search("acme", query);
        Assert.Equal(missesBefore + 1, cache.Misses);
        index.Search("acme", query);
        Assert.True(index.DeleteCompany("acme"));
        Assert.Throws<Exceptions.CompanyNotFoundException>(() => index.Search("acme", query));
        index.Upsert("acme", "only", V(77));
        Assert.Equal("only", Assert.Single(index.Search("acme", query)).Key);
    }

    /// <summary>Invalidation is O(1): a write moves the company's generation and touches no entry; the stale entries
    /// are dropped when met (or aged out), and each is then a miss.</summary>
    [Fact]
    public void A_write_touches_no_entry()
    {
        using var index = NewIndex();
        Fill(index, "acme", 300);
        var cache = index.QueryCache!;
        var queries = Enumerable.Range(0, 200).Select(i => new SearchQuery { Mode = SearchMode.Vector, Vector = V(20_000 + i), Top = 3 }).ToArray();
        foreach (var query in queries) index.Search("acme", query);
        var size = cache.SizeBytes;
        var evictions = cache.Evictions;
        index.Upsert("acme", "new", V(1));
        Assert.Equal(size, cache.SizeBytes);
        Assert.Equal(evictions, cache.Evictions);
        var misses = cache.Misses;
        foreach (var query in queries) index.Search("acme", query);
        Assert.Equal(misses + queries.Length, cache.Misses);
    }

    [Fact]
    public void The_cache_stays_within_its_size_and_evicts_least_recently_used()
    {
        using var index = NewIndex(cacheBytes: 1 << 20);
        Fill(index, "acme", 300);
        var cache = index.QueryCache!;
        for (var i = 0; i < 4000; i++)
            index.Search("acme", new SearchQuery { Mode = SearchMode.Vector, Vector = V(10_000 + i), Top = 10, Include = RecordFields.Text });
        Assert.True(cache.SizeBytes <= cache.MaxBytes, $"{cache.SizeBytes} > {cache.MaxBytes}");
        Assert.True(cache.Evictions > 0);
        // The newest entries are still there.
        var hits = cache.Hits;
        index.Search("acme", new SearchQuery { Mode = SearchMode.Vector, Vector = V(10_000 + 3999), Top = 10, Include = RecordFields.Text });
        Assert.Equal(hits + 1, cache.Hits);
    }

    [Fact]
    public void Hits_misses_and_evictions_are_counted_in_the_meter()
    {
        var counts = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Werkly.VectorIndex" && instrument.Name.StartsWith("werkly.query_cache.", StringComparison.Ordinal)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "db.collection.name" && (string)tag.Value! == "metered")
                {
                    lock (counts) counts[instrument.Name] = counts.GetValueOrDefault(instrument.Name) + value;
                }
            }
        });
        listener.Start();
        using var index = NewIndex(cacheBytes: 1 << 20);
        Fill(index, "metered", 50);
        var query = new SearchQuery { Mode = SearchMode.Vector, Vector = V(3), Top = 5 };
        index.Search("metered", query);
        index.Search("metered", query);
        index.Search("metered", query);
        for (var i = 0; i < 3000; i++) index.Search("metered", query with { Vector = V(50_000 + i), Include = RecordFields.Text });
        Assert.Equal(2, counts.GetValueOrDefault("werkly.query_cache.hits"));
        Assert.Equal(3001, counts.GetValueOrDefault("werkly.query_cache.misses"));
        Assert.True(counts.GetValueOrDefault("werkly.query_cache.evictions") > 0);
    }

    /// <summary>A query embedded from its text is answered from the cache without calling the embedder again.</summary>
    [Fact]
    public void A_cached_text_query_is_not_embedded_again()
    {
        var embedded = 0;
        using var index = new WerklyIndex(new WerklyIndexOptions
        {
            Dimensions = Dimensions,
            QueryCacheBytes = 1 << 20,
            QueryEmbedder = (text, _) =>
            {
                Interlocked.Increment(ref embedded);
                return ValueTask.FromResult<ReadOnlyMemory<float>>(V(text.Length));
            },
        });
        Fill(index, "acme", 100);
        var query = new SearchQuery { Text = "how do I reset my password", Top = 3 };
        var first = index.Search("acme", query);
        var second = index.Search("acme", query);
        Assert.Equal(first, second);
        Assert.Equal(1, embedded);
    }

    /// <summary>A read replica's cached results never outlive a refresh that brought a newer commit.</summary>
    [Fact]
    public void A_refresh_invalidates_the_companies_it_changes()
    {
        using var temp = new TempDirectory("cache-refresh");
        var options = new WerklyIndexOptions { Dimensions = Dimensions, QueryCacheBytes = 1 << 20 };
        using var writer = WerklyIndex.Open(temp.Path, options);
        Fill(writer, "acme", 50);
        writer.Commit();
        using var reader = WerklyIndex.Open(temp.Path, options, readOnly: true);
        var query = new SearchQuery { Mode = SearchMode.Vector, Vector = V(1234), Top = 1 };
        Assert.NotEqual("new", reader.Search("acme", query)[0].Key);
        writer.Upsert("acme", "new", V(1234));
        writer.Commit();
        Assert.NotEqual("new", reader.Search("acme", query)[0].Key); // not refreshed yet: the reader's state is unchanged
        Assert.True(reader.Refresh());
        Assert.Equal("new", reader.Search("acme", query)[0].Key);
    }
}
