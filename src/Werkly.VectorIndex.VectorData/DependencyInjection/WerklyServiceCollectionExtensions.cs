using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.VectorData;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Werkly vector store and its collections with Microsoft.Extensions.DependencyInjection.</summary>
/// <remarks>
/// <para>Stores register as <see cref="WerklyVectorStore"/> and <see cref="VectorStore"/>; collections as
/// <see cref="WerklyCollection{TKey, TRecord}"/>, <see cref="VectorStoreCollection{TKey, TRecord}"/>,
/// <see cref="IVectorSearchable{TRecord}"/> and <see cref="IKeywordHybridSearchable{TRecord}"/> — each with the lifetime
/// given (singleton by default), keyed or not. Stores of any lifetime on one folder share its open indexes.</para>
/// <para>Store options are registered as named options (the service key's text, or the default name) and validated at
/// start-up (<c>ValidateOnStart</c>, with a source-generated validator). An
/// <see cref="IEmbeddingGenerator"/> registered in the container is used when the options name none.</para>
/// </remarks>
public static class WerklyServiceCollectionExtensions
{
    /// <summary>Registers a store in <paramref name="directoryPath"/> (null: in memory).</summary>
    public static IServiceCollection AddWerklyVectorStore(this IServiceCollection services, string? directoryPath,
        ServiceLifetime lifetime = ServiceLifetime.Singleton) =>
        AddKeyedWerklyVectorStore(services, null, _ => new WerklyVectorStoreOptions { DirectoryPath = directoryPath }, lifetime);

    /// <summary>Registers a store whose options <paramref name="optionsProvider"/> creates (null: in memory).</summary>
    public static IServiceCollection AddWerklyVectorStore(this IServiceCollection services,
        Func<IServiceProvider, WerklyVectorStoreOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Singleton) =>
        AddKeyedWerklyVectorStore(services, null, optionsProvider, lifetime);

    /// <summary>Registers a store under <paramref name="serviceKey"/>, in <paramref name="directoryPath"/> (null: in memory).</summary>
    public static IServiceCollection AddKeyedWerklyVectorStore(this IServiceCollection services, object? serviceKey, string? directoryPath,
        ServiceLifetime lifetime = ServiceLifetime.Singleton) =>
        AddKeyedWerklyVectorStore(services, serviceKey, _ => new WerklyVectorStoreOptions { DirectoryPath = directoryPath }, lifetime);

    /// <summary>Registers a store under <paramref name="serviceKey"/> whose options <paramref name="optionsProvider"/> creates.</summary>
    public static IServiceCollection AddKeyedWerklyVectorStore(this IServiceCollection services, object? serviceKey,
        Func<IServiceProvider, WerklyVectorStoreOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        var name = OptionsName(serviceKey);
        services.AddOptions<WerklyVectorStoreOptions>(name)
            .Configure<IServiceProvider>((options, provider) => CopyTo(optionsProvider?.Invoke(provider), options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WerklyVectorStoreOptions>, WerklyVectorStoreOptionsValidator>());

        services.Add(new ServiceDescriptor(typeof(WerklyVectorStore), serviceKey, (provider, key) => CreateStore(provider, key, name), lifetime));
        services.Add(new ServiceDescriptor(typeof(VectorStore), serviceKey, (provider, key) => Resolve<WerklyVectorStore>(provider, key), lifetime));
        return services;
    }

    /// <summary>Registers collection <paramref name="name"/> of the <see cref="WerklyVectorStore"/> registered in the container.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The collection name.</param>
    /// <param name="optionsProvider">Creates the collection options (definition, tenant property, embedding generator); null for the defaults.</param>
    /// <param name="lifetime">The lifetime of the collection object.</param>
    public static IServiceCollection AddWerklyCollection<TKey, TRecord>(this IServiceCollection services, string name,
        Func<IServiceProvider, WerklyCollectionOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where TKey : notnull
        where TRecord : class =>
        AddKeyedWerklyCollection<TKey, TRecord>(services, null, name, optionsProvider, lifetime);

    /// <summary>Registers collection <paramref name="name"/> under <paramref name="serviceKey"/>, in the store registered with the
    /// same key (or else the unkeyed store).</summary>
    public static IServiceCollection AddKeyedWerklyCollection<TKey, TRecord>(this IServiceCollection services, object? serviceKey, string name,
        Func<IServiceProvider, WerklyCollectionOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where TKey : notnull
        where TRecord : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return AddCollection<TKey, TRecord>(services, serviceKey, lifetime, (provider, key) =>
        {
            var store = (key is null ? null : provider.GetKeyedService<WerklyVectorStore>(key)) ?? provider.GetService<WerklyVectorStore>()
                ?? throw new InvalidOperationException(
                    $"Collection '{name}' needs a WerklyVectorStore in the container: call AddWerklyVectorStore first, or register the collection with a directory.");
            return store.GetCollection<TKey, TRecord>(name, CollectionOptions(provider, key, optionsProvider));
        });
    }

    /// <summary>Registers collection <paramref name="name"/> standalone, over its own store in <paramref name="directoryPath"/>
    /// (null: in memory), released when the collection is disposed.</summary>
    public static IServiceCollection AddWerklyCollection<TKey, TRecord>(this IServiceCollection services, string name, string? directoryPath,
        Func<IServiceProvider, WerklyCollectionOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where TKey : notnull
        where TRecord : class =>
        AddKeyedWerklyCollection<TKey, TRecord>(services, null, name, directoryPath, optionsProvider, lifetime);

    /// <summary>Registers collection <paramref name="name"/> standalone under <paramref name="serviceKey"/>, over its own store in
    /// <paramref name="directoryPath"/> (null: in memory).</summary>
    public static IServiceCollection AddKeyedWerklyCollection<TKey, TRecord>(this IServiceCollection services, object? serviceKey, string name,
        string? directoryPath, Func<IServiceProvider, WerklyCollectionOptions>? optionsProvider = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where TKey : notnull
        where TRecord : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return AddCollection<TKey, TRecord>(services, serviceKey, lifetime, (provider, key) =>
        {
            var options = CollectionOptions(provider, key, optionsProvider);
            var store = new WerklyVectorStoreOptions { DirectoryPath = directoryPath, EmbeddingGenerator = options.EmbeddingGenerator };
            return new WerklyCollection<TKey, TRecord>(store, name, options);
        });
    }

    private static IServiceCollection AddCollection<TKey, TRecord>(IServiceCollection services, object? serviceKey, ServiceLifetime lifetime,
        Func<IServiceProvider, object?, WerklyCollection<TKey, TRecord>> factory)
        where TKey : notnull
        where TRecord : class
    {
        services.Add(new ServiceDescriptor(typeof(WerklyCollection<TKey, TRecord>), serviceKey, factory, lifetime));
        services.Add(new ServiceDescriptor(typeof(VectorStoreCollection<TKey, TRecord>), serviceKey,
            (provider, key) => Resolve<WerklyCollection<TKey, TRecord>>(provider, key), lifetime));
        services.Add(new ServiceDescriptor(typeof(IVectorSearchable<TRecord>), serviceKey,
            (provider, key) => Resolve<WerklyCollection<TKey, TRecord>>(provider, key), lifetime));
        services.Add(new ServiceDescriptor(typeof(IKeywordHybridSearchable<TRecord>), serviceKey,
            (provider, key) => Resolve<WerklyCollection<TKey, TRecord>>(provider, key), lifetime));
        return services;
    }

    private static WerklyVectorStore CreateStore(IServiceProvider provider, object? serviceKey, string name)
    {
        var configured = provider.GetRequiredService<IOptionsMonitor<WerklyVectorStoreOptions>>().Get(name);
        var options = new WerklyVectorStoreOptions();
        CopyTo(configured, options);
        options.EmbeddingGenerator ??= Generator(provider, serviceKey);
        return new WerklyVectorStore(options);
    }

    private static WerklyCollectionOptions CollectionOptions(IServiceProvider provider, object? serviceKey,
        Func<IServiceProvider, WerklyCollectionOptions>? optionsProvider)
    {
        var options = new WerklyCollectionOptions(optionsProvider?.Invoke(provider) ?? new WerklyCollectionOptions());
        options.EmbeddingGenerator ??= Generator(provider, serviceKey);
        return options;
    }

    /// <summary>The container's embedding generator: keyed like the store or collection, else unkeyed; non-generic or
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> (what <c>AddOnnxEmbeddingGenerator</c> registers).</summary>
    private static IEmbeddingGenerator? Generator(IServiceProvider provider, object? serviceKey) =>
        (serviceKey is null ? null : provider.GetKeyedService<IEmbeddingGenerator>(serviceKey))
        ?? provider.GetService<IEmbeddingGenerator>()
        ?? (serviceKey is null ? null : provider.GetKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(serviceKey))
        ?? provider.GetService<IEmbeddingGenerator<string, Embedding<float>>>();

    private static T Resolve<T>(IServiceProvider provider, object? key) where T : notnull =>
        key is null ? provider.GetRequiredService<T>() : provider.GetRequiredKeyedService<T>(key);

    private static string OptionsName(object? serviceKey) =>
        serviceKey is null ? Options.Options.DefaultName : Convert.ToString(serviceKey, System.Globalization.CultureInfo.InvariantCulture) ?? "";

    private static void CopyTo(WerklyVectorStoreOptions? source, WerklyVectorStoreOptions target)
    {
        if (source is null) return;
        target.DirectoryPath = source.DirectoryPath;
        target.DurableWrites = source.DurableWrites;
        target.EmbeddingGenerator = source.EmbeddingGenerator;
        target.Name = source.Name;
    }
}
