using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Werkly.VectorIndex.Tests.Properties;

/// <summary>
/// The query-result cache never returns a result older than the last acknowledged write of that company: random
/// interleavings of writes (upserts, deletes, document replacements, retrains, company deletions) and repeated
/// searches of every mode on a cached index give exactly the results of the same operations on an uncached index;
/// and under concurrent writers, a search never sees a version older than the last one acknowledged before it began.
/// </summary>
public class QueryCacheProperties
{
    private static readonly string[] Companies = ["acme", "globex"];
    private const int Dimensions = 8;

    private static float[] VectorFor(int seed)
    {
        var random = new Random(seed);
        var v = new float[Dimensions];
        for (var d = 0; d < Dimensions; d++) v[d] = (float)(random.NextDouble() * 2 - 1);
        v[0] += 0.01f;
        return v;
    }

    private static readonly Gen<int[]> OpsGen =
        from n in Gen.Choose(0, 150)
        from ops in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), n)
        select ops;

    /// <summary>A few distinct queries, so that most searches repeat an earlier one (and could hit a stale entry).</summary>
    private static SearchQuery QueryFor(uint u)
    {
        var which = (u / 16) % 6;
        var words = new[] { "alpha", "beta", "gamma" };
        return (which % 3) switch
        {
            0 => new SearchQuery { Mode = SearchMode.Vector, Vector = VectorFor((int)(which + 1)), Top = 5 },
            1 => new SearchQuery { Mode = SearchMode.Keyword, Text = words[which % 3], Top = 5 },
            _ => new SearchQuery { Mode = SearchMode.Hybrid, Text = words[(which + 1) % 3], Vector = VectorFor((int)(which + 1)), Top = 5 },
        };
    }

    [Property(MaxTest = 300)]
    public Property Cached_searches_equal_uncached_ones_after_every_write() => Prop.ForAll(OpsGen.ToArbitrary(), ops =>
    {
        var options = new WerklyIndexOptions { Dimensions = Dimensions, FlatSearchThreshold = 12, Lists = 3 };
        using var cached = new WerklyIndex(options with { QueryCacheBytes = 1 << 20 });
        using var plain = new WerklyIndex(options);
        var words = new[] { "alpha", "beta", "gamma", "delta" };
        foreach (var op in ops)
        {
            var u = (uint)op;
            var company = Companies[(u / 8) % 2];
            var key = $"k{(u / 32) % 20}";
            foreach (var index in new[] { cached, plain })
            {
                switch (u % 8)
                {
                    case < 3:
                        index.Upsert(company, new VectorRecord(key, VectorFor(op)) { Text = $"{words[(u / 640) % 4]} {words[(u / 2560) % 4]}" });
                        break;
                    case 3:
                        index.Delete(company, key);
                        break;
                    case 4:
                        var document = $"doc{(u / 32) % 3}";
                        index.ReplaceDocuments(company, [new DocumentUpdate(document, $"h{op}", [new VectorRecord($"{document}-{key}", VectorFor(op + 1)) { Text = words[(u / 640) % 4] }])]);
                        break;
                    case 5:
                        if (index.ContainsCompany(company) && (u / 8) % 7 == 0) index.Retrain(company);
                        else if ((u / 8) % 11 == 0) index.DeleteCompany(company);
                        break;
                }
            }
            if (u % 8 < 6 || !plain.ContainsCompany(company)) continue;
            // Search twice: the second is answered from the cache whenever nothing was written in between.
            var query = QueryFor(u);
            var expected = plain.Search(company, query).Select(r => (r.Key, r.Score)).ToArray();
            Assert.Equal(expected, cached.Search(company, query).Select(r => (r.Key, r.Score)));
            Assert.Equal(expected, cached.Search(company, query).Select(r => (r.Key, r.Score)));
            var hits = plain.Search(company, query.Vector?.ToArray() ?? VectorFor(1), 3).Select(h => (h.Key, h.Score)).ToArray();
            Assert.Equal(hits, cached.Search(company, query.Vector?.ToArray() ?? VectorFor(1), 3).Select(h => (h.Key, h.Score)));
        }
    });

    /// <summary>
    /// One writer per company replaces record "current" with versions 1, 2, 3, … (each its own vector, so a search finds
    /// it first) and publishes a version once the upsert returned; searchers repeat the same cached queries and check
    /// the version they get is never older than the one published before their search began.
    /// </summary>
    [Fact]
    public async Task Under_concurrent_writes_a_search_never_returns_a_version_older_than_the_last_acknowledged_write()
    {
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = Dimensions, QueryCacheBytes = 4 << 20 });
        var query = VectorFor(42);
        var acknowledged = new long[Companies.Length];
        foreach (var company in Companies)
        {
            index.Upsert(company, [.. Enumerable.Range(0, 200).Select(i => new VectorRecord($"other-{i}", VectorFor(1000 + i)))]);
            index.Upsert(company, "current", query, new Dictionary<string, MetadataValue> { ["version"] = 0 });
        }
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        long searches = 0, writes = 0;
        // Dedicated threads (LongRunning): on a busy 2-core pool, spinning searchers would otherwise starve the writers.
        var writers = Companies.Select((company, c) => Task.Factory.StartNew(() =>
        {
            for (var version = 1L; !stop.IsCancellationRequested; version++)
            {
                index.Upsert(company, "current", query, new Dictionary<string, MetadataValue> { ["version"] = version });
                Volatile.Write(ref acknowledged[c], version);
                Interlocked.Increment(ref writes);
                Thread.Sleep(1); // leave windows in which repeated searches are answered from the cache
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        var searchers = Enumerable.Range(0, 3).Select(s => Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var c = (int)(Interlocked.Increment(ref searches) % Companies.Length);
                var floor = Volatile.Read(ref acknowledged[c]);
                var seen = s % 2 == 0
                    ? index.Search(Companies[c], query, 1)[0].Metadata!["version"].AsNumber()
                    : index.Search(Companies[c], new SearchQuery { Mode = SearchMode.Vector, Vector = query, Top = 1, Include = RecordFields.Metadata })[0].Metadata!["version"].AsNumber();
                if (seen < floor) failures.Enqueue($"{Companies[c]}: saw version {seen} after version {floor} was acknowledged");
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll([.. writers, .. searchers]);
        Assert.Empty(failures);
        Assert.True(writes > 10 && searches > 10, $"{writes} writes, {searches} searches");
    }
}
