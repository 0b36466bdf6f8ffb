using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;
using Npgsql;
using Pgvector.Npgsql;
using Werkly.VectorIndex.Postgres.Sql;

namespace Werkly.VectorIndex.Postgres;

/// <summary>
/// A <see cref="VectorStore"/> on PostgreSQL with pgvector: the records, attributes, filters, tenant routing, scores and
/// hybrid results of the embedded Werkly connector, on a server. Each collection is one table LIST-partitioned by tenant,
/// with an IVFFlat index per partition once it is large enough.
/// </summary>
/// <remarks>
/// <para>Connections come from an <see cref="NpgsqlDataSource"/> (pooling); it must map pgvector's type
/// (<c>NpgsqlDataSourceBuilder.UseVector()</c>), which the connection-string constructor does. The catalog tables are
/// created, or migrated, on first use (see <c>werkly_schema</c>).</para>
/// <para>Thread-safe. Reads are retried after transient failures (<see cref="PostgresVectorStoreOptions.MaxReadRetries"/>);
/// writes are not. Server failures surface as <see cref="VectorStoreException"/> naming the system ("werkly-postgres"),
/// store, collection and operation.</para>
/// </remarks>
public sealed class PostgresVectorStore : VectorStore
{
    /// <summary>The <see cref="VectorStoreMetadata.VectorStoreSystemName"/> of this connector.</summary>
    public const string SystemName = "werkly-postgres";

    private readonly bool _ownsDataSource;
    private readonly VectorStoreMetadata _metadata;
    private readonly SemaphoreSlim _catalogGate = new(1, 1);
    private volatile bool _catalogReady;
    private bool? _iterativeScan;
    private int _disposed;

    /// <summary>Creates a store over <paramref name="dataSource"/> (which must map pgvector's type; not disposed with the store).</summary>
    /// <exception cref="ArgumentException">The options are invalid (the message names the setting).</exception>
    public PostgresVectorStore(NpgsqlDataSource dataSource, PostgresVectorStoreOptions? options = null)
        : this(dataSource, options, ownsDataSource: false)
    {
    }

    /// <summary>Creates a store on <paramref name="connectionString"/>, with its own pooled data source mapping pgvector's
    /// type (disposed with the store).</summary>
    public PostgresVectorStore(string connectionString, PostgresVectorStoreOptions? options = null)
        : this(CreateDataSource(connectionString), options, ownsDataSource: true)
    {
    }

    private PostgresVectorStore(NpgsqlDataSource dataSource, PostgresVectorStoreOptions? options, bool ownsDataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        options ??= new PostgresVectorStoreOptions();
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            if (ownsDataSource) dataSource.Dispose();
            throw new ArgumentException(ex.Message, nameof(options), ex);
        }
        DataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        Options = new PostgresVectorStoreOptions
        {
            Schema = options.Schema,
            EmbeddingGenerator = options.EmbeddingGenerator,
            Name = options.Name,
            IvfFlatThreshold = options.IvfFlatThreshold,
            TargetRecall = options.TargetRecall,
            MaxReadRetries = options.MaxReadRetries,
        };
        Name = options.Name ?? new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).Database ?? "postgres";
        _metadata = new VectorStoreMetadata { VectorStoreSystemName = SystemName, VectorStoreName = Name };
    }

    /// <summary>A pooled data source for <paramref name="connectionString"/> with pgvector's type mapping.</summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseVector();
        return builder.Build();
    }

    /// <summary>The store's name (metadata and exceptions).</summary>
    public string Name { get; }

    /// <summary>The data source the store's connections come from.</summary>
    public NpgsqlDataSource DataSource { get; }

    internal PostgresVectorStoreOptions Options { get; }

    /// <inheritdoc />
    public override PostgresCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null) =>
        new(this, name, new PostgresCollectionOptions { Definition = definition, EmbeddingGenerator = Options.EmbeddingGenerator });

    /// <summary>Gets a collection with backend settings, such as a tenant property.</summary>
    public PostgresCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, PostgresCollectionOptions options)
        where TKey : notnull
        where TRecord : class =>
        new(this, name, WithDefaults(options));

    /// <inheritdoc />
    public override PostgresDynamicCollection GetDynamicCollection(string name, VectorStoreCollectionDefinition definition) =>
        new(this, name, new PostgresCollectionOptions { Definition = definition, EmbeddingGenerator = Options.EmbeddingGenerator });

    /// <summary>Gets a dynamic collection with backend settings.</summary>
    public PostgresDynamicCollection GetDynamicCollection(string name, PostgresCollectionOptions options) => new(this, name, WithDefaults(options));

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var names = await ReadAsync(null, "ListCollectionNames", async (connection, ct) =>
        {
            var list = new List<string>();
            await using var command = new NpgsqlCommand($"SELECT name FROM {Catalog(connection)}.werkly_collections ORDER BY name COLLATE \"C\"", connection);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(reader.GetString(0));
            return list;
        }, cancellationToken).ConfigureAwait(false);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
    }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        PostgresCollectionNames.Validate(name, nameof(name));
        return CollectionExistsCoreAsync(name, cancellationToken);
    }

    internal Task<bool> CollectionExistsCoreAsync(string name, CancellationToken cancellationToken) =>
        ReadAsync(name, "CollectionExists", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {Catalog(connection)}.werkly_collections WHERE name = $1)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = name });
            return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
    {
        PostgresCollectionNames.Validate(name, nameof(name));
        return DeleteCollectionCoreAsync(name, cancellationToken);
    }

    internal Task DeleteCollectionCoreAsync(string name, CancellationToken cancellationToken) =>
        WriteAsync(name, "EnsureCollectionDeleted", async (connection, transaction, ct) =>
        {
            var table = SqlNames.CollectionTable(name);
            await using var command = new NpgsqlCommand(
                $"SELECT pg_advisory_xact_lock({SqlNames.LockId(table)}); " +
                $"DROP TABLE IF EXISTS {SqlNames.Quote(Options.Schema)}.{SqlNames.Quote(table)} CASCADE; " +
                $"DELETE FROM {SqlNames.Quote(Options.Schema)}.werkly_collections WHERE name = {SqlNames.Literal(name)}", connection, transaction);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreMetadata) ? _metadata
            : serviceType == typeof(NpgsqlDataSource) ? DataSource
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            if (_ownsDataSource) DataSource.Dispose();
            _catalogGate.Dispose();
        }
        base.Dispose(disposing);
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private string Catalog(NpgsqlConnection _) => SqlNames.Quote(Options.Schema);

    /// <summary>Whether the server's pgvector has <c>ivfflat.iterative_scan</c> (0.8.0 and later).</summary>
    /// <remarks>Settable for tests of servers without it (after the catalog is ready, which would overwrite it).</remarks>
    internal bool IterativeScan
    {
        get => _iterativeScan ?? false;
        set => _iterativeScan = value;
    }

    /// <summary>Creates or migrates the catalog once per store.</summary>
    internal async Task EnsureCatalogAsync(CancellationToken cancellationToken)
    {
        if (_catalogReady) return;
        await _catalogGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_catalogReady) return;
            await Sql.Catalog.EnsureAsync(DataSource, Options.Schema, cancellationToken).ConfigureAwait(false);
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (var command = new NpgsqlCommand("SELECT extversion FROM pg_extension WHERE extname = 'vector'", connection))
            {
                var version = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                _iterativeScan = version is not null && Version.TryParse(version, out var parsed) && parsed >= new Version(0, 8, 0);
            }
            // The vector type may have been created by the catalog migration after the data source loaded its types.
            await connection.ReloadTypesAsync(cancellationToken).ConfigureAwait(false);
            _catalogReady = true;
        }
        finally
        {
            _catalogGate.Release();
        }
    }

    /// <summary>Runs a read on a pooled connection, retrying transient failures; server failures become <see cref="VectorStoreException"/>.</summary>
    internal async Task<T> ReadAsync<T>(string? collection, string operation, Func<NpgsqlConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await EnsureCatalogAsync(cancellationToken).ConfigureAwait(false);
                await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                return await read(connection, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException ex) when (ex.IsTransient && attempt < Options.MaxReadRetries && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 << attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsServerFailure(ex, cancellationToken))
            {
                throw Failure(ex, collection, operation);
            }
        }
    }

    /// <summary>Runs a write in one transaction (committed when <paramref name="write"/> returns); never retried.</summary>
    internal async Task<T> WriteAsync<T>(string? collection, string operation, Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> write,
        CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        try
        {
            await EnsureCatalogAsync(cancellationToken).ConfigureAwait(false);
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var result = await write(connection, transaction, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch (Exception ex) when (IsServerFailure(ex, cancellationToken))
        {
            throw Failure(ex, collection, operation);
        }
    }

    private static bool IsServerFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is NpgsqlException or InvalidCastException or TimeoutException && !cancellationToken.IsCancellationRequested;

    internal VectorStoreException Failure(Exception inner, string? collection, string operation) =>
        new($"The Werkly Postgres store '{Name}' failed to {operation}{(collection is null ? "" : $" on collection '{collection}'")}: {inner.Message}", inner)
        {
            VectorStoreSystemName = SystemName,
            VectorStoreName = Name,
            CollectionName = collection,
            OperationName = operation,
        };

    private PostgresCollectionOptions WithDefaults(PostgresCollectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = new PostgresCollectionOptions(options);
        copy.EmbeddingGenerator ??= Options.EmbeddingGenerator;
        return copy;
    }
}

/// <summary>Collection names: the embedded connector's rule, so a collection can move between the backends.</summary>
internal static class PostgresCollectionNames
{
    public static void Validate(string name, string paramName) => VectorData.Storage.StoreRoot.ValidateName(name, paramName);
}
