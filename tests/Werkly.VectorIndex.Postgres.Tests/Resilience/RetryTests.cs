using Microsoft.Extensions.VectorData;
using Npgsql;
using Pgvector.Npgsql;
using Werkly.VectorIndex.Postgres.Tests.Support;

namespace Werkly.VectorIndex.Postgres.Tests.Resilience;

/// <summary>A record for the retry tests.</summary>
public sealed class RetryRecord
{
    [VectorStoreKey] public string Key { get; set; } = "";
    [VectorStoreData] public string? Text { get; set; }
    [VectorStoreVector(4)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>Transient failures (connections dropped by the server side) are retried for reads only: a read succeeds
/// after drops within <see cref="PostgresVectorStoreOptions.MaxReadRetries"/>; a write is tried once and reported, so a
/// write whose outcome is unknown is never applied twice.</summary>
public sealed class RetryTests : IAsyncLifetime, IDisposable
{
    private PgLiteServer _server = null!;
    private DroppingProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _server = await PgLiteServer.StartAsync();
        _proxy = new DroppingProxy(_server.Port);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _proxy?.Dispose();

    // Through the proxy, without pooling: every operation opens a connection the proxy may drop. GSS encryption off: with
    // Npgsql's default (Prefer) a connection dropped during the GSS request is reopened without it inside one Open —
    // a second physical connection the counts below would see (found when this test failed 1 run in 4).
    private NpgsqlDataSource DataSource()
    {
        var builder = new NpgsqlDataSourceBuilder(_server.ConnectionString.Replace($"Port={_server.Port}", $"Port={_proxy.Port}", StringComparison.Ordinal) + ";Pooling=false;GSS Encryption Mode=Disable");
        builder.UseVector();
        return builder.Build();
    }

    [Fact]
    public async Task Reads_are_retried_after_dropped_connections_and_writes_are_not()
    {
        await using var dataSource = DataSource();
        using var store = new PostgresVectorStore(dataSource, new PostgresVectorStoreOptions { MaxReadRetries = 3 });
        var collection = store.GetCollection<string, RetryRecord>("retry");
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(new RetryRecord { Key = "a", Text = "alpha", Vector = new float[] { 1, 0, 0, 0 } });

        _proxy.DropNext(3);
        var read = await collection.GetAsync("a");
        Assert.Equal("alpha", read?.Text);
        Assert.Equal(3, _proxy.Dropped);
        var hits = await collection.SearchAsync(new ReadOnlyMemory<float>([1, 0, 0, 0]), 1).ToListAsync();
        Assert.Equal("a", Assert.Single(hits).Record.Key);

        // Every connection dropped: the write is tried once and reported; nothing is written.
        var before = _proxy.Dropped;
        _proxy.DropNext(int.MaxValue);
        var write = await Assert.ThrowsAsync<VectorStoreException>(() => collection.UpsertAsync(new RetryRecord { Key = "b", Text = "beta", Vector = new float[] { 0, 1, 0, 0 } }));
        Assert.Equal(1, _proxy.Dropped - before);
        Assert.IsAssignableFrom<NpgsqlException>(write.InnerException);

        // A read tries 1 + MaxReadRetries times, then fails with the store's exception.
        before = _proxy.Dropped;
        await Assert.ThrowsAsync<VectorStoreException>(() => collection.GetAsync("a"));
        Assert.Equal(4, _proxy.Dropped - before);

        _proxy.DropNext(0);
        Assert.Null(await collection.GetAsync("b"));
        Assert.Equal("alpha", (await collection.GetAsync("a"))?.Text);
    }
}
