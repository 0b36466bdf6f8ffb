using Npgsql;
using Pgvector;

namespace Werkly.VectorIndex.Postgres.Tests.Support;

/// <summary>The test server itself: it starts, serves PostgreSQL 18 with pgvector over TCP, and stops.</summary>
public sealed class PgLiteServerTests
{
    [Fact]
    public async Task Serves_Postgres_with_pgvector_ivfflat_and_binary_copy_out()
    {
        await using var server = await PgLiteServer.StartAsync();
        await using var dataSource = server.CreateDataSource();
        await using var connection = await dataSource.OpenConnectionAsync();

        await using (var version = new NpgsqlCommand("SHOW server_version_num", connection))
            Assert.True(int.Parse((string)(await version.ExecuteScalarAsync())!) >= 180000);

        await using (var ddl = new NpgsqlCommand(
            "CREATE TABLE items (id int PRIMARY KEY, embedding vector(3)); " +
            "INSERT INTO items SELECT i, ARRAY[i, 1, 0]::real[]::vector FROM generate_series(1, 50) i; " +
            "CREATE INDEX ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 2)", connection))
            await ddl.ExecuteNonQueryAsync();

        await using (var search = new NpgsqlCommand("SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 1", connection))
        {
            search.Parameters.Add(new NpgsqlParameter { Value = new Vector(new float[] { 7, 1, 0 }) });
            Assert.Equal(7, (int)(await search.ExecuteScalarAsync())!);
        }

        var rows = 0;
        await using (var copy = await connection.BeginBinaryExportAsync("COPY items (id) TO STDOUT (FORMAT BINARY)"))
        {
            while (await copy.StartRowAsync() != -1)
            {
                await copy.ReadAsync<int>();
                rows++;
            }
        }
        Assert.Equal(50, rows);
    }

    [Fact]
    public async Task A_stopped_server_refuses_connections()
    {
        var server = await PgLiteServer.StartAsync();
        var connectionString = server.ConnectionString;
        await server.DisposeAsync();
        await using var connection = new NpgsqlConnection(connectionString + ";Timeout=5");
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync());
    }
}
