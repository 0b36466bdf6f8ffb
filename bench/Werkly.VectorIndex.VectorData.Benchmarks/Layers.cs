using System.Diagnostics;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.VectorData.Filtering;
using Werkly.VectorIndex.VectorData.Model;

namespace Werkly.VectorIndex.VectorData.Benchmarks;

/// <summary>`--layers`: what each layer of a connector search adds in the position that shows the connector's own cold
/// cost — right after the engine searched the same query (list and engine code warm), with the caches beyond that
/// disturbed by streaming a buffer larger than L2 first. One layer per query, rotating; p50 of each.</summary>
internal static class Layers
{
    public static async Task RunAsync(WerklyCollection<string, Chunk> collection, WerklyIndex engine, ReadOnlyMemory<float>[] queries, int tenants)
    {
        var entry = collection.EntryForBenchmarks();
        var mapper = (RecordMapper)typeof(WerklyCollection<string, Chunk>).GetField("_mapper", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(collection)!;
        var filters = Enumerable.Range(0, tenants).Select(i => $"tenant-{i}")
            .ToDictionary(t => t, t => new VectorSearchOptions<Chunk> { Filter = r => r.CompanyId == t });
        var steps = new (string Name, Func<string, ReadOnlyMemory<float>, Task> Run)[]
        {
            ("engine Search (again)", (t, q) => { engine.Search(t, q.Span, 10); return Task.CompletedTask; }),
            ("adapter Search under a lease", (t, q) => { using var lease = entry.Enter(); entry.Engine.Search(t, q.Span, 10, null); return Task.CompletedTask; }),
            ("adapter Search, 10 records mapped", (t, q) =>
            {
                SearchHit[] hits;
                using (entry.Enter()) hits = entry.Engine.Search(t, q.Span, 10, null);
                foreach (var h in hits) GC.KeepAlive(mapper.ToRecord<Chunk>(t, h.Key, h.Metadata, null));
                return Task.CompletedTask;
            }),
            ("translate a built filter", (t, q) => { GC.KeepAlive(new FilterTranslator(mapper).Translate(filters[t].Filter)); return Task.CompletedTask; }),
            ("build the filter expression", (t, q) => { Expression<Func<Chunk, bool>> f = r => r.CompanyId == t; GC.KeepAlive(f); return Task.CompletedTask; }),
            ("connector, filter built before", async (t, q) => { await foreach (var h in collection.SearchAsync(q, 10, filters[t])) GC.KeepAlive(h); }),
            ("connector", async (t, q) => { await foreach (var h in collection.SearchAsync(q, 10, new() { Filter = r => r.CompanyId == t })) GC.KeepAlive(h); }),
        };
        var times = steps.Select(_ => new List<double>()).ToArray();
        var evict = new byte[8 << 20];
        for (var round = -3; round < 1; round++)
        {
            for (var q = 0; q < queries.Length; q++)
            {
                var tenant = $"tenant-{q % tenants}";
                var step = q % steps.Length;
                for (var i = 0; i < evict.Length; i += 64) evict[i]++;
                engine.Search(tenant, queries[q].Span, 10);
                var t0 = Stopwatch.GetTimestamp();
                await steps[step].Run(tenant, queries[q]);
                if (round >= 0) times[step].Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
            }
        }
        Console.WriteLine("| layer, right after the engine searched the same query | p50 µs |");
        Console.WriteLine("|---|---:|");
        for (var s = 0; s < steps.Length; s++) Console.WriteLine($"| {steps[s].Name} | {times[s].Order().ElementAt(times[s].Count / 2):F1} |");
    }
}
