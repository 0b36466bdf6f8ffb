using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using Werkly.VectorIndex.VectorData.Engine;
using Werkly.VectorIndex.VectorData.Filtering;
using Werkly.VectorIndex.VectorData.Model;
using Werkly.VectorIndex.VectorData.Storage;

namespace Werkly.VectorIndex.VectorData;

/// <summary>
/// A collection of a <see cref="WerklyVectorStore"/>: records of <typeparamref name="TRecord"/> keyed by
/// <typeparamref name="TKey"/> (<see cref="string"/>, <see cref="Guid"/>, <see cref="int"/> or <see cref="long"/>), searched
/// by vector (IVFFlat or flat), by keywords and vector together (<see cref="IKeywordHybridSearchable{TRecord}"/>), or
/// read by key and by filter.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TRecord">The record type (or <c>Dictionary&lt;string, object?&gt;</c> through <see cref="WerklyDynamicCollection"/>).</typeparam>
/// <remarks>
/// <para>Filters are translated into a predicate the engine evaluates while it scans, so a filtered search returns
/// <c>top</c> records whenever <c>top</c> records match — unlike a post-filter. With
/// <see cref="WerklyCollectionOptions.TenantProperty"/>, each tenant's records live in their own partition, and every
/// query must name its tenant (see there).</para>
/// <para>Each upsert or delete call is atomic: it is validated whole before anything changes, each tenant's share is
/// applied at once (a concurrent search sees all of it or none), and the call is committed as one when
/// <see cref="WerklyVectorStoreOptions.DurableWrites"/> is on.</para>
/// <para>Thread-safe: searches and reads run concurrently with each other and with writes; writes are serialised.</para>
/// </remarks>
public partial class WerklyCollection<TKey, TRecord> : VectorStoreCollection<TKey, TRecord>, IKeywordHybridSearchable<TRecord>
    where TKey : notnull
    where TRecord : class
{
    private readonly WerklyVectorStore _store;
    private readonly bool _ownsStore;
    private readonly CollectionModel _model;
    private readonly RecordMapper _mapper;
    private readonly CollectionSchema _schema;
    private readonly VectorStoreCollectionMetadata _metadata;
    private CollectionEntry? _verified;

    /// <summary>Creates a collection object for <paramref name="name"/> in <paramref name="store"/> (the collection itself is
    /// created by <see cref="EnsureCollectionExistsAsync"/>).</summary>
    /// <exception cref="ArgumentException">The name is not a valid collection name.</exception>
    /// <exception cref="NotSupportedException">The record model uses a type, distance function or index kind this connector
    /// does not support (the message lists what is supported).</exception>
    public WerklyCollection(WerklyVectorStore store, string name, WerklyCollectionOptions? options = null)
        : this(store, name, options, ownsStore: false)
    {
    }

    /// <summary>Creates a standalone collection over its own store, disposed with the collection (used by the DI registration).</summary>
    internal WerklyCollection(WerklyVectorStoreOptions storeOptions, string name, WerklyCollectionOptions? options)
        : this(new WerklyVectorStore(storeOptions), name, options, ownsStore: true)
    {
    }

    private WerklyCollection(WerklyVectorStore store, string name, WerklyCollectionOptions? options, bool ownsStore)
    {
        ArgumentNullException.ThrowIfNull(store);
        try
        {
            StoreRoot.ValidateName(name, nameof(name));
            store.ThrowIfDisposed();
            options ??= new WerklyCollectionOptions();
            if (typeof(TRecord) == typeof(Dictionary<string, object?>) && this is not WerklyDynamicCollection)
                throw new NotSupportedException(VectorDataStrings.NonDynamicCollectionWithDictionaryNotSupported(typeof(WerklyDynamicCollection)));
            _model = WerklyModelBuilder.BuildFor(typeof(TRecord), typeof(TKey), options.Definition,
                options.EmbeddingGenerator ?? store.Options.EmbeddingGenerator);
            _mapper = new RecordMapper(_model, options.TenantProperty);
            _schema = CollectionSchema.For(_mapper, options);
        }
        catch when (ownsStore)
        {
            store.Dispose();
            throw;
        }
        _store = store;
        _ownsStore = ownsStore;
        Name = name;
        TenantProperty = _mapper.TenantProperty?.ModelName;
        _metadata = new VectorStoreCollectionMetadata
        {
            VectorStoreSystemName = WerklyVectorStore.SystemName,
            VectorStoreName = store.Name,
            CollectionName = name,
        };
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>The tenant property (its .NET name), or null when the collection is one partition.</summary>
    public string? TenantProperty { get; }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        _store.ThrowIfDisposed();
        return Task.FromResult(_store.Root.Exists(Name));
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The collection exists with another schema (dimensions, distance function,
    /// key type, tenant or text properties).</exception>
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        _store.ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        Run("EnsureCollectionExists", () => _store.Root.GetOrCreate(Name, _schema));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        _store.ThrowIfDisposed();
        Run("EnsureCollectionDeleted", () => { _store.Root.Delete(Name); return 0; });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreCollectionMetadata) ? _metadata
            : serviceType == typeof(VectorStore) || serviceType == typeof(WerklyVectorStore) ? _store
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsStore) _store.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>The open collection, checked against this object's schema.</summary>
    /// <exception cref="VectorStoreException">The collection does not exist.</exception>
    private CollectionEntry Entry(string operation)
    {
        _store.ThrowIfDisposed();
        CollectionEntry? entry;
        try
        {
            entry = _store.Root.Find(Name);
        }
        catch (Exception ex) when (IsEngineFailure(ex))
        {
            throw _store.Failure(ex, Name, operation);
        }
        if (entry is null)
        {
            throw _store.Failure(new InvalidOperationException(
                $"Collection '{Name}' does not exist; call EnsureCollectionExistsAsync first."), Name, operation);
        }
        if (!ReferenceEquals(entry, _verified))
        {
            entry.Schema.EnsureCompatible(_schema, Name);
            _verified = entry;
        }
        return entry;
    }

    /// <summary>Runs an engine call: invalid arguments and unsupported requests pass through, engine failures are
    /// wrapped in <see cref="VectorStoreException"/>.</summary>
    private T Run<T>(string operation, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception ex) when (IsEngineFailure(ex))
        {
            throw _store.Failure(ex, Name, operation);
        }
    }

    private static bool IsEngineFailure(Exception ex) =>
        ex is not (ArgumentException or InvalidOperationException or NotSupportedException or OperationCanceledException
            or ObjectDisposedException or VectorStoreException);

    private FilterTranslator Filters() => new(_mapper);

    /// <summary>The open collection, for benchmarks that time the layers below the connector.</summary>
    internal CollectionEntry EntryForBenchmarks() => Entry("Benchmark");
}
