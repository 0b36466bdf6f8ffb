using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;
using Npgsql;
using Werkly.VectorIndex.Postgres.Tests.Support;
using Werkly.VectorIndex.VectorData.ConformanceSuite.Support;

namespace Werkly.VectorIndex.Postgres.Tests.Conformance;

/// <summary>The Postgres store for the shared suites: a PGlite server of its own per test class.</summary>
public class PostgresFixture : VectorStoreFixture
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

    /// <summary>The server's connection string (one pooled connection: PGlite serves one session).</summary>
    public string ConnectionString => _server?.ConnectionString ?? throw new InvalidOperationException("The fixture is not initialised.");

    public override async Task InitializeAsync()
    {
        _server = await PgLiteServer.StartAsync();
        _dataSource = _server.CreateDataSource();
        await base.InitializeAsync();
    }

    protected override VectorStore CreateStore() => new PostgresVectorStore(DataSource, NewStoreOptions());

    /// <summary>The store options of the fixture's stores, registered ones included.</summary>
    protected static PostgresVectorStoreOptions NewStoreOptions() => new() { IvfFlatThreshold = IndexThreshold };

    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition,
        CollectionSettings settings) =>
        PostgresStore.GetCollection<TKey, TRecord>(name, Options(definition, settings));

    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name,
        VectorStoreCollectionDefinition definition, CollectionSettings settings) =>
        PostgresStore.GetDynamicCollection(name, Options(definition, settings));

    /// <summary>Registers a store on the server's connection string (the registration's own data source).</summary>
    public override IServiceCollection RegisterStore(IServiceCollection services, object? serviceKey, ServiceLifetime lifetime) =>
        serviceKey is null ? services.AddWerklyPostgresVectorStore(ConnectionString, _ => NewStoreOptions(), lifetime)
            : services.AddKeyedWerklyPostgresVectorStore(serviceKey, ConnectionString, _ => NewStoreOptions(), lifetime);

    /// <summary>Registers a standalone collection on the server's connection string.</summary>
    public override IServiceCollection RegisterCollection<TKey, TRecord>(IServiceCollection services, object? serviceKey, string name, ServiceLifetime lifetime) =>
        serviceKey is null ? services.AddWerklyPostgresCollection<TKey, TRecord>(name, ConnectionString, lifetime: lifetime)
            : services.AddKeyedWerklyPostgresCollection<TKey, TRecord>(serviceKey, name, ConnectionString, lifetime: lifetime);

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

/// <summary>The Postgres store registered on the container's <see cref="NpgsqlDataSource"/> (keyed like the store), with
/// collections registered in that store rather than standalone.</summary>
public sealed class PostgresContainerDataSourceFixture : PostgresFixture
{
    public override IServiceCollection RegisterStore(IServiceCollection services, object? serviceKey, ServiceLifetime lifetime) =>
        (serviceKey is null ? services.AddWerklyPostgresVectorStore(_ => NewStoreOptions(), lifetime)
            : services.AddKeyedWerklyPostgresVectorStore(serviceKey, _ => NewStoreOptions(), lifetime))
        .AddKeyedSingleton(serviceKey, DataSource);

    public override IServiceCollection RegisterCollection<TKey, TRecord>(IServiceCollection services, object? serviceKey, string name, ServiceLifetime lifetime) =>
        serviceKey is null ? RegisterStore(services, null, ServiceLifetime.Singleton).AddWerklyPostgresCollection<TKey, TRecord>(name, lifetime: lifetime)
            : RegisterStore(services, serviceKey, ServiceLifetime.Singleton).AddKeyedWerklyPostgresCollection<TKey, TRecord>(serviceKey, name, lifetime: lifetime);
}
