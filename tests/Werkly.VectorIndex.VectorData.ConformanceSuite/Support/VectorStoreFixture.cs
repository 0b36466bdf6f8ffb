using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;

namespace Werkly.VectorIndex.VectorData.ConformanceSuite.Support;

/// <summary>Backend-specific settings of a collection that the suites need beyond the MEVD definition.</summary>
/// <param name="TenantProperty">The tenant property (.NET name), or null for a collection of one partition.</param>
/// <param name="EmbeddingGenerator">The collection's embedding generator, or null.</param>
public sealed record CollectionSettings(string? TenantProperty = null, IEmbeddingGenerator? EmbeddingGenerator = null);

/// <summary>
/// What a backend (the embedded Werkly store, the Postgres store) provides to the suites: a store, collections with
/// backend settings, and DI registrations. One fixture instance serves one test class; collection names are unique per
/// test, so tests of a class may share the store.
/// </summary>
public abstract class VectorStoreFixture : IAsyncLifetime
{
    private int _counter;
    private VectorStore? _store;

    /// <summary>The store the tests use.</summary>
    public VectorStore Store => _store ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>The system name the store reports (<see cref="VectorStoreMetadata.VectorStoreSystemName"/>).</summary>
    public abstract string SystemName { get; }

    /// <summary>Records a partition needs before the backend searches it through IVF lists rather than exactly.</summary>
    public virtual int ApproximateSearchThreshold => 20_000;

    /// <summary>The index kind the backend uses when none is given.</summary>
    public virtual string DefaultIndexKind => IndexKind.IvfFlat;

    /// <summary>Distance functions the backend supports.</summary>
    public virtual IReadOnlyList<string> SupportedDistanceFunctions { get; } =
    [
        DistanceFunction.CosineSimilarity, DistanceFunction.CosineDistance, DistanceFunction.DotProductSimilarity,
        DistanceFunction.NegativeDotProductSimilarity, DistanceFunction.EuclideanDistance, DistanceFunction.EuclideanSquaredDistance,
    ];

    /// <summary>A fresh collection name.</summary>
    public string NewName(string prefix) => $"{prefix}-{Interlocked.Increment(ref _counter)}";

    /// <summary>Creates the store the tests use.</summary>
    protected abstract VectorStore CreateStore();

    /// <summary>A collection with backend settings (tenant property, embedding generator).</summary>
    public abstract VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition,
        CollectionSettings settings)
        where TKey : notnull
        where TRecord : class;

    /// <summary>A dynamic collection with backend settings.</summary>
    public abstract VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name,
        VectorStoreCollectionDefinition definition, CollectionSettings settings);

    /// <summary>Registers the backend's store in <paramref name="services"/> (keyed when <paramref name="serviceKey"/> is not null).</summary>
    public abstract IServiceCollection RegisterStore(IServiceCollection services, object? serviceKey, ServiceLifetime lifetime);

    /// <summary>Registers a standalone collection (without a store registration).</summary>
    public abstract IServiceCollection RegisterCollection<TKey, TRecord>(IServiceCollection services, object? serviceKey, string name, ServiceLifetime lifetime)
        where TKey : notnull
        where TRecord : class;

    /// <summary>The backend's concrete store type.</summary>
    public abstract Type StoreType { get; }

    /// <summary>The backend's concrete collection type for <typeparamref name="TKey"/> and <typeparamref name="TRecord"/>.</summary>
    public abstract Type CollectionType<TKey, TRecord>()
        where TKey : notnull
        where TRecord : class;

    /// <summary>Creates and initialises a collection for a test: deleted first, then created.</summary>
    public async Task<VectorStoreCollection<TKey, TRecord>> CreateCollectionAsync<TKey, TRecord>(string prefix,
        VectorStoreCollectionDefinition? definition = null, CollectionSettings? settings = null)
        where TKey : notnull
        where TRecord : class
    {
        var collection = GetCollection<TKey, TRecord>(NewName(prefix), definition, settings ?? new CollectionSettings());
        await collection.EnsureCollectionDeletedAsync();
        await collection.EnsureCollectionExistsAsync();
        return collection;
    }

    /// <inheritdoc />
    public virtual Task InitializeAsync()
    {
        _store = CreateStore();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public virtual Task DisposeAsync()
    {
        _store?.Dispose();
        return Task.CompletedTask;
    }
}
