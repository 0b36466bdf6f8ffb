using System.Diagnostics;
using System.Linq.Expressions;
using Microsoft.Extensions.VectorData;

namespace Werkly.VectorIndex.VectorData.Benchmarks;

/// <summary>`--profile`: the connector's fixed per-query costs one by one (filter translation, record mapping).</summary>
internal static class Profile
{
    public static async Task RunAsync(WerklyCollection<string, Chunk> collection, WerklyIndex engine, ReadOnlyMemory<float> query)
    {
        const int n = 20_000;
        var tenant = "tenant-0";
        Time("SearchAsync, unknown tenant", n, () =>
        {
            var e = collection.SearchAsync(query, top: 10, new() { Filter = r => r.CompanyId == "no-such-tenant" }).GetAsyncEnumerator();
            _ = e.MoveNextAsync().AsTask().GetAwaiter().GetResult();
        });
        Time("build the filter expression (caller's cost)", n, () =>
        {
            Expression<Func<Chunk, bool>> f = r => r.CompanyId == tenant;
            GC.KeepAlive(f);
        });
        var hits = await collection.SearchAsync(query, top: 10, new() { Filter = r => r.CompanyId == tenant }).ToListAsync();
        Time("SearchAsync top 10, tenant-0", 2_000, () =>
        {
            var e = collection.SearchAsync(query, top: 10, new() { Filter = r => r.CompanyId == tenant }).GetAsyncEnumerator();
            while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult()) { }
        });
        Time("engine Search top 10, tenant-0", 2_000, () => engine.Search(tenant, query.Span, 10));
        var adapter = collection.EntryForBenchmarks().Engine;
        Time("adapter Search top 10, tenant-0", 2_000, () => adapter.Search(tenant, query.Span, 10, null));
        Time("SearchAsync top 10, tenant-0 (again)", 2_000, () =>
        {
            var e = collection.SearchAsync(query, top: 10, new() { Filter = r => r.CompanyId == tenant }).GetAsyncEnumerator();
            while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult()) { }
        });
        Time("engine Search top 10, tenant-0 (again)", 2_000, () => engine.Search(tenant, query.Span, 10));
        foreach (var top in new[] { 1, 10, 50 })
        {
            Time($"SearchAsync top {top}, tenant-0 (await foreach)", 1_000, () => Consume(collection, query, tenant, top).GetAwaiter().GetResult());
            Time($"adapter Search top {top}, tenant-0", 1_000, () => adapter.Search(tenant, query.Span, top, null));
        }
        var year = 2012;
        Time("SearchAsync, unknown tenant, + year filter", n, () =>
        {
            var e = collection.SearchAsync(query, top: 10, new() { Filter = r => r.CompanyId == "no-such-tenant" && r.Year >= year }).GetAsyncEnumerator();
            _ = e.MoveNextAsync().AsTask().GetAwaiter().GetResult();
        });
        Time("SearchAsync top 10, tenant-0 + year", 2_000, () =>
        {
            var e = collection.SearchAsync(query, top: 10, new() { Filter = r => r.CompanyId == tenant && r.Year >= year }).GetAsyncEnumerator();
            while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult()) { }
        });
        Time("engine Search top 10, tenant-0 + year", 2_000, () => engine.Search(tenant, query.Span, 10, new SearchOptions
        {
            Filter = (_, m) => m is not null && m.TryGetValue("Year", out var y) && y.AsInteger() >= year,
        }));
        Console.WriteLine($"hits {hits.Count}");
    }

    private static async Task Consume(WerklyCollection<string, Chunk> collection, ReadOnlyMemory<float> query, string tenant, int top)
    {
        await foreach (var hit in collection.SearchAsync(query, top: top, new() { Filter = r => r.CompanyId == tenant })) GC.KeepAlive(hit);
    }

    private static void Time(string name, int n, Action action)
    {
        for (var i = 0; i < n / 10; i++) action();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++) action();
        Console.WriteLine($"{name}: {Stopwatch.GetElapsedTime(start).TotalMicroseconds / n:F2} µs");
    }
}
