using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.VectorData.ConformanceSuite.Support;

namespace Werkly.VectorIndex.VectorData.Tests.Conformance;

/// <summary>The embedded Werkly store for the shared suites: in memory, or persisted in a temporary folder.</summary>
public abstract class WerklyFixture : VectorStoreFixture
{
    public override string SystemName => WerklyVectorStore.SystemName;

    public WerklyVectorStore WerklyStore => (WerklyVectorStore)Store;

    public override Type StoreType => typeof(WerklyVectorStore);

    public override Type CollectionType<TKey, TRecord>() => typeof(WerklyCollection<TKey, TRecord>);

    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition,
        CollectionSettings settings) =>
        WerklyStore.GetCollection<TKey, TRecord>(name, Options(definition, settings));

    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name,
        VectorStoreCollectionDefinition definition, CollectionSettings settings) =>
        WerklyStore.GetDynamicCollection(name, Options(definition, settings));

    public override IServiceCollection RegisterStore(IServiceCollection services, object? serviceKey, ServiceLifetime lifetime) =>
        serviceKey is null ? services.AddWerklyVectorStore(_ => new WerklyVectorStoreOptions(), lifetime)
            : services.AddKeyedWerklyVectorStore(serviceKey, _ => new WerklyVectorStoreOptions(), lifetime);

    public override IServiceCollection RegisterCollection<TKey, TRecord>(IServiceCollection services, object? serviceKey, string name, ServiceLifetime lifetime) =>
        serviceKey is null ? services.AddWerklyCollection<TKey, TRecord>(name, directoryPath: null, lifetime: lifetime)
            : services.AddKeyedWerklyCollection<TKey, TRecord>(serviceKey, name, directoryPath: null, lifetime: lifetime);

    private static WerklyCollectionOptions Options(VectorStoreCollectionDefinition? definition, CollectionSettings settings) => new()
    {
        Definition = definition,
        EmbeddingGenerator = settings.EmbeddingGenerator,
        TenantProperty = settings.TenantProperty,
    };
}

/// <summary>An in-memory store.</summary>
public sealed class MemoryFixture : WerklyFixture
{
    protected override VectorStore CreateStore() => new WerklyVectorStore((string?)null);
}

/// <summary>A store persisted in a temporary folder, committing each write.</summary>
public sealed class DiskFixture : WerklyFixture
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "werkly-vectordata-tests", Guid.NewGuid().ToString("N")[..12]);

    protected override VectorStore CreateStore() => new WerklyVectorStore(_directory);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
