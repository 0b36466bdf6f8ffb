using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.VectorData.ConformanceSuite;
using Werkly.VectorIndex.VectorData.Storage;

namespace Werkly.VectorIndex.VectorData.Tests;

public sealed class IntTenantRecord
{
    [VectorStoreKey] public string Key { get; set; } = "";
    [VectorStoreData(IsIndexed = true)] public int Tenant { get; set; }
    [VectorStoreData(IsIndexed = true)] public int Year { get; set; }
    [VectorStoreVector(4)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>Defects found by reviewing the search path and the store's lifetime (each test failed before its fix).</summary>
public sealed class SearchLifetimeReviewTests : IDisposable
{
    private static readonly WerklyCollectionOptions Tenanted = new() { TenantProperty = nameof(TenantRecord.CompanyId) };
    private static readonly ReadOnlyMemory<float> Query = new([1, 1, 0.5f, 0.25f]);
    private readonly WerklyVectorStore _store = new((string?)null);

    public void Dispose() => _store.Dispose();

    private static IEnumerable<TenantRecord> Records() => Enumerable.Range(0, 12).Select(i => new TenantRecord
    {
        Key = $"k{i:D2}", CompanyId = i % 3 == 0 ? "globex" : "acme", Text = $"text {i}", Year = 2000 + i,
        Vector = new([1, i / 12f, 0.5f, 0.25f]),
    });

    private async Task<VectorStoreCollection<string, TenantRecord>> Collection()
    {
        var collection = _store.GetCollection<string, TenantRecord>("docs", Tenanted);
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(Records());
        return collection;
    }

    // Finding 1: Run() pages with the Skip it read first; MoveNext() re-reads options.Skip on every call to index the
    // page's vectors, so a caller that changes its options object mid-enumeration gets another hit's vector.
    [Fact]
    public async Task Changing_Skip_mid_enumeration_does_not_attach_another_hits_vector()
    {
        var collection = await Collection();
        var options = new VectorSearchOptions<TenantRecord> { Filter = r => r.CompanyId == "acme", IncludeVectors = true, Skip = 2 };
        var seen = new List<TenantRecord>();
        await foreach (var hit in collection.SearchAsync(Query, 3, options))
        {
            seen.Add(hit.Record);
            options.Skip = 1; // e.g. an options object shared for paging
            if (seen.Count == 2) break; // (a third MoveNextAsync faults with IndexOutOfRangeException)
        }
        foreach (var record in seen)
        {
            var stored = await collection.GetAsync(record.Key, new() { IncludeVectors = true });
            Assert.Equal(stored!.Vector.ToArray(), record.Vector.ToArray());
        }
    }

    // Finding 2: the tokens are checked per mapped hit only, never before the search runs.
    [Fact]
    public async Task A_cancelled_token_cancels_a_search_that_finds_nothing()
    {
        var collection = await Collection();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await collection.SearchAsync(Query, 5, new() { Filter = r => r.CompanyId == "acme" && r.Year > 3000 }, cancelled.Token).ToListAsync());
    }

    // Finding 3: StoreRoot.Release drops the root from the shared table, then closes its engines outside the lock
    // (waiting for running leases); a store opened on the folder meanwhile opens the same index and meets its LOCK.
    [Fact]
    public async Task A_store_opened_while_the_last_one_closes_can_search()
    {
        using var folder = new TempFolder("release-race");
        var first = new WerklyVectorStore(folder.Path);
        var collection = (WerklyCollection<string, TenantRecord>)first.GetCollection<string, TenantRecord>("docs", Tenanted);
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(Records());
        var entry = collection.EntryForBenchmarks();
        var inFlight = entry.Enter(); // a search still running on the first store
        var closing = Task.Run(first.Dispose);
        while (true)
        {
            try
            {
                entry.Enter().Dispose();
            }
            catch (InvalidOperationException)
            {
                break;
            }
            await Task.Yield();
        }
        // A store opened on the folder now waits until the closing one has released its engines (and their write
        // locks), then opens them anew: it neither meets their lock nor hands out an engine that is being closed. The
        // search in flight ends only once the new store is waiting for the old one to close.
        var full = Path.GetFullPath(folder.Path);
        var waited = false;
        StoreRoot.ClosingWaitHook = path =>
        {
            if (path != full || waited) return;
            waited = true;
            inFlight.Dispose();
        };
        try
        {
            using var second = new WerklyVectorStore(folder.Path);
            Assert.True(waited);
            var again = second.GetCollection<string, TenantRecord>("docs", Tenanted);
            var hits = await again.SearchAsync(Query, 3, new() { Filter = r => r.CompanyId == "acme" }).ToListAsync();
            Assert.Equal(3, hits.Count);
        }
        finally
        {
            StoreRoot.ClosingWaitHook = null;
            if (!waited) inFlight.Dispose();
            await closing;
        }
    }

    // Finding 4: a tenant equality that can match nothing (a captured null) leaves the translator's partition at the
    // default "collection", which a later tenant mention decodes as an int.
    [Fact]
    public async Task A_null_tenant_with_another_tenant_clause_finds_nothing()
    {
        var collection = _store.GetCollection<string, IntTenantRecord>("ints", new() { TenantProperty = nameof(IntTenantRecord.Tenant) });
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(new IntTenantRecord { Key = "a", Tenant = 1, Year = 2020, Vector = new([1, 0, 0, 0]) });
        int? none = null;
        var hits = await collection.SearchAsync(new ReadOnlyMemory<float>([1, 0, 0, 0]), 3,
            new() { Filter = r => r.Tenant == none && r.Tenant != 3 }).ToListAsync();
        Assert.Empty(hits);
    }
}
