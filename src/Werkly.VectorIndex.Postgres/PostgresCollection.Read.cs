using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using Npgsql;
using Werkly.VectorIndex.Postgres.Sql;
using Werkly.VectorIndex.VectorData.Model;

namespace Werkly.VectorIndex.Postgres;

public partial class PostgresCollection<TKey, TRecord>
{
    /// <inheritdoc />
    public override async Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var includeVectors = IncludeVectors(options?.IncludeVectors ?? false);
        var encoded = _mapper.Keys.Encode(key, nameof(key));
        var rows = await GetRowsAsync([encoded], includeVectors, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : ToRecord(rows[0]);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<TRecord> GetAsync(IEnumerable<TKey> keys, RecordRetrievalOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var includeVectors = IncludeVectors(options?.IncludeVectors ?? false);
        var encoded = keys.Select(k => _mapper.Keys.Encode(k, nameof(keys))).ToArray();
        if (encoded.Length == 0) yield break;
        var rows = await GetRowsAsync(encoded, includeVectors, cancellationToken).ConfigureAwait(false);
        var byKey = rows.ToDictionary(r => r.Key, StringComparer.Ordinal);
        foreach (var key in encoded)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (byKey.TryGetValue(key, out var row)) yield return ToRecord(row);
        }
    }

    /// <summary>The stored rows of <paramref name="keys"/> (in any partition).</summary>
    internal async Task<List<StoredRow>> GetRowsAsync(string[] keys, bool includeVectors, CancellationToken cancellationToken)
    {
        await EnsureVerifiedAsync(cancellationToken).ConfigureAwait(false);
        return await _store.ReadAsync(Name, "Get", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(
                $"SELECT {(includeVectors ? _layout.SelectListWithVector : _layout.SelectList)} FROM {_layout.QualifiedTable} WHERE {TableLayout.KeyColumn} = ANY($1)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = keys });
            return await ReadRowsAsync(command, includeVectors, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>With a tenant property, <paramref name="filter"/> must constrain it by equality. Records come in key order
    /// (ordinal) unless <see cref="FilteredRecordRetrievalOptions{TRecord}.OrderBy"/> says otherwise.</remarks>
    public override async IAsyncEnumerable<TRecord> GetAsync(Expression<Func<TRecord, bool>> filter, int top,
        FilteredRecordRetrievalOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new FilteredRecordRetrievalOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options.Skip));
        var includeVectors = IncludeVectors(options.IncludeVectors);
        var translated = Filters().Translate(filter);
        var orderBy = options.OrderBy?.Invoke(new FilteredRecordRetrievalOptions<TRecord>.OrderByDefinition()).Values ?? [];
        var sorts = orderBy.Select(s => (Property: _model.GetDataOrKeyProperty(s.PropertySelector), s.Ascending)).ToArray();
        if (translated.Empty) yield break;
        await EnsureVerifiedAsync(cancellationToken).ConfigureAwait(false);

        // Ordered in SQL with the embedded connector's order (nulls first, strings ordinally); a sort on a non-string key
        // or the tenant is done here, over the matches, as the embedded connector does.
        var sqlOrder = new StringBuilder();
        var sortHere = false;
        foreach (var (property, ascending) in sorts)
        {
            if (property is KeyPropertyModel && _mapper.Keys.Type != typeof(string) || property == _mapper.TenantProperty
                || _layout.Columns.FirstOrDefault(c => c.Property == property) is { IsArray: true })
            {
                sortHere = true;
                break;
            }
            var column = property is KeyPropertyModel ? TableLayout.KeyColumn : SqlNames.Quote(_layout.Columns.First(c => c.Property == property).Name);
            var kind = property is KeyPropertyModel ? ColumnKind.Text : _layout.Columns.First(c => c.Property == property).Kind;
            sqlOrder.Append(column).Append(kind == ColumnKind.Text ? " COLLATE \"C\"" : "")
                .Append(ascending ? " ASC NULLS FIRST, " : " DESC NULLS LAST, ");
        }
        sqlOrder.Append(TableLayout.KeyColumn).Append(" COLLATE \"C\"");

        var rows = await _store.ReadAsync(Name, "GetByFilter", async (connection, ct) =>
        {
            var parameters = new List<NpgsqlParameter> { new() { Value = translated.Company } };
            var condition = FilterSql.Translate(_layout, translated.Root, parameters);
            var page = sortHere ? "" : $" LIMIT {top} OFFSET {options.Skip}";
            await using var command = new NpgsqlCommand(
                $"SELECT {(includeVectors ? _layout.SelectListWithVector : _layout.SelectList)} FROM {_layout.QualifiedTable} " +
                $"WHERE {TableLayout.TenantColumn} = $1 AND {condition} ORDER BY {sqlOrder}{page}", connection);
            foreach (var parameter in parameters) command.Parameters.Add(parameter);
            return await ReadRowsAsync(command, includeVectors, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        IEnumerable<TRecord> records = rows.Select(ToRecord);
        if (sortHere)
        {
            var materialized = records.ToList();
            var comparer = Comparer<object?>.Create(RecordInputs.CompareValues);
            IOrderedEnumerable<TRecord>? ordered = null;
            foreach (var (property, ascending) in sorts)
            {
                Func<TRecord, object?> selector = r => property.GetValueAsObject(r);
                ordered = ordered is null
                    ? ascending ? materialized.OrderBy(selector, comparer) : materialized.OrderByDescending(selector, comparer)
                    : ascending ? ordered.ThenBy(selector, comparer) : ordered.ThenByDescending(selector, comparer);
            }
            records = ordered!.Skip(options.Skip).Take(top);
        }
        foreach (var record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
    }

    /// <summary>The tenants that have a partition, in ordinal order (the migration tools).</summary>
    internal async Task<List<string>> TenantsAsync(CancellationToken cancellationToken)
    {
        await EnsureVerifiedAsync(cancellationToken).ConfigureAwait(false);
        return await _store.ReadAsync(Name, "ListTenants", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand($"SELECT tenant FROM {Catalog}.werkly_partitions WHERE collection = $1 ORDER BY tenant COLLATE \"C\"", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = Name });
            var tenants = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) tenants.Add(reader.GetString(0));
            return tenants;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The largest key (ordinal) of <paramref name="tenant"/>, or null: where a resumed copy continues.</summary>
    internal async Task<string?> MaxKeyAsync(string tenant, CancellationToken cancellationToken)
    {
        await EnsureVerifiedAsync(cancellationToken).ConfigureAwait(false);
        return await _store.ReadAsync(Name, "MaxKey", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(
                $"SELECT max({TableLayout.KeyColumn} COLLATE \"C\") FROM {_layout.QualifiedTable} WHERE {TableLayout.TenantColumn} = $1", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = tenant });
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Up to <paramref name="limit"/> records of <paramref name="tenant"/> after <paramref name="after"/>, with
    /// vectors, in key order (ordinal) — or, with <paramref name="groupProperty"/>, ordered by that text property first
    /// (null as the empty string, so ungrouped records come first) and by key within it: keyset pagination for the
    /// migration tools, which read a document's records together.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="groupProperty">A string data property to order by before the key, or null.</param>
    /// <param name="after">The position to continue after: the last record's group value ("" for none) and key; null to start.</param>
    /// <param name="limit">Most records to return.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    internal async Task<List<TRecord>> ReadPageAsync(string tenant, string? groupProperty, (string Group, string Key)? after, int limit, CancellationToken cancellationToken)
    {
        await EnsureVerifiedAsync(cancellationToken).ConfigureAwait(false);
        var includeVectors = _mapper.Vector is not null;
        var group = groupProperty is null ? "''"
            : $"coalesce({SqlNames.Quote(_layout.Columns.Single(c => c.Property.ModelName == groupProperty && c.Kind == ColumnKind.Text).Name)}, '')";
        var position = $"({group} COLLATE \"C\", {TableLayout.KeyColumn} COLLATE \"C\")";
        var rows = await _store.ReadAsync(Name, "ReadPage", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(
                $"SELECT {(includeVectors ? _layout.SelectListWithVector : _layout.SelectList)} FROM {_layout.QualifiedTable} " +
                $"WHERE {TableLayout.TenantColumn} = $1 AND ($2::text IS NULL OR {position} > ($2::text COLLATE \"C\", $3::text COLLATE \"C\")) " +
                $"ORDER BY {group} COLLATE \"C\", {TableLayout.KeyColumn} COLLATE \"C\" LIMIT $4", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = tenant });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)after?.Group ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)after?.Key ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = limit });
            return await ReadRowsAsync(command, includeVectors, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(ToRecord)];
    }

    private async Task<List<StoredRow>> ReadRowsAsync(NpgsqlCommand command, bool includeVectors, CancellationToken cancellationToken)
    {
        var rows = new List<StoredRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) rows.Add(_layout.ReadRow(reader, includeVectors));
        return rows;
    }

    private bool IncludeVectors(bool requested) => RecordInputs.IncludeVectors(_model, _mapper, requested);

    private TRecord ToRecord(StoredRow row) => _mapper.ToRecord<TRecord>(row.Tenant, row.Key, row.Metadata, row.Vector);
}
