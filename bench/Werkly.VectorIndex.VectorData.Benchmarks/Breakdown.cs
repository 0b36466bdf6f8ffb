using System.Diagnostics;
using System.Linq.Expressions;
using System.Numerics.Tensors;
using Microsoft.Extensions.VectorData;

namespace Werkly.VectorIndex.VectorData.Benchmarks;

/// <summary>`--breakdown`: each layer of a connector search timed cold (first call after the InMemory-style scan
/// evicted the caches with --scan-between, rotating which layer goes first; by default no scan, so "cold" is only the first call for
/// the query) and warm (called again right after).</summary>
internal static class Breakdown
{
    public static async Task RunAsync(WerklyCollection<string, Chunk> collection, WerklyIndex engine, List<Chunk> chunks,
        ReadOnlyMemory<float>[] queries, int tenants, bool scanApart)
    {
        var adapter = collection.EntryForBenchmarks();
        var steps = new (string Name, Func<string, ReadOnlyMemory<float>, Task> Run)[]
        {
            ("engine Search", (t, q) => { engine.Search(t, q.Span, 10); return Task.CompletedTask; }),
            ("adapter Search (no lease)", (t, q) => { adapter.Engine.Search(t, q.Span, 10, null); return Task.CompletedTask; }),
            ("adapter Search (leased)", (t, q) => { adapter.Read(e => e.Search(t, q.Span, 10, null)); return Task.CompletedTask; }),
            ("connector top 10", async (t, q) => { await foreach (var h in collection.SearchAsync(q, 10, new() { Filter = r => r.CompanyId == t })) GC.KeepAlive(h); }),
            ("connector top 10, filter built before", (t, q) => ConsumeAsync(collection.SearchAsync(q, 10, Filters[t]))),
            ("connector top 1", async (t, q) => { await foreach (var h in collection.SearchAsync(q, 1, new() { Filter = r => r.CompanyId == t })) GC.KeepAlive(h); }),
            ("connector unknown tenant", async (t, q) => { await foreach (var h in collection.SearchAsync(q, 10, new() { Filter = r => r.CompanyId == "none" })) GC.KeepAlive(h); }),
            ("build filter expression", (t, q) => { Expression<Func<Chunk, bool>> f = r => r.CompanyId == t; GC.KeepAlive(f); return Task.CompletedTask; }),
        };
        var cold = steps.Select(_ => new List<double>()).ToArray();
        var warm = steps.Select(_ => new List<double>()).ToArray();
        for (var round = -1; round < 1; round++)
        {
            for (var q = 0; q < queries.Length; q++)
            {
                var tenant = $"tenant-{q % tenants}";
                var query = queries[q];
                var filter = (Expression<Func<Chunk, bool>>)(r => r.CompanyId == tenant);
                if (!scanApart) _ = chunks.AsQueryable().Where(filter).AsEnumerable()
                    .Select(r => TensorPrimitives.CosineSimilarity(query.Span, r.Vector.Span)).Max();
                var first = q % steps.Length;
                var t0 = Stopwatch.GetTimestamp();
                await steps[first].Run(tenant, query);
                if (round >= 0) cold[first].Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
                for (var s = 0; s < steps.Length; s++)
                {
                    var t1 = Stopwatch.GetTimestamp();
                    await steps[s].Run(tenant, query);
                    if (round >= 0) warm[s].Add(Stopwatch.GetElapsedTime(t1).TotalMicroseconds);
                }
            }
        }
        Console.WriteLine("| layer | cold p50 µs | warm p50 µs |");
        Console.WriteLine("|---|---:|---:|");
        for (var s = 0; s < steps.Length; s++) Console.WriteLine($"| {steps[s].Name} | {Median(cold[s]):F1} | {Median(warm[s]):F1} |");
    }

    private static readonly Dictionary<string, VectorSearchOptions<Chunk>> Filters = Enumerable.Range(0, 64)
        .Select(i => $"tenant-{i}").ToDictionary(t => t, t => new VectorSearchOptions<Chunk> { Filter = r => r.CompanyId == t });

    private static async Task ConsumeAsync(IAsyncEnumerable<VectorSearchResult<Chunk>> results)
    {
        await foreach (var hit in results) GC.KeepAlive(hit);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }
}
