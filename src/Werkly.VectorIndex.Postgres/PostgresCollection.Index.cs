using System.Globalization;
using Npgsql;
using Pgvector;
using Werkly.VectorIndex.Ivf;
using Werkly.VectorIndex.Postgres.Sql;

namespace Werkly.VectorIndex.Postgres;

public partial class PostgresCollection<TKey, TRecord>
{
    // Sample queries (the partition's own vectors) and k of the probe calibration.
    private const int CalibrationQueries = 32;
    private const int CalibrationK = 10;

    /// <summary>Builds or rebuilds the IVFFlat index of each of <paramref name="tenants"/>' partitions that needs one: at
    /// least <see cref="PostgresVectorStoreOptions.IvfFlatThreshold"/> rows and no index yet, or twice the rows it was
    /// built with (pgvector cannot retrain lists). Lists as the embedded engine chooses them; probes calibrated.</summary>
    private async Task MaintainIndexesAsync(IReadOnlyList<string> tenants, CancellationToken cancellationToken)
    {
        if (Flat) return;
        foreach (var tenant in tenants)
        {
            await _store.WriteAsync(Name, "BuildIndex", async (connection, transaction, ct) =>
            {
                // One builder per collection at a time; a writer that finds it busy leaves the build to it.
                await using (var tryLock = new NpgsqlCommand($"SELECT pg_try_advisory_xact_lock({SqlNames.LockId(_layout.Table + ":index")})", connection, transaction))
                {
                    if (!(bool)(await tryLock.ExecuteScalarAsync(ct).ConfigureAwait(false))!) return 0;
                }
                long rows, indexedRows;
                string partition;
                string? oldIndex;
                await using (var state = new NpgsqlCommand(
                    $"SELECT row_count, indexed_rows, table_name, index_name FROM {Catalog}.werkly_partitions WHERE collection = $1 AND tenant = $2", connection, transaction))
                {
                    state.Parameters.Add(new NpgsqlParameter { Value = Name });
                    state.Parameters.Add(new NpgsqlParameter { Value = tenant });
                    await using var reader = await state.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return 0;
                    (rows, indexedRows, partition, oldIndex) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
                }
                if (rows < _store.Options.IvfFlatThreshold || (indexedRows > 0 && rows < 2 * indexedRows)) return 0;
                await BuildIndexAsync(connection, transaction, tenant, partition, oldIndex, rows, ct).ConfigureAwait(false);
                return 0;
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task BuildIndexAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenant, string partition, string? oldIndex, long rows,
        CancellationToken cancellationToken)
    {
        var lists = IvfIndex.DefaultListCount(rows);
        var index = $"{partition}_ivf{rows.ToString("x", CultureInfo.InvariantCulture)}";
        var qualifiedPartition = $"{SqlNames.Quote(_layout.Schema)}.{SqlNames.Quote(partition)}";
        // Statistics first: without them the planner takes the tenant condition for selective (0.5 % of rows), prefers the
        // primary key and sorts the whole partition by distance — an exact scan on every search. Servers without
        // autovacuum (PGlite) or a search right after a bulk load would otherwise never use the index.
        await using (var analyze = new NpgsqlCommand($"ANALYZE {qualifiedPartition}", connection, transaction))
            await analyze.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await using (var create = new NpgsqlCommand(
            $"CREATE INDEX {SqlNames.Quote(index)} ON {qualifiedPartition} USING ivfflat ({TableLayout.VectorColumn} {_layout.OperatorClass}) WITH (lists = {lists})" +
            (oldIndex is null ? "" : $"; DROP INDEX IF EXISTS {SqlNames.Quote(_layout.Schema)}.{SqlNames.Quote(oldIndex)}"), connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        var probes = await CalibrateProbesAsync(connection, transaction, qualifiedPartition, lists, cancellationToken).ConfigureAwait(false);
        await using var update = new NpgsqlCommand(
            $"UPDATE {Catalog}.werkly_partitions SET indexed_rows = $3, lists = $4, probes = $5, index_name = $6 WHERE collection = $1 AND tenant = $2", connection, transaction);
        foreach (var value in (object[])[Name, tenant, rows, lists, probes, index]) update.Parameters.Add(new NpgsqlParameter { Value = value });
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The fewest probes whose recall@10 on a sample of the partition's own vectors reaches the target with the
    /// embedded engine's margin (half the allowed miss rate), as the engine calibrates its default probes.</summary>
    private async Task<int> CalibrateProbesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string partition, int lists, CancellationToken cancellationToken)
    {
        var queries = new List<Vector>();
        await using (var sample = new NpgsqlCommand(
            $"SELECT {TableLayout.VectorColumn} FROM {partition} ORDER BY md5({TableLayout.KeyColumn}) LIMIT {CalibrationQueries}", connection, transaction))
        {
            await using var reader = await sample.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) queries.Add(reader.GetFieldValue<Vector>(0));
        }
        var distance = $"{TableLayout.VectorColumn} {_layout.DistanceOperator} $1::vector({_layout.Dimensions})";
        var search = $"SELECT {TableLayout.KeyColumn} FROM {partition} ORDER BY {distance} LIMIT {CalibrationK}";

        async Task<List<HashSet<string>>> RunAsync(string settings)
        {
            await using (var set = new NpgsqlCommand(settings, connection, transaction)) await set.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            var results = new List<HashSet<string>>(queries.Count);
            foreach (var query in queries)
            {
                await using var command = new NpgsqlCommand(search, connection, transaction);
                command.Parameters.Add(new NpgsqlParameter { Value = query });
                var keys = new HashSet<string>(StringComparer.Ordinal);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) keys.Add(reader.GetString(0));
                results.Add(keys);
            }
            return results;
        }

        var exact = await RunAsync("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off").ConfigureAwait(false);
        var target = 1 - (1 - _store.Options.TargetRecall) / 2;
        async Task<bool> ReachesAsync(int probes)
        {
            var found = await RunAsync($"SET LOCAL enable_indexscan = on; {(_store.IterativeScan ? "SET LOCAL ivfflat.iterative_scan = off; " : "")}SET LOCAL ivfflat.probes = {probes}").ConfigureAwait(false);
            double hits = 0, total = 0;
            for (var i = 0; i < exact.Count; i++)
            {
                total += exact[i].Count;
                hits += exact[i].Count(found[i].Contains);
            }
            return total == 0 || hits / total >= target;
        }

        // Doubling, then bisection between the last miss and the first hit.
        int low = 0, high = 1;
        while (high < lists && !await ReachesAsync(high).ConfigureAwait(false))
        {
            low = high;
            high = Math.Min(lists, high * 2);
        }
        while (high - low > 1)
        {
            var middle = (low + high) / 2;
            if (await ReachesAsync(middle).ConfigureAwait(false)) high = middle;
            else low = middle;
        }
        await using (var reset = new NpgsqlCommand("SET LOCAL enable_bitmapscan = on", connection, transaction))
            await reset.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return high;
    }
}
