using Microsoft.Extensions.VectorData;
using Npgsql;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Postgres.Migration;
using Werkly.VectorIndex.Postgres.Tests.Indexing;
using Werkly.VectorIndex.Postgres.Tests.Support;

namespace Werkly.VectorIndex.Postgres.Tests;

public sealed class TaggedRecord
{
    [VectorStoreKey] public string Key { get; set; } = "";
    [VectorStoreData(IsFullTextIndexed = true)] public string[] Tags { get; set; } = [];
    [VectorStoreVector(4)] public ReadOnlyMemory<float> Vector { get; set; }
}

public sealed class MigrationAndLayoutReviewTests
{
    private static List<SmallRecord> Records(int count, string tenant)
    {
        var random = new Random(4);
        return [.. Enumerable.Range(0, count).Select(i => new SmallRecord
        {
            Key = i,
            Tenant = tenant,
            Vector = new float[] { (float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble(), 1 },
        })];
    }

    // Collection names may be 128 chars; the IVFFlat index name {partition}_ivf{rows:x} exceeds 63 bytes from 34 chars on.
    [Fact]
    public async Task A_long_collection_name_builds_its_index_and_the_upsert_succeeds()
    {
        await using var server = await PgLiteServer.StartAsync();
        await using var dataSource = server.CreateDataSource();
        using var store = new PostgresVectorStore(dataSource, new PostgresVectorStoreOptions { IvfFlatThreshold = 300 });
        var name = new string('c', 40);
        var collection = store.GetCollection<int, SmallRecord>(name, new PostgresCollectionOptions { TenantProperty = nameof(SmallRecord.Tenant) });
        await collection.EnsureCollectionExistsAsync();
        var error = await Record.ExceptionAsync(() => collection.UpsertAsync(Records(300, "acme")));
        await using var count = dataSource.CreateCommand($"SELECT count(*) FROM {collection.TableName}");
        var stored = (long)(await count.ExecuteScalarAsync())!;
        Assert.True(error is null, $"upsert threw {error?.GetType().Name}: {error?.Message} (rows committed: {stored})");
    }

    // WerklyIndex keys are per company; the Postgres collection's keys are global (a key under another tenant moves).
    [Fact]
    public async Task Export_to_postgres_keeps_the_same_key_in_two_companies()
    {
        await using var server = await PgLiteServer.StartAsync();
        await using var dataSource = server.CreateDataSource();
        using var store = new PostgresVectorStore(dataSource);
        using var source = new WerklyIndex(new WerklyIndexOptions { Dimensions = 4, Metric = DistanceMetric.InnerProduct });
        source.Apply("acme", [new VectorRecord("readme.md#0", new float[] { 1, 0, 0, 0 }) { Text = "acme" }], []);
        source.Apply("globex", [new VectorRecord("readme.md#0", new float[] { 0, 1, 0, 0 }) { Text = "globex" }], []);
        Assert.Equal(2, await IndexMigration.ExportToPostgresAsync(source, store, "docs"));
        using var copy = new WerklyIndex(new WerklyIndexOptions { Dimensions = 4, Metric = DistanceMetric.InnerProduct });
        await IndexMigration.ImportFromPostgresAsync(store, "docs", copy);
        Assert.Equal(1, copy.Count("globex"));
        Assert.Equal(1, copy.Count("acme")); // fails: acme's record was moved to globex and overwritten
    }

    // werkly_join is created in the store's schema but called unqualified by the generated column.
    [Fact]
    public async Task An_array_full_text_property_works_in_a_non_default_schema()
    {
        await using var server = await PgLiteServer.StartAsync();
        await using var dataSource = server.CreateDataSource();
        using var store = new PostgresVectorStore(dataSource, new PostgresVectorStoreOptions { Schema = "vectors" });
        var collection = store.GetCollection<string, TaggedRecord>("tagged");
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(new TaggedRecord { Key = "k", Tags = ["vacation"], Vector = new float[] { 1, 0, 0, 0 } });
    }

    // A NULL vector (common: embeddings computed asynchronously) aborts the import with a bare cast error, every rerun.
    [Fact]
    public async Task A_pgvector_import_skips_rows_with_a_null_vector()
    {
        await using var server = await PgLiteServer.StartAsync();
        await using var dataSource = server.CreateDataSource();
        await using (var create = dataSource.CreateCommand(
            "CREATE EXTENSION IF NOT EXISTS vector; CREATE TABLE chunks (id text PRIMARY KEY, company_id text NOT NULL, embedding vector(4)); " +
            "INSERT INTO chunks VALUES ('a', 'acme', '[1,0,0,0]'), ('b', 'acme', NULL), ('c', 'acme', '[0,1,0,0]')"))
            await create.ExecuteNonQueryAsync();
        await using (var c = await dataSource.OpenConnectionAsync()) await c.ReloadTypesAsync();
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 4 });
        var progress = new ProgressLog();
        var error = await Record.ExceptionAsync(() => IndexMigration.ImportFromPgvectorAsync(dataSource, new PgvectorTable("chunks", "company_id", "id", "embedding"), index, progress));
        Assert.True(error is null or ArgumentException, $"{error?.GetType().Name}: {error?.Message}");
        Assert.Equal(2, index.Count("acme"));
        Assert.False(index.TryGetRecord("acme", "b", out _));
        Assert.Equal(new MigrationProgress("acme", 2, 1), progress.Reports[^1]);
        // The CLI's summary counts the rows skipped for a NULL (a rerun skips the other two as already there).
        var incomplete = new System.Runtime.CompilerServices.StrongBox<long>();
        Assert.Equal(0, await IndexMigration.ImportFromPgvectorAsync(dataSource, new PgvectorTable("chunks", "company_id", "id", "embedding"), index, null, incomplete, default));
        Assert.Equal(1, incomplete.Value);
    }

    private sealed class ProgressLog : IProgress<MigrationProgress>
    {
        public List<MigrationProgress> Reports { get; } = [];

        public void Report(MigrationProgress value) => Reports.Add(value);
    }

    // The embedded engine returns top hits whenever top records match; pgvector's plain IVFFlat scan returns at most the
    // rows of `probes` lists, and the tenant-only ("unfiltered") path never enables the iterative scan.
    [Theory]
    [InlineData(true)]
    [InlineData(false)] // a server without ivfflat.iterative_scan (pgvector < 0.8): the exact-scan fallback
    public async Task A_tenant_only_deep_search_returns_top_hits(bool iterativeScan)
    {
        await using var server = await PgLiteServer.StartAsync();
        await using var dataSource = server.CreateDataSource();
        using var store = new PostgresVectorStore(dataSource, new PostgresVectorStoreOptions { IvfFlatThreshold = 5_000 });
        var collection = store.GetCollection<int, SmallRecord>("deep", new PostgresCollectionOptions { TenantProperty = nameof(SmallRecord.Tenant) });
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(Records(5_000, "acme"));
        Assert.True(store.IterativeScan); // PGlite's pgvector has it
        store.IterativeScan = iterativeScan;
        await using (var state = dataSource.CreateCommand("SELECT lists, probes FROM werkly_partitions WHERE collection = 'deep'"))
        await using (var reader = await state.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Console.WriteLine($"lists={reader.GetInt32(0)} probes={reader.GetInt32(1)}");
        }
        var hits = await collection.SearchAsync(new ReadOnlyMemory<float>([0.5f, 0.5f, 0.5f, 1]), 10, new() { Filter = r => r.Tenant == "acme", Skip = 4_000 }).ToListAsync();
        Assert.Equal(10, hits.Count);
    }
}
