using Npgsql;
using Pgvector;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Postgres.Sql;
using Werkly.VectorIndex.VectorData.Engine;
using Werkly.VectorIndex.VectorData.Model;

namespace Werkly.VectorIndex.Postgres;

public partial class PostgresCollection<TKey, TRecord>
{
    // Rows per INSERT … SELECT FROM unnest(…) statement.
    private const int RowsPerStatement = 2_000;

    /// <inheritdoc />
    public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return UpsertAsync([record], cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One transaction: every record is validated (key, tenant, values, vector) and embedded before the server is
    /// asked; a key written under another tenant moves. Partitions of new tenants are created in the same transaction.</remarks>
    /// <exception cref="ArgumentException">A record cannot be stored exactly (the message names the record and property).</exception>
    public override async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var list = records as IReadOnlyList<TRecord> ?? records.ToList();
        if (list.Count == 0) return;
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is null) throw new ArgumentNullException(nameof(records), $"Record {i} is null.");
        }
        await EnsureVerifiedAsync(cancellationToken).ConfigureAwait(false);
        RecordInputs.GenerateKeys(_model, list);
        var generated = await RecordInputs.GenerateEmbeddingsAsync(_mapper, list, cancellationToken).ConfigureAwait(false);
        var writes = new EngineWrite[list.Count];
        var seen = new Dictionary<string, int>(list.Count, StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var write = _mapper.ToEngine(list[i], i, generated?[i], nameof(records));
            EngineCollection.ValidateVector(write.Vector.Span, _layout.Dimensions, _layout.Metric, nameof(records));
            writes[i] = write;
            seen[write.Key] = i;
        }
        // A key repeated in the batch keeps its last occurrence.
        IReadOnlyList<EngineWrite> batch = seen.Count == writes.Length ? writes : [.. seen.Values.Order().Select(i => writes[i])];
        await WriteRecordsAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes validated records (the upsert path, and the import of the migration tools).</summary>
    internal async Task WriteRecordsAsync(IReadOnlyList<EngineWrite> batch, CancellationToken cancellationToken)
    {
        var tenants = batch.Select(w => w.Company).Distinct(StringComparer.Ordinal).ToList();
        var clash = tenants.GroupBy(t => t, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null) throw new InvalidIdentifierException($"Tenants '{string.Join("', '", clash)}' differ only in case.", nameof(batch));

        await _store.WriteAsync(Name, "Upsert", async (connection, transaction, ct) =>
        {
            await LockAsync(connection, transaction, ct).ConfigureAwait(false);
            await EnsurePartitionsAsync(connection, transaction, tenants, ct).ConfigureAwait(false);
            var delta = await DeleteKeysAsync(connection, transaction, [.. batch.Select(w => w.Key)], ct).ConfigureAwait(false);
            for (var start = 0; start < batch.Count; start += RowsPerStatement)
                await InsertAsync(connection, transaction, batch, start, Math.Min(RowsPerStatement, batch.Count - start), ct).ConfigureAwait(false);
            foreach (var write in batch) delta[write.Company] = delta.GetValueOrDefault(write.Company) + 1;
            await UpdateCountsAsync(connection, transaction, delta, ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        await MaintainIndexesAsync(tenants, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return DeleteAsync([key], cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Keys that do not exist are ignored. One transaction.</remarks>
    public override async Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var encoded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys) encoded.Add(_mapper.Keys.Encode(key, nameof(keys)));
        if (encoded.Count == 0) return;
        await EnsureVerifiedAsync(cancellationToken).ConfigureAwait(false);
        await _store.WriteAsync(Name, "Delete", async (connection, transaction, ct) =>
        {
            await LockAsync(connection, transaction, ct).ConfigureAwait(false);
            var delta = await DeleteKeysAsync(connection, transaction, [.. encoded], ct).ConfigureAwait(false);
            await UpdateCountsAsync(connection, transaction, delta, ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Serialises the writes to this collection (keys stay unique across partitions, counts stay exact).</summary>
    private async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SqlNames.LockId(_layout.Table)})", connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the partitions of tenants that have none (rejecting a tenant that differs only in case from an existing one).</summary>
    private async Task EnsurePartitionsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<string> tenants, CancellationToken cancellationToken)
    {
        var existing = new List<string>();
        await using (var command = new NpgsqlCommand(
            $"SELECT tenant FROM {Catalog}.werkly_partitions WHERE collection = $1 AND lower(tenant) = ANY($2)", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = Name });
            command.Parameters.Add(new NpgsqlParameter { Value = tenants.Select(t => t.ToLowerInvariant()).ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) existing.Add(reader.GetString(0));
        }
        foreach (var tenant in tenants)
        {
            if (existing.Contains(tenant, StringComparer.Ordinal)) continue;
            if (existing.FirstOrDefault(e => string.Equals(e, tenant, StringComparison.OrdinalIgnoreCase)) is { } other)
                throw new InvalidIdentifierException($"Tenant '{tenant}' differs only in case from the existing tenant '{other}'.", nameof(tenants));
            var partition = SqlNames.PartitionTable(_layout.Table, tenant);
            await using var create = new NpgsqlCommand(
                $"CREATE TABLE IF NOT EXISTS {SqlNames.Quote(_layout.Schema)}.{SqlNames.Quote(partition)} PARTITION OF {_layout.QualifiedTable} " +
                $"FOR VALUES IN ({SqlNames.Literal(tenant)}); " +
                $"INSERT INTO {Catalog}.werkly_partitions (collection, tenant, table_name) VALUES ({SqlNames.Literal(Name)}, {SqlNames.Literal(tenant)}, {SqlNames.Literal(partition)})",
                connection, transaction);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes <paramref name="keys"/> wherever they are; returns the change of row count per tenant.</summary>
    private async Task<Dictionary<string, long>> DeleteKeysAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string[] keys, CancellationToken cancellationToken)
    {
        var delta = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(
            $"DELETE FROM {_layout.QualifiedTable} WHERE {TableLayout.KeyColumn} = ANY($1) RETURNING {TableLayout.TenantColumn}", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = keys });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var tenant = reader.GetString(0);
            delta[tenant] = delta.GetValueOrDefault(tenant) - 1;
        }
        return delta;
    }

    private async Task UpdateCountsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Dictionary<string, long> delta, CancellationToken cancellationToken)
    {
        var changed = delta.Where(d => d.Value != 0).ToList();
        if (changed.Count == 0) return;
        await using var command = new NpgsqlCommand(
            $"UPDATE {Catalog}.werkly_partitions p SET row_count = p.row_count + d.delta FROM unnest($2::text[], $3::bigint[]) AS d(tenant, delta) " +
            "WHERE p.collection = $1 AND p.tenant = d.tenant", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = Name });
        command.Parameters.Add(new NpgsqlParameter { Value = changed.Select(c => c.Key).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = changed.Select(c => c.Value).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts rows [start, start + count) of <paramref name="batch"/>: one INSERT … SELECT FROM unnest(arrays) when no
    /// column is itself an array (arrays of arrays do not unnest by row), a batch of single-row INSERTs otherwise. Both work
    /// where COPY FROM STDIN does not (PGlite, some poolers).</summary>
    private async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<EngineWrite> batch, int start, int count,
        CancellationToken cancellationToken)
    {
        var columns = new List<string> { TableLayout.TenantColumn, TableLayout.KeyColumn, TableLayout.VectorColumn };
        var types = new List<string> { "text", "text", $"vector({_layout.Dimensions})" };
        foreach (var column in _layout.Columns)
        {
            columns.Add(SqlNames.Quote(column.Name));
            types.Add(column.SqlType);
            if (!column.HasCompanion) continue;
            columns.Add(SqlNames.Quote(column.Companion));
            types.Add("smallint");
        }
        var columnList = string.Join(", ", columns);
        if (_layout.Columns.Any(c => c.IsArray))
        {
            var rows = new NpgsqlBatch(connection, transaction);
            await using (rows.ConfigureAwait(false))
            {
                var placeholders = string.Join(", ", types.Select((t, i) => $"${i + 1}::{t}"));
                for (var r = start; r < start + count; r++)
                {
                    var insert = new NpgsqlBatchCommand($"INSERT INTO {_layout.QualifiedTable} ({columnList}) VALUES ({placeholders})");
                    foreach (var value in RowValues(batch[r])) insert.Parameters.Add(new NpgsqlParameter { Value = value });
                    rows.BatchCommands.Add(insert);
                }
                await rows.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            return;
        }
        var arrays = new object[columns.Count];
        var tenants = new string[count];
        var keys = new string[count];
        var vectors = new Vector[count];
        for (var i = 0; i < count; i++)
        {
            var write = batch[start + i];
            tenants[i] = write.Company;
            keys[i] = write.Key;
            vectors[i] = new Vector(write.Vector);
        }
        arrays[0] = tenants;
        arrays[1] = keys;
        arrays[2] = vectors;
        var slot = 3;
        foreach (var column in _layout.Columns)
        {
            var values = new object?[count];
            var companions = column.HasCompanion ? new object?[count] : null;
            for (var i = 0; i < count; i++)
            {
                var (value, companion) = TableLayout.ParameterValues(column, _layout.ValueOf(column, batch[start + i]));
                values[i] = value is DBNull ? null : value;
                if (companions is not null) companions[i] = companion is DBNull ? null : companion;
            }
            arrays[slot++] = TypedArray(column.Kind, values, companion: false);
            if (companions is not null) arrays[slot++] = TypedArray(column.Kind, companions, companion: true);
        }
        var unnest = string.Join(", ", types.Select((t, i) => $"${i + 1}::{t}[]"));
        await using var command = new NpgsqlCommand($"INSERT INTO {_layout.QualifiedTable} ({columnList}) SELECT * FROM unnest({unnest})", connection, transaction);
        foreach (var array in arrays) command.Parameters.Add(new NpgsqlParameter { Value = array });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A typed array for unnest (Npgsql writes nullable element arrays with their Postgres element type).</summary>
    private static Array TypedArray(ColumnKind kind, object?[] values, bool companion)
    {
        if (companion) return values.Select(v => (short?)v).ToArray();
        return kind switch
        {
            ColumnKind.Text => values.Select(v => (string?)v).ToArray(),
            ColumnKind.Boolean => values.Select(v => (bool?)v).ToArray(),
            ColumnKind.Integer or ColumnKind.DateTime or ColumnKind.Date => values.Select(v => (long?)v).ToArray(),
            ColumnKind.Number => values.Select(v => (double?)v).ToArray(),
            ColumnKind.Decimal => values.Select(v => (decimal?)v).ToArray(),
            _ => throw new InvalidOperationException($"Column kind {kind} is not unnested."),
        };
    }

    private IEnumerable<object> RowValues(EngineWrite write)
    {
        yield return write.Company;
        yield return write.Key;
        yield return new Vector(write.Vector);
        foreach (var column in _layout.Columns)
        {
            var (value, companion) = TableLayout.ParameterValues(column, _layout.ValueOf(column, write));
            yield return value;
            if (column.HasCompanion) yield return companion!;
        }
    }
}
