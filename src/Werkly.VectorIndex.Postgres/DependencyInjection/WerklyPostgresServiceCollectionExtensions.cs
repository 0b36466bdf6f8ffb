using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;
using Npgsql;
using Werkly.VectorIndex.Postgres;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Werkly Postgres vector store and its collections with Microsoft.Extensions.DependencyInjection,
/// as <see cref="WerklyServiceCollectionExtensions"/> registers the embedded store.</summary>
/// <remarks>
/// <para>Stores register as <see cref="PostgresVectorStore"/> and <see cref="VectorStore"/>; collections as
/// <see cref="PostgresCollection{TKey, TRecord}"/>, <see cref="VectorStoreCollection{TKey, TRecord}"/>,
/// <see cref="IVectorSearchable{TRecord}"/> and <see cref="IKeywordHybridSearchable{TRecord}"/> — each with the lifetime
/// given (singleton by default), keyed or not.</para>
/// <para>Connections: registered with a connection string, a registration builds one pooled <see cref="NpgsqlDataSource"/>
/// (with pgvector's type mapping) when first needed, shares it among the stores of every lifetime it creates, and the
/// container disposes it. Registered without one, stores use the container's <see cref="NpgsqlDataSource"/> (keyed like the
/// store, else unkeyed), which must map pgvector's type (<c>NpgsqlDataSourceBuilder.UseVector()</c>) and is not disposed
/// by the stores.</para>
/// <para>Store options are registered as named options (the service key's text, or the default name) and validated at
/// start-up (<c>ValidateOnStart</c>). An <see cref="Microsoft.Extensions.AI.IEmbeddingGenerator"/> registered in the
/// container is used when the options name none. Nothing connects to the server until a collection is used.</para>
/// </remarks>
public static class WerklyPostgresServiceCollectionExtensions
{
    /// <summary>Registers a store on <paramref name="connectionString"/>.</summary>
    /// <exception cref="ArgumentException">The connection string is empty or not a valid Npgsql connection string.</exception>
    public static IServiceCollection AddWerklyPostgresVectorStore(this IServiceCollection services, string connectionString,
        Func<IServiceProvider, PostgresVectorStoreOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Singleton) =>
        AddKeyedWerklyPostgresVectorStore(services, null, connectionString, optionsProvider, lifetime);

    /// <summary>Registers a store on the container's <see cref="NpgsqlDataSource"/>.</summary>
    public static IServiceCollection AddWerklyPostgresVectorStore(this IServiceCollection services,
        Func<IServiceProvider, PostgresVectorStoreOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Singleton) =>
        AddKeyedWerklyPostgresVectorStore(services, null, optionsProvider, lifetime);

    /// <summary>Registers a store under <paramref name="serviceKey"/> on <paramref name="connectionString"/>.</summary>
    /// <exception cref="ArgumentException">The connection string is empty or not a valid Npgsql connection string.</exception>
    public static IServiceCollection AddKeyedWerklyPostgresVectorStore(this IServiceCollection services, object? serviceKey, string connectionString,
        Func<IServiceProvider, PostgresVectorStoreOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        var connection = OwnedDataSourceRegistration(services, connectionString);
        return AddStore(services, serviceKey, optionsProvider, lifetime, provider => provider.GetRequiredKeyedService<OwnedDataSource>(connection).DataSource);
    }

    /// <summary>Registers a store under <paramref name="serviceKey"/> on the container's <see cref="NpgsqlDataSource"/>
    /// (registered with the same key, or else unkeyed).</summary>
    public static IServiceCollection AddKeyedWerklyPostgresVectorStore(this IServiceCollection services, object? serviceKey,
        Func<IServiceProvider, PostgresVectorStoreOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddStore(services, serviceKey, optionsProvider, lifetime, provider => ContainerDataSource(provider, serviceKey));
    }

    /// <summary>Registers collection <paramref name="name"/> of the <see cref="PostgresVectorStore"/> registered in the container.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The collection name.</param>
    /// <param name="optionsProvider">Creates the collection options (definition, tenant property, probes, embedding generator); null for the defaults.</param>
    /// <param name="lifetime">The lifetime of the collection object.</param>
    public static IServiceCollection AddWerklyPostgresCollection<TKey, TRecord>(this IServiceCollection services, string name,
        Func<IServiceProvider, PostgresCollectionOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where TKey : notnull
        where TRecord : class =>
        AddKeyedWerklyPostgresCollection<TKey, TRecord>(services, null, name, optionsProvider, lifetime);

    /// <summary>Registers collection <paramref name="name"/> under <paramref name="serviceKey"/>, in the store registered with the
    /// same key (or else the unkeyed store).</summary>
    public static IServiceCollection AddKeyedWerklyPostgresCollection<TKey, TRecord>(this IServiceCollection services, object? serviceKey, string name,
        Func<IServiceProvider, PostgresCollectionOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where TKey : notnull
        where TRecord : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return AddCollection<TKey, TRecord>(services, serviceKey, lifetime, (provider, key) =>
        {
            var store = (key is null ? null : provider.GetKeyedService<PostgresVectorStore>(key)) ?? provider.GetService<PostgresVectorStore>()
                ?? throw new InvalidOperationException(
                    $"Collection '{name}' needs a PostgresVectorStore in the container: call AddWerklyPostgresVectorStore first, or register the collection with a connection string.");
            return store.GetCollection<TKey, TRecord>(name, CollectionOptions(provider, key, optionsProvider));
        });
    }

    /// <summary>Registers collection <paramref name="name"/> standalone, on <paramref name="connectionString"/> (one pooled data
    /// source and store for the registration, disposed with the container).</summary>
    /// <exception cref="ArgumentException">The connection string is empty or not a valid Npgsql connection string.</exception>
    public static IServiceCollection AddWerklyPostgresCollection<TKey, TRecord>(this IServiceCollection services, string name, string connectionString,
        Func<IServiceProvider, PostgresCollectionOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where TKey : notnull
        where TRecord : class =>
        AddKeyedWerklyPostgresCollection<TKey, TRecord>(services, null, name, connectionString, optionsProvider, lifetime);

    /// <summary>Registers collection <paramref name="name"/> standalone under <paramref name="serviceKey"/>, on
    /// <paramref name="connectionString"/>.</summary>
    /// <exception cref="ArgumentException">The connection string is empty or not a valid Npgsql connection string.</exception>
    public static IServiceCollection AddKeyedWerklyPostgresCollection<TKey, TRecord>(this IServiceCollection services, object? serviceKey, string name,
        string connectionString, Func<IServiceProvider, PostgresCollectionOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where TKey : notnull
        where TRecord : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var connection = OwnedDataSourceRegistration(services, connectionString);
        return AddCollection<TKey, TRecord>(services, serviceKey, lifetime, (provider, key) =>
            provider.GetRequiredKeyedService<OwnedDataSource>(connection).Store
                .GetCollection<TKey, TRecord>(name, CollectionOptions(provider, key, optionsProvider)));
    }

    private static IServiceCollection AddStore(IServiceCollection services, object? serviceKey,
        Func<IServiceProvider, PostgresVectorStoreOptions>? optionsProvider, ServiceLifetime lifetime, Func<IServiceProvider, NpgsqlDataSource> dataSource)
    {
        var name = WerklyServiceCollectionExtensions.OptionsName(serviceKey);
        services.AddOptions<PostgresVectorStoreOptions>(name)
            .Configure<IServiceProvider>((options, provider) => CopyTo(optionsProvider?.Invoke(provider), options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresVectorStoreOptions>, PostgresVectorStoreOptionsValidator>());

        services.Add(new ServiceDescriptor(typeof(PostgresVectorStore), serviceKey, (provider, key) =>
        {
            var options = new PostgresVectorStoreOptions();
            CopyTo(provider.GetRequiredService<IOptionsMonitor<PostgresVectorStoreOptions>>().Get(name), options);
            options.EmbeddingGenerator ??= WerklyServiceCollectionExtensions.Generator(provider, key);
            return new PostgresVectorStore(dataSource(provider), options);
        }, lifetime));
        services.Add(new ServiceDescriptor(typeof(VectorStore), serviceKey,
            (provider, key) => WerklyServiceCollectionExtensions.Resolve<PostgresVectorStore>(provider, key), lifetime));
        return services;
    }

    private static IServiceCollection AddCollection<TKey, TRecord>(IServiceCollection services, object? serviceKey, ServiceLifetime lifetime,
        Func<IServiceProvider, object?, PostgresCollection<TKey, TRecord>> factory)
        where TKey : notnull
        where TRecord : class
    {
        services.Add(new ServiceDescriptor(typeof(PostgresCollection<TKey, TRecord>), serviceKey, factory, lifetime));
        services.Add(new ServiceDescriptor(typeof(VectorStoreCollection<TKey, TRecord>), serviceKey,
            (provider, key) => WerklyServiceCollectionExtensions.Resolve<PostgresCollection<TKey, TRecord>>(provider, key), lifetime));
        services.Add(new ServiceDescriptor(typeof(IVectorSearchable<TRecord>), serviceKey,
            (provider, key) => WerklyServiceCollectionExtensions.Resolve<PostgresCollection<TKey, TRecord>>(provider, key), lifetime));
        services.Add(new ServiceDescriptor(typeof(IKeywordHybridSearchable<TRecord>), serviceKey,
            (provider, key) => WerklyServiceCollectionExtensions.Resolve<PostgresCollection<TKey, TRecord>>(provider, key), lifetime));
        return services;
    }

    /// <summary>Registers a singleton owning the data source for <paramref name="connectionString"/> under a key private to
    /// this registration, so that stores and collections of any lifetime share one pool.</summary>
    private static object OwnedDataSourceRegistration(IServiceCollection services, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString); // unknown keywords and malformed values fail now, not at first use
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            throw new ArgumentException($"The connection string is not a valid Npgsql connection string: {ex.Message}", nameof(connectionString), ex);
        }
        var key = new object();
        services.AddKeyedSingleton(key, (_, _) => new OwnedDataSource(connectionString));
        return key;
    }

    private static NpgsqlDataSource ContainerDataSource(IServiceProvider provider, object? serviceKey) =>
        (serviceKey is null ? null : provider.GetKeyedService<NpgsqlDataSource>(serviceKey)) ?? provider.GetService<NpgsqlDataSource>()
        ?? throw new InvalidOperationException(
            "The Postgres vector store needs an NpgsqlDataSource in the container (with UseVector()), or a connection string: " +
            "call AddWerklyPostgresVectorStore(connectionString) or register an NpgsqlDataSource first.");

    private static PostgresCollectionOptions CollectionOptions(IServiceProvider provider, object? serviceKey,
        Func<IServiceProvider, PostgresCollectionOptions>? optionsProvider)
    {
        var options = new PostgresCollectionOptions(optionsProvider?.Invoke(provider) ?? new PostgresCollectionOptions());
        options.EmbeddingGenerator ??= WerklyServiceCollectionExtensions.Generator(provider, serviceKey);
        return options;
    }

    private static void CopyTo(PostgresVectorStoreOptions? source, PostgresVectorStoreOptions target)
    {
        if (source is null) return;
        target.Schema = source.Schema;
        target.EmbeddingGenerator = source.EmbeddingGenerator;
        target.Name = source.Name;
        target.IvfFlatThreshold = source.IvfFlatThreshold;
        target.TargetRecall = source.TargetRecall;
        target.MaxReadRetries = source.MaxReadRetries;
    }

    /// <summary>A data source built from a registration's connection string (and, for standalone collections, the store
    /// over it), created on first use and disposed with the container.</summary>
    private sealed class OwnedDataSource : IAsyncDisposable, IDisposable
    {
        private readonly Lazy<NpgsqlDataSource> _dataSource;
        private readonly Lazy<PostgresVectorStore> _store;

        public OwnedDataSource(string connectionString)
        {
            _dataSource = new(() => PostgresVectorStore.CreateDataSource(connectionString));
            _store = new(() => new PostgresVectorStore(_dataSource.Value));
        }

        public NpgsqlDataSource DataSource => _dataSource.Value;

        public PostgresVectorStore Store => _store.Value;

        public void Dispose()
        {
            if (_store.IsValueCreated) _store.Value.Dispose();
            if (_dataSource.IsValueCreated) _dataSource.Value.Dispose();
        }

        public async ValueTask DisposeAsync()
        {
            if (_store.IsValueCreated) _store.Value.Dispose();
            if (_dataSource.IsValueCreated) await _dataSource.Value.DisposeAsync().ConfigureAwait(false);
        }
    }
}
