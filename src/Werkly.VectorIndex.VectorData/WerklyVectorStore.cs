using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.VectorData.Storage;

namespace Werkly.VectorIndex.VectorData;

/// <summary>
/// A <see cref="VectorStore"/> over an embedded Werkly index folder (or in memory): each collection is an IVFFlat +
/// BM25 index with its own sub-folder, opened instantly (memory-mapped), searched in-process, with tenant partitions,
/// filters evaluated inside the scan and hybrid search.
/// </summary>
/// <remarks>
/// <para>Thread-safe. Stores opened on the same folder in one process share the open collections, so registering the
/// store as scoped or transient costs nothing per resolution; the folder's indexes close when the last store on it is
/// disposed. Another process may not open the folder for writing at the same time.</para>
/// <para>Engine failures (I/O errors, a full disk, damaged files, a folder locked by another process) surface as
/// <see cref="VectorStoreException"/> with the system ("werkly"), store, collection and operation names; invalid
/// arguments and unsupported requests throw <see cref="ArgumentException"/>, <see cref="NotSupportedException"/> and
/// <see cref="InvalidOperationException"/> as the abstraction prescribes.</para>
/// </remarks>
public sealed class WerklyVectorStore : VectorStore
{
    /// <summary>The <see cref="VectorStoreMetadata.VectorStoreSystemName"/> of this connector.</summary>
    public const string SystemName = "werkly";

    private readonly VectorStoreMetadata _metadata;
    private int _disposed;

    /// <summary>Opens (or creates) a store in <paramref name="directoryPath"/>, or an in-memory store when it is null.</summary>
    public WerklyVectorStore(string? directoryPath)
        : this(new WerklyVectorStoreOptions { DirectoryPath = directoryPath })
    {
    }

    /// <summary>Opens (or creates) a store with <paramref name="options"/> (null: in memory).</summary>
    /// <exception cref="ArgumentException">The options are invalid (the message names the setting).</exception>
    public WerklyVectorStore(WerklyVectorStoreOptions? options = null)
    {
        options ??= new WerklyVectorStoreOptions();
        var validation = new WerklyVectorStoreOptionsValidator().Validate(null, options);
        if (validation.Failed) throw new ArgumentException(validation.FailureMessage, nameof(options));
        Options = new WerklyVectorStoreOptions
        {
            DirectoryPath = options.DirectoryPath,
            DurableWrites = options.DurableWrites,
            EmbeddingGenerator = options.EmbeddingGenerator,
            Name = options.Name,
        };
        Root = StoreRoot.Acquire(options.DirectoryPath, options.DurableWrites);
        Name = options.Name ?? (Root.DirectoryPath is { } path ? Path.GetFileName(path) : "memory");
        _metadata = new VectorStoreMetadata { VectorStoreSystemName = SystemName, VectorStoreName = Name };
    }

    /// <summary>The store's name (metadata and exceptions).</summary>
    public string Name { get; }

    /// <summary>The store folder (full path), or null in memory.</summary>
    public string? DirectoryPath => Root.DirectoryPath;

    internal WerklyVectorStoreOptions Options { get; }

    internal StoreRoot Root { get; }

    /// <inheritdoc />
    public override WerklyCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null) =>
        new(this, name, new WerklyCollectionOptions { Definition = definition, EmbeddingGenerator = Options.EmbeddingGenerator });

    /// <summary>Gets a collection with Werkly settings, such as a tenant property.</summary>
    /// <param name="name">The collection name (1 to 128 characters of A-Z, a-z, 0-9, '_', '-', '.').</param>
    /// <param name="options">The definition, embedding generator, tenant property and vector settings.</param>
    public WerklyCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, WerklyCollectionOptions options)
        where TKey : notnull
        where TRecord : class =>
        new(this, name, WithDefaults(options));

    /// <inheritdoc />
    public override WerklyDynamicCollection GetDynamicCollection(string name, VectorStoreCollectionDefinition definition) =>
        new(this, name, new WerklyCollectionOptions { Definition = definition, EmbeddingGenerator = Options.EmbeddingGenerator });

    /// <summary>Gets a dynamic collection (records as <c>Dictionary&lt;string, object?&gt;</c>) with Werkly settings.</summary>
    public WerklyDynamicCollection GetDynamicCollection(string name, WerklyCollectionOptions options) => new(this, name, WithDefaults(options));

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        IReadOnlyList<string> names;
        try
        {
            names = Root.Names();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Failure(ex, null, "ListCollectionNames");
        }
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        StoreRoot.ValidateName(name, nameof(name));
        ThrowIfDisposed();
        return Task.FromResult(Root.Exists(name));
    }

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
    {
        StoreRoot.ValidateName(name, nameof(name));
        ThrowIfDisposed();
        try
        {
            Root.Delete(name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Failure(ex, name, "EnsureCollectionDeleted");
        }
        return Task.CompletedTask;
    }

    /// <summary>Makes every write to every open collection of this store durable (see <see cref="WerklyVectorStoreOptions.DurableWrites"/>).</summary>
    /// <exception cref="VectorStoreException">A commit failed; the writes stay pending for the next one.</exception>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (Root.DirectoryPath is null) return;
        foreach (var entry in Root.OpenCollections)
        {
            await entry.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Task.Run(() => entry.Read(engine => { engine.Commit(cancellationToken); return 0; }), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw Failure(ex, entry.Name, "Commit");
            }
            finally
            {
                entry.WriteGate.Release();
            }
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0) Root.Release();
        base.Dispose(disposing);
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    internal VectorStoreException Failure(Exception inner, string? collection, string operation) =>
        new($"The Werkly store '{Name}' failed to {operation}{(collection is null ? "" : $" on collection '{collection}'")}: {inner.Message}", inner)
        {
            VectorStoreSystemName = SystemName,
            VectorStoreName = Name,
            CollectionName = collection,
            OperationName = operation,
        };

    private WerklyCollectionOptions WithDefaults(WerklyCollectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = new WerklyCollectionOptions(options);
        copy.EmbeddingGenerator ??= Options.EmbeddingGenerator;
        return copy;
    }
}
