using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;
using Npgsql;
using Werkly.VectorIndex.Postgres.Tests.Support;
using Werkly.VectorIndex.VectorData.ConformanceSuite.Support;

namespace Werkly.VectorIndex.Postgres.Tests.Conformance;

/// <summary>The Postgres store for the shared suites: a PGlite server of its own per test class.</summary>
public sealed class PostgresFixture : VectorStoreFixture
{
    /// <summary>Partitions get their IVFFlat index from this many rows (small, so the suites reach the index path cheaply).</summary>
    public const int IndexThreshold = 2_000;

    private PgLiteServer? _server;
    private NpgsqlDataSource? _dataSource;

    public override string SystemName => PostgresVectorStore.SystemName;

    public override int ApproximateSearchThreshold => IndexThreshold;

    public override Type StoreType => typeof(PostgresVectorStore);

    public override Type CollectionType<TKey, TRecord>() => typeof(PostgresCollection<TKey, TRecord>);

    public PostgresVectorStore PostgresStore => (PostgresVectorStore)Store;

    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("The fixture is not initialised.");

    public override async Task InitializeAsync()
    {
        _server = await PgLiteServer.StartAsync();
        _dataSource = _server.CreateDataSource();
        await base.InitializeAsync();
    }

    protected override VectorStore CreateStore() => new PostgresVectorStore(DataSource, new PostgresVectorStoreOptions { IvfFlatThreshold = IndexThreshold });

    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition,
        CollectionSettings settings) =>
        PostgresStore.GetCollection<TKey, TRecord>(name, Options(definition, settings));

    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name,
        VectorStoreCollectionDefinition definition, CollectionSettings settings) =>
        PostgresStore.GetDynamicCollection(name, Options(definition, settings));

    public override IServiceCollection RegisterStore(IServiceCollection services, object? serviceKey, ServiceLifetime lifetime) =>
        throw new NotSupportedException("The Postgres backend has no DI registration yet.");

    public override IServiceCollection RegisterCollection<TKey, TRecord>(IServiceCollection services, object? serviceKey, string name, ServiceLifetime lifetime) =>
        throw new NotSupportedException("The Postgres backend has no DI registration yet.");

    private static PostgresCollectionOptions Options(VectorStoreCollectionDefinition? definition, CollectionSettings settings) => new()
    {
        Definition = definition,
        EmbeddingGenerator = settings.EmbeddingGenerator,
        TenantProperty = settings.TenantProperty,
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_dataSource is not null) await _dataSource.DisposeAsync();
        if (_server is not null) await _server.DisposeAsync();
    }
}
