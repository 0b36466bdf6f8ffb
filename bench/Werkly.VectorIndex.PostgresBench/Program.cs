using System.Diagnostics;
using Npgsql;
using Pgvector;
using Werkly.VectorIndex;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Postgres;
using Werkly.VectorIndex.Postgres.Migration;
using Werkly.VectorIndex.Postgres.Tests.Support;

// werkly Postgres bench: N records of D dimensions (default 100,000 x 384) in one company.
// 1. a pgvector table (filled with unnest, not timed) -> embedded index: ImportFromPgvectorAsync (binary COPY TO STDOUT)
// 2. embedded index -> Postgres collection: ExportToPostgresAsync (unnest inserts, IVFFlat builds at 20k/40k/80k rows)
// 3. search latency, the same 200 queries interleaved on both, top 10, default probes: medians and their ratio.
var records = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
var dimensions = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 384;
const int Queries = 200;

var random = new Random(384);
var centres = Enumerable.Range(0, 500).Select(_ => Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
float[] Point()
{
    var c = centres[random.Next(centres.Length)];
    var v = new float[dimensions];
    for (var d = 0; d < dimensions; d++) v[d] = c[d] + (float)(random.NextDouble() - 0.5) * 0.6f;
    return v;
}

await using var server = await PgLiteServer.StartAsync();
await using var dataSource = server.CreateDataSource();
Console.WriteLine($"PGlite on port {server.Port}; {records} x {dimensions}");

await using (var create = dataSource.CreateCommand($"CREATE TABLE documents (id bigint PRIMARY KEY, company_id text NOT NULL, content text, embedding vector({dimensions}) NOT NULL)"))
    await create.ExecuteNonQueryAsync();
for (var start = 0; start < records; start += 2_000)
{
    var count = Math.Min(2_000, records - start);
    await using var insert = dataSource.CreateCommand(
        "INSERT INTO documents SELECT $1 + i - 1, 'acme', 'document number ' || ($1 + i - 1), e FROM unnest($2::vector[]) WITH ORDINALITY AS t(e, i)");
    insert.Parameters.Add(new NpgsqlParameter { Value = (long)start });
    insert.Parameters.Add(new NpgsqlParameter { Value = Enumerable.Range(0, count).Select(_ => new Vector(Point())).ToArray() });
    await insert.ExecuteNonQueryAsync();
}

using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = dimensions, Metric = DistanceMetric.Cosine });
var watch = Stopwatch.StartNew();
var imported = await IndexMigration.ImportFromPgvectorAsync(dataSource, new PgvectorTable("documents", "company_id", "id", "embedding") { TextColumn = "content" }, index);
var importSeconds = watch.Elapsed.TotalSeconds;
Console.WriteLine($"import pgvector -> embedded: {imported} records in {importSeconds:F1} s = {imported / importSeconds:F0} records/s");

using var store = new PostgresVectorStore(dataSource);
watch.Restart();
var exported = await IndexMigration.ExportToPostgresAsync(index, store, "bench");
var exportSeconds = watch.Elapsed.TotalSeconds;
Console.WriteLine($"export embedded -> Postgres collection: {exported} records in {exportSeconds:F1} s = {exported / exportSeconds:F0} records/s (includes IVFFlat builds and probe calibration)");

await using (var state = dataSource.CreateCommand("SELECT lists, probes FROM werkly_partitions WHERE collection = 'bench'"))
await using (var reader = await state.ExecuteReaderAsync())
{
    await reader.ReadAsync();
    Console.WriteLine($"Postgres partition: {reader.GetInt32(0)} lists, {reader.GetInt32(1)} probes (calibrated)");
}
index.Retrain("acme");
Console.WriteLine($"embedded: {index.GetStatistics("acme")}");

var collection = IndexMigration.DocumentCollection(store, "bench", dimensions, DistanceMetric.Cosine);
var queries = Enumerable.Range(0, Queries).Select(_ => Point()).ToList();
var embeddedTimes = new List<double>();
var postgresTimes = new List<double>();
double overlap = 0;
foreach (var query in queries)
{
    watch.Restart();
    var local = index.Search("acme", query, 10);
    embeddedTimes.Add(watch.Elapsed.TotalMilliseconds);
    watch.Restart();
    var remote = await collection.SearchAsync(new ReadOnlyMemory<float>(query), 10, new() { Filter = r => (string)r["company"]! == "acme" }).ToListAsync();
    postgresTimes.Add(watch.Elapsed.TotalMilliseconds);
    overlap += remote.Select(r => (string)r.Record["key"]!).Intersect(local.Select(h => h.Key)).Count();
}
static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
Console.WriteLine($"search top-10, {Queries} queries interleaved: embedded median {Median(embeddedTimes):F3} ms, Postgres (PGlite) median {Median(postgresTimes):F2} ms, ratio {Median(postgresTimes) / Median(embeddedTimes):F0}x; top-10 overlap {overlap / (10.0 * Queries):F3}");
