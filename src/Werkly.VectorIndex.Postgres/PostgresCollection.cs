using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using Npgsql;
using Werkly.VectorIndex.Postgres.Sql;
using Werkly.VectorIndex.VectorData;
using Werkly.VectorIndex.VectorData.Filtering;
using Werkly.VectorIndex.VectorData.Model;
using Werkly.VectorIndex.VectorData.Storage;

namespace Werkly.VectorIndex.Postgres;

/// <summary>
/// A collection of a <see cref="PostgresVectorStore"/>: the embedded connector's collection
/// (<see cref="WerklyCollection{TKey, TRecord}"/>) on a Postgres table — same record model, validation, filter semantics,
/// tenant routing, scores and hybrid fusion.
/// </summary>
/// <typeparam name="TKey">The key type (<see cref="string"/>, <see cref="Guid"/>, <see cref="int"/> or <see cref="long"/>).</typeparam>
/// <typeparam name="TRecord">The record type (or <c>Dictionary&lt;string, object?&gt;</c> through <see cref="PostgresDynamicCollection"/>).</typeparam>
/// <remarks>
/// <para>Layout: one table (<c>werkly_tenant</c>, <c>werkly_key</c>, <c>werkly_vector</c>, one column per data property, a
/// generated tsvector per full-text property), LIST-partitioned by tenant; a partition per tenant, created by its first
/// write and dropped by <see cref="DeleteTenantAsync"/>. A partition of at least
/// <see cref="PostgresVectorStoreOptions.IvfFlatThreshold"/> rows gets an IVFFlat index, rebuilt when it has doubled; its
/// probes are calibrated to <see cref="PostgresVectorStoreOptions.TargetRecall"/> and set per query. A filtered search
/// uses pgvector's iterative index scan (0.8+), or an exact scan of the partition where the server lacks it, so it
/// returns <c>top</c> records whenever <c>top</c> records match.</para>
/// <para>Each upsert or delete call is one transaction; writes to a collection are serialised by an advisory lock.
/// Thread-safe.</para>
/// </remarks>
public partial class PostgresCollection<TKey, TRecord> : VectorStoreCollection<TKey, TRecord>, IKeywordHybridSearchable<TRecord>
    where TKey : notnull
    where TRecord : class
{
    private readonly PostgresVectorStore _store;
    private readonly PostgresCollectionOptions _options;
    private readonly CollectionModel _model;
    private readonly RecordMapper _mapper;
    private readonly CollectionSchema _schema;
    private readonly TableLayout _layout;
    private readonly VectorStoreCollectionMetadata _metadata;
    private volatile bool _verified;

    /// <summary>Creates a collection object for <paramref name="name"/> in <paramref name="store"/> (the table itself is
    /// created by <see cref="EnsureCollectionExistsAsync"/>).</summary>
    /// <exception cref="ArgumentException">The name is not a valid collection name.</exception>
    /// <exception cref="NotSupportedException">The record model uses a type, distance function or index kind this connector
    /// does not support (the message lists what is supported).</exception>
    public PostgresCollection(PostgresVectorStore store, string name, PostgresCollectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        PostgresCollectionNames.Validate(name, nameof(name));
        store.ThrowIfDisposed();
        options ??= new PostgresCollectionOptions();
        if (typeof(TRecord) == typeof(Dictionary<string, object?>) && this is not PostgresDynamicCollection)
            throw new NotSupportedException(VectorDataStrings.NonDynamicCollectionWithDictionaryNotSupported(typeof(PostgresDynamicCollection)));
        _model = WerklyModelBuilder.BuildFor(typeof(TRecord), typeof(TKey), options.Definition, options.EmbeddingGenerator ?? store.Options.EmbeddingGenerator);
        _mapper = new RecordMapper(_model, options.TenantProperty);
        // pgvector keeps every vector as written, so reads return the original under cosine too.
        _schema = CollectionSchema.For(_mapper, new WerklyCollectionOptions { TenantProperty = options.TenantProperty, KeepOriginalVectors = true });
        if (options.Probes is < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Probes, "Probes must be at least 1.");
        var engine = _schema.ToEngine();
        _layout = new TableLayout(store.Options.Schema, SqlNames.CollectionTable(name), _mapper, engine.Dimensions, engine.Metric);
        _store = store;
        _options = options;
        Name = name;
        TenantProperty = _mapper.TenantProperty?.ModelName;
        _metadata = new VectorStoreCollectionMetadata
        {
            VectorStoreSystemName = PostgresVectorStore.SystemName,
            VectorStoreName = store.Name,
            CollectionName = name,
        };
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>The tenant property (its .NET name), or null when the collection is one partition.</summary>
    public string? TenantProperty { get; }

    /// <summary>The collection's table (schema-qualified, quoted), for operators and for Citus
    /// (<c>create_distributed_table</c>, see docs/SCALE-OUT.md).</summary>
    public string TableName => _layout.QualifiedTable;

    private string Catalog => SqlNames.Quote(_layout.Schema);

    private bool Flat => _schema.IndexKind == IndexKind.Flat;

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) =>
        _store.CollectionExistsCoreAsync(Name, cancellationToken);

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The collection exists with another schema (dimensions, distance function,
    /// key type, tenant or text properties).</exception>
    public override async Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        await _store.WriteAsync(Name, "EnsureCollectionExists", async (connection, transaction, ct) =>
        {
            await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SqlNames.LockId(_layout.Table)})", connection, transaction))
                await lockCommand.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            if (await StoredSchemaAsync(connection, transaction, ct).ConfigureAwait(false) is { } stored)
            {
                stored.EnsureCompatible(_schema, Name);
                return 0;
            }
            var batch = new NpgsqlBatch(connection, transaction);
            await using (batch.ConfigureAwait(false))
            {
                foreach (var statement in _layout.CreateStatements()) batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
                var register = new NpgsqlBatchCommand($"INSERT INTO {Catalog}.werkly_collections (name, table_name, schema) VALUES ($1, $2, $3::jsonb)");
                register.Parameters.Add(new NpgsqlParameter { Value = Name });
                register.Parameters.Add(new NpgsqlParameter { Value = _layout.Table });
                register.Parameters.Add(new NpgsqlParameter { Value = System.Text.Encoding.UTF8.GetString(_schema.ToJson()) });
                batch.BatchCommands.Add(register);
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        _verified = true;
    }

    /// <inheritdoc />
    public override async Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        _verified = false;
        await _store.DeleteCollectionCoreAsync(Name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops <paramref name="tenant"/>'s partition with all its records (and its index). Does nothing when the
    /// tenant has no partition.</summary>
    /// <param name="tenant">The tenant value, as the tenant property holds it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="InvalidOperationException">The collection has no tenant property.</exception>
    public async Task DeleteTenantAsync(object tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (_mapper.TenantProperty is null) throw new InvalidOperationException($"Collection '{Name}' has no tenant property.");
        var company = _mapper.EncodeTenant(tenant, nameof(tenant));
        await EnsureVerifiedAsync(cancellationToken).ConfigureAwait(false);
        await _store.WriteAsync(Name, "DeleteTenant", async (connection, transaction, ct) =>
        {
            var partition = SqlNames.PartitionTable(_layout.Table, company);
            await using var command = new NpgsqlCommand(
                $"SELECT pg_advisory_xact_lock({SqlNames.LockId(_layout.Table)}); " +
                $"DROP TABLE IF EXISTS {SqlNames.Quote(_layout.Schema)}.{SqlNames.Quote(partition)}; " +
                $"DELETE FROM {Catalog}.werkly_partitions WHERE collection = {SqlNames.Literal(Name)} AND tenant = {SqlNames.Literal(company)}",
                connection, transaction);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreCollectionMetadata) ? _metadata
            : serviceType == typeof(VectorStore) || serviceType == typeof(PostgresVectorStore) ? _store
            : serviceType == typeof(NpgsqlDataSource) ? _store.DataSource
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    private async Task<CollectionSchema?> StoredSchemaAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT schema::text FROM {Catalog}.werkly_collections WHERE name = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = Name });
        var json = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return json is null ? null : CollectionSchema.FromJson(System.Text.Encoding.UTF8.GetBytes(json), $"{Catalog}.werkly_collections['{Name}']");
    }

    /// <summary>Checks, once, that the collection exists with this object's schema.</summary>
    /// <exception cref="VectorStoreException">The collection does not exist.</exception>
    private async Task EnsureVerifiedAsync(CancellationToken cancellationToken)
    {
        if (_verified) return;
        var stored = await _store.ReadAsync(Name, "Open", (connection, ct) => StoredSchemaAsync(connection, null, ct), cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            throw _store.Failure(new InvalidOperationException(
                $"Collection '{Name}' does not exist; call EnsureCollectionExistsAsync first."), Name, "Open");
        }
        stored.EnsureCompatible(_schema, Name);
        _verified = true;
    }

    private FilterTranslator Filters() => new(_mapper);
}

/// <summary>A <see cref="PostgresCollection{TKey, TRecord}"/> of records as <c>Dictionary&lt;string, object?&gt;</c>, described by a
/// <see cref="VectorStoreCollectionDefinition"/>.</summary>
public sealed class PostgresDynamicCollection : PostgresCollection<object, Dictionary<string, object?>>
{
    /// <summary>Creates a dynamic collection object for <paramref name="name"/> in <paramref name="store"/>.</summary>
    /// <exception cref="ArgumentException">No definition was given, or the name is invalid.</exception>
    public PostgresDynamicCollection(PostgresVectorStore store, string name, PostgresCollectionOptions options)
        : base(store, name, options)
    {
    }
}
