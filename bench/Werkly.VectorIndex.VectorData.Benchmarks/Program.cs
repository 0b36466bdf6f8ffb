using System.Diagnostics;
using System.Globalization;
using System.Linq.Expressions;
using System.Numerics.Tensors;
using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex;
using Werkly.VectorIndex.VectorData;
using Werkly.VectorIndex.VectorData.Benchmarks;

// Connector overhead, measured side by side in one process (docs/BENCHMARKS.md, "VectorData connector"):
//   connector  — WerklyCollection.SearchAsync(q, top 10, r => r.CompanyId == tenant), records mapped;
//   engine     — WerklyIndex.Search(tenant, q, 10) on the very index the connector searches (same data, lists, probes);
//   scan       — the InMemory connector's approach: every record through a LINQ filter (AsQueryable().Where(expression)),
//                TensorPrimitives.CosineSimilarity on the matches, OrderByDescending, Take(10).
// The three run interleaved query by query, so machine noise hits them alike; the report is p50/p95 and ratios of p50s.
// Usage: dotnet run -c Release --project bench/Werkly.VectorIndex.VectorData.Benchmarks -- [--records N] [--tenants T] [--queries Q] [--dims D]
//        [--scan-between] [--profile] [--breakdown] [--layers] [--vectors DIR]
// --vectors DIR reads base.fvecs and query.fvecs (e.g. AnnBench --make-minilm's real MiniLM embeddings) instead of the
// clustered synthetic vectors; --records then defaults to every base vector.
var vectorsDir = ArgText("--vectors");
var fileBase = vectorsDir is null ? null : Data.ReadFvecs(Path.Combine(vectorsDir, "base.fvecs"));
var fileQueries = vectorsDir is null ? null : Data.ReadFvecs(Path.Combine(vectorsDir, "query.fvecs"));
var records = Arg("--records", fileBase?.Length ?? 100_000);
var tenants = Arg("--tenants", 4);
var queries = Arg("--queries", 400);
var dimensions = Arg("--dims", 384);
Console.WriteLine($"records {records:N0} × {dimensions} dims, {tenants} tenants ({records / tenants:N0} each), {queries} queries, top 10, tenant filter, " +
    (vectorsDir is null ? "clustered synthetic vectors (200 clusters)" : $"vectors from {vectorsDir}"));

var random = new Random(20261203);
var data = fileBase is null ? Data.Clustered(records, dimensions, clusters: 200, random) : fileBase[..records];
var chunks = new List<Chunk>(records);
for (var i = 0; i < records; i++)
    chunks.Add(new Chunk { Key = $"doc-{i}", CompanyId = $"tenant-{i % tenants}", Year = 2000 + i % 25, Vector = data[i] });

var watch = Stopwatch.StartNew();
using var store = new WerklyVectorStore((string?)null);
var collection = store.GetCollection<string, Chunk>("bench", new WerklyCollectionOptions { TenantProperty = nameof(Chunk.CompanyId), KeepOriginalVectors = false });
await collection.EnsureCollectionExistsAsync();
for (var start = 0; start < records; start += 10_000) await collection.UpsertAsync(chunks.Skip(start).Take(10_000));
Console.WriteLine($"connector load {watch.Elapsed.TotalSeconds:F1} s");

// The engine's own API on the very same index the connector searches (same data, lists and calibrated probes).
var engine = store.Root.Find("bench")!.Engine.IndexForBenchmarks;
Console.WriteLine($"lists per tenant: {engine.GetStatistics("tenant-0").ListCount}, default probes {engine.GetStatistics("tenant-0").DefaultProbes}");

if (args.Contains("--profile"))
{
    await Profile.RunAsync(collection, engine, data[0]);
    return;
}

var queryVectors = fileQueries is null
    ? Enumerable.Range(0, queries).Select(_ => Data.Near(data[random.Next(records)], random)).ToArray()
    : fileQueries[..Math.Min(queries, fileQueries.Length)];
queries = queryVectors.Length;
if (args.Contains("--layers"))
{
    await Layers.RunAsync(collection, engine, queryVectors, tenants);
    return;
}
if (args.Contains("--breakdown"))
{
    await Breakdown.RunAsync(collection, engine, chunks, queryVectors, tenants, !args.Contains("--scan-between"));
    return;
}
// By default the scans run in a loop of their own after the pairs, so the pairs run back to back as searches do in a
// service (the probed lists are still mostly out of cache: each search streams ~2 MB; code and runtime structures are
// not). --scan-between runs each query's scan first (15–50 ms streaming all 100k vectors), so every pair starts with
// every cache cold: the worst case, a search after a long pause of unrelated work.
var scanApart = !args.Contains("--scan-between");
Console.WriteLine(scanApart ? "scan apart: connector and engine back to back" : "scan between queries: every pair starts with cold caches");
var samples = new Dictionary<string, List<double>>
{
    ["connector"] = [], ["connector, filter built before the timer"] = [], ["engine"] = [], ["engine, then each hit's Year read"] = [], ["scan"] = [],
    ["connector+year"] = [], ["engine+year"] = [], ["connector fixed cost"] = [],
};
var gcs = samples.Keys.ToDictionary(k => k, _ => 0);
// The first search of a pair reads the probed list from memory, the second finds it in cache: the two positions give
// two clusters of timings, whose joint median falls anywhere between them. Each position is also reported on its own.
var byPosition = new Dictionary<string, List<double>>
{
    ["connector, first of its pair"] = [], ["engine, first of its pair"] = [],
    ["connector, second of its pair"] = [], ["engine, second of its pair"] = [],
    ["engine reading Year, first of its pair"] = [], ["engine reading Year, second of its pair"] = [],
    ["connector+year, first of its pair"] = [], ["engine+year, first of its pair"] = [],
    ["connector+year, second of its pair"] = [], ["engine+year, second of its pair"] = [],
};
var agreement = 0;
var connectorTop = new List<string>[queries];
for (var round = -1; round < 1; round++)
{
    // Round -1 warms every path up (JIT, tiered compilation) and is not recorded.
    for (var q = 0; q < queries; q++)
    {
        var tenant = $"tenant-{q % tenants}";
        var year = 2010 + q % 10;
        var query = queryVectors[q];

        // The scan runs first (it walks every vector, leaving the caches cold for all); each pair then alternates its
        // order query by query, since the second search of a pair finds the probed lists already in cache.
        var t0 = Stopwatch.GetTimestamp();
        var scanHits = scanApart ? new List<string>() : Scan(chunks, r => r.CompanyId == tenant, query);
        var scanTime = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        var connectorFirst = q % 2 == 0;
        List<string> connectorHits = [];
        SearchHit[] engineHits = [];
        double connectorTime = 0, connectorSearchTime = 0, engineTime = 0, engineReadTime = 0, connectorYearTime = 0, engineYearTime = 0;
        int connectorGc = 0, engineGc = 0, connectorYearGc = 0, engineYearGc = 0;
        for (var pass = 0; pass < 2; pass++)
        {
            var gc0 = GC.CollectionCount(0);
            var start = Stopwatch.GetTimestamp();
            if ((pass == 0) == connectorFirst)
            {
                connectorHits = [];
                // The caller's expression tree is built inside the timing, as in real use; the search alone is recorded too.
                var options = new VectorSearchOptions<Chunk> { Filter = r => r.CompanyId == tenant };
                var built = Stopwatch.GetTimestamp();
                await foreach (var hit in collection.SearchAsync(query, top: 10, options))
                    connectorHits.Add(hit.Record.Key);
                connectorTime = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                connectorSearchTime = Stopwatch.GetElapsedTime(built).TotalMicroseconds;
                connectorGc = GC.CollectionCount(0) - gc0;
            }
            else
            {
                engineHits = engine.Search(tenant, query.Span, 10);
                engineTime = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                // What a caller of the engine API does next to have what a connector record holds: each hit's fields.
                var years = 0L;
                foreach (var hit in engineHits) years += hit.Metadata is not null && hit.Metadata.TryGetValue("Year", out var y) ? y.AsInteger() : 0;
                engineReadTime = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                GC.KeepAlive(years);
                engineGc = GC.CollectionCount(0) - gc0;
            }
        }
        for (var pass = 0; pass < 2; pass++)
        {
            var gc0 = GC.CollectionCount(0);
            var start = Stopwatch.GetTimestamp();
            if ((pass == 0) == connectorFirst)
            {
                await foreach (var hit in collection.SearchAsync(query, top: 10, new() { Filter = r => r.CompanyId == tenant && r.Year >= year }))
                    _ = hit.Record.Key;
                connectorYearTime = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                connectorYearGc = GC.CollectionCount(0) - gc0;
            }
            else
            {
                _ = engine.Search(tenant, query.Span, 10, new SearchOptions
                {
                    Filter = (_, m) => m is not null && m.TryGetValue("Year", out var y) && y.AsInteger() >= year,
                });
                engineYearTime = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                engineYearGc = GC.CollectionCount(0) - gc0;
            }
        }
        // The connector's fixed cost: the same call for a tenant without records (filter translation, routing, no scan).
        var fixedGc0 = GC.CollectionCount(0);
        var t5 = Stopwatch.GetTimestamp();
        await foreach (var hit in collection.SearchAsync(query, top: 10, new() { Filter = r => r.CompanyId == "no-such-tenant" }))
            _ = hit;
        var fixedTime = Stopwatch.GetElapsedTime(t5).TotalMicroseconds;
        var fixedGc = GC.CollectionCount(0) - fixedGc0;

        if (round < 0) continue;
        samples["connector"].Add(connectorTime);
        samples["connector, filter built before the timer"].Add(connectorSearchTime);
        samples["engine"].Add(engineTime);
        samples["engine, then each hit's Year read"].Add(engineReadTime);
        if (!scanApart) samples["scan"].Add(scanTime);
        samples["connector+year"].Add(connectorYearTime);
        samples["engine+year"].Add(engineYearTime);
        samples["connector fixed cost"].Add(fixedTime);
        var (connectorAt, engineAt) = connectorFirst ? ("first", "second") : ("second", "first");
        byPosition[$"connector, {connectorAt} of its pair"].Add(connectorTime);
        byPosition[$"engine, {engineAt} of its pair"].Add(engineTime);
        byPosition[$"engine reading Year, {engineAt} of its pair"].Add(engineReadTime);
        byPosition[$"connector+year, {connectorAt} of its pair"].Add(connectorYearTime);
        byPosition[$"engine+year, {engineAt} of its pair"].Add(engineYearTime);
        gcs["connector"] += connectorGc;
        gcs["engine"] += engineGc;
        gcs["connector+year"] += connectorYearGc;
        gcs["engine+year"] += engineYearGc;
        gcs["connector fixed cost"] += fixedGc;
        if (connectorHits.SequenceEqual(engineHits.Select(h => h.Key))) agreement++;
        connectorTop[q] = connectorHits;
        if (q == 0 && !scanApart) Console.WriteLine($"recall@10 of the connector against the exact scan on query 0: {connectorHits.Intersect(scanHits).Count() / 10.0:F1}");
    }
}
if (scanApart)
{
    var found = 0;
    for (var q = 0; q < queries; q++)
    {
        var tenant = $"tenant-{q % tenants}";
        var t0 = Stopwatch.GetTimestamp();
        var exact = Scan(chunks, r => r.CompanyId == tenant, queryVectors[q]);
        samples["scan"].Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        found += exact.Intersect(connectorTop[q]).Count();
    }
    // The scan is exact (cosine over every record of the tenant): how much of it the calibrated search found.
    Console.WriteLine($"recall@10 of the connector (the engine's calibrated probes) against the exact scan: {found / (10.0 * queries):F3}");
}

Console.WriteLine($"connector and engine return the same top 10 on {agreement} of {queries} queries");
Console.WriteLine();
Console.WriteLine("| path | p50 µs | p95 µs | gen0 GCs during the timed calls |");
Console.WriteLine("|---|---:|---:|---:|");
foreach (var (name, values) in samples) Console.WriteLine($"| {name} | {Percentile(values, 0.5):F1} | {Percentile(values, 0.95):F1} | {(gcs.TryGetValue(name, out var gc) && name != "scan" ? gc.ToString(CultureInfo.InvariantCulture) : "")} |");
foreach (var (name, values) in byPosition) Console.WriteLine($"| {name} | {Percentile(values, 0.5):F1} | {Percentile(values, 0.95):F1} | |");
Console.WriteLine();
foreach (var position in new[] { "first", "second" })
{
    Console.WriteLine($"{position} of the pair: connector / engine p50 ratio {Percentile(byPosition[$"connector, {position} of its pair"], 0.5) / Percentile(byPosition[$"engine, {position} of its pair"], 0.5):F3}, " +
        $"with the year filter {Percentile(byPosition[$"connector+year, {position} of its pair"], 0.5) / Percentile(byPosition[$"engine+year, {position} of its pair"], 0.5):F3}, " +
        $"against the engine reading each hit's Year {Percentile(byPosition[$"connector, {position} of its pair"], 0.5) / Percentile(byPosition[$"engine reading Year, {position} of its pair"], 0.5):F3}");
}
Console.WriteLine($"either order (sum of the two positions' p50s): connector / engine {(Percentile(byPosition["connector, first of its pair"], 0.5) + Percentile(byPosition["connector, second of its pair"], 0.5)) / (Percentile(byPosition["engine, first of its pair"], 0.5) + Percentile(byPosition["engine, second of its pair"], 0.5)):F3}");
Console.WriteLine($"connector / engine (tenant filter), p50 ratio: {Percentile(samples["connector"], 0.5) / Percentile(samples["engine"], 0.5):F3}");
Console.WriteLine($"connector (filter built before the timer) / engine (tenant filter), p50 ratio: {Percentile(samples["connector, filter built before the timer"], 0.5) / Percentile(samples["engine"], 0.5):F3}");
Console.WriteLine($"connector / engine then each hit's Year read (tenant filter), p50 ratio: {Percentile(samples["connector"], 0.5) / Percentile(samples["engine, then each hit's Year read"], 0.5):F3}");
Console.WriteLine($"connector / engine (tenant + year filter), p50 ratio: {Percentile(samples["connector+year"], 0.5) / Percentile(samples["engine+year"], 0.5):F3}");
Console.WriteLine($"InMemory-style scan / connector, p50 ratio: {Percentile(samples["scan"], 0.5) / Percentile(samples["connector"], 0.5):F1}");

static List<string> Scan(List<Chunk> all, Expression<Func<Chunk, bool>> filter, ReadOnlyMemory<float> query) =>
    // The InMemory connector's search: LINQ filter over every record, cosine on the matches, sort, page.
    all.AsQueryable().Where(filter).AsEnumerable()
        .Select(r => new { r.Key, Score = TensorPrimitives.CosineSimilarity(query.Span, r.Vector.Span) })
        .OrderByDescending(x => x.Score).Take(10).Select(x => x.Key).ToList();

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToArray();
    return sorted[(int)Math.Min(sorted.Length - 1, Math.Round(p * (sorted.Length - 1)))];
}

string? ArgText(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

