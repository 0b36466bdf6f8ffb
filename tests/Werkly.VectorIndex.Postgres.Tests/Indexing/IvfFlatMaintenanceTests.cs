using Microsoft.Extensions.VectorData;
using Npgsql;
using Werkly.VectorIndex.Postgres.Tests.Support;

namespace Werkly.VectorIndex.Postgres.Tests.Indexing;

/// <summary>A small record for the index maintenance tests.</summary>
public sealed class SmallRecord
{
    [VectorStoreKey] public int Key { get; set; }
    [VectorStoreData(IsIndexed = true)] public string Tenant { get; set; } = "";
    [VectorStoreVector(4)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>Each partition gets its IVFFlat index at the threshold, a new one when it has doubled, and searches use it.</summary>
public sealed class IvfFlatMaintenanceTests
{
    private const int Threshold = 300;

    [Fact]
    public async Task A_partition_is_indexed_at_the_threshold_rebuilt_when_doubled_and_searched_through_the_index()
    {
        await using var server = await PgLiteServer.StartAsync();
        await using var dataSource = server.CreateDataSource();
        using var store = new PostgresVectorStore(dataSource, new PostgresVectorStoreOptions { IvfFlatThreshold = Threshold });
        var collection = store.GetCollection<int, SmallRecord>("small", new PostgresCollectionOptions { TenantProperty = nameof(SmallRecord.Tenant) });
        await collection.EnsureCollectionExistsAsync();
        var random = new Random(4);
        List<SmallRecord> Records(int from, int count, string tenant) => [.. Enumerable.Range(from, count).Select(i => new SmallRecord
        {
            Key = i,
            Tenant = tenant,
            Vector = new float[] { (float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble(), 1 },
        })];

        await collection.UpsertAsync(Records(0, Threshold - 1, "acme"));
        await collection.UpsertAsync(Records(10_000, 50, "globex"));
        Assert.Null(await IndexOf(dataSource, "acme"));

        await collection.UpsertAsync(Records(Threshold - 1, 1, "acme"));
        var first = await IndexOf(dataSource, "acme");
        Assert.NotNull(first);
        Assert.Equal(Threshold, first.Value.IndexedRows);
        Assert.Null(await IndexOf(dataSource, "globex")); // the other tenant's partition is below the threshold

        // Searches of the tenant go through its index (pg_stat counts the index scans).
        var before = await IndexScans(dataSource, first.Value.Name);
        var hits = await collection.SearchAsync(new ReadOnlyMemory<float>([0.5f, 0.5f, 0.5f, 1]), 5, new() { Filter = r => r.Tenant == "acme" }).ToListAsync();
        Assert.Equal(5, hits.Count);
        Assert.All(hits, h => Assert.Equal("acme", h.Record.Tenant));
        Assert.True(await IndexScans(dataSource, first.Value.Name) > before, "the search did not use the IVFFlat index");

        await collection.UpsertAsync(Records(Threshold, Threshold - 1, "acme"));
        Assert.Equal(first, await IndexOf(dataSource, "acme")); // not yet doubled
        await collection.UpsertAsync(Records(2 * Threshold - 1, 1, "acme"));
        var second = await IndexOf(dataSource, "acme");
        Assert.NotNull(second);
        Assert.Equal(2 * Threshold, second.Value.IndexedRows);
        Assert.NotEqual(first.Value.Name, second.Value.Name);
        await using var count = dataSource.CreateCommand("SELECT count(*) FROM pg_indexes WHERE indexdef LIKE '%USING ivfflat%'");
        Assert.Equal(1L, await count.ExecuteScalarAsync()); // the old index was dropped
    }

    private static async Task<(string Name, long IndexedRows, int Lists, int Probes)?> IndexOf(NpgsqlDataSource dataSource, string tenant)
    {
        await using var command = dataSource.CreateCommand("SELECT index_name, indexed_rows, lists, probes FROM werkly_partitions WHERE collection = 'small' AND tenant = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync() || reader.IsDBNull(0)) return null;
        return (reader.GetString(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetInt32(3));
    }

    private static async Task<long> IndexScans(NpgsqlDataSource dataSource, string index)
    {
        // Statistics of finished transactions are flushed at most once a second unless forced (PostgreSQL 15+).
        await using (var flush = dataSource.CreateCommand("SELECT pg_stat_force_next_flush()")) await flush.ExecuteNonQueryAsync();
        await using var command = dataSource.CreateCommand("SELECT coalesce(sum(idx_scan), 0)::bigint FROM pg_stat_user_indexes WHERE indexrelname = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = index });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
