using Npgsql;

namespace Werkly.VectorIndex.Postgres.Sql;

/// <summary>
/// The backend's own tables in the store's schema, created and migrated under a version table: <c>werkly_schema</c>
/// (one row per applied migration), <c>werkly_collections</c> (each collection's table and its stored
/// <c>CollectionSchema</c>), <c>werkly_partitions</c> (each tenant's partition, row count and IVFFlat state).
/// </summary>
/// <remarks>Idempotent and safe to run from several processes at once: migrations run in one transaction under an
/// advisory lock, and each is applied once. Keep <see cref="Migrations"/> append-only.</remarks>
internal static class Catalog
{
    /// <summary>The advisory lock id serialising catalog migrations ("werkly" in ASCII).</summary>
    private const long MigrationLock = 0x7765726b6c79;

    /// <summary>The migrations, in order; the index + 1 is the version.</summary>
    private static readonly (string Description, string Sql)[] Migrations =
    [
        ("catalog: collections, partitions, werkly_join", """
            CREATE EXTENSION IF NOT EXISTS vector;
            CREATE TABLE IF NOT EXISTS {schema}.werkly_collections (
              name text PRIMARY KEY,
              table_name text NOT NULL UNIQUE,
              schema jsonb NOT NULL,
              created_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS {schema}.werkly_partitions (
              collection text NOT NULL REFERENCES {schema}.werkly_collections (name) ON DELETE CASCADE,
              tenant text NOT NULL,
              table_name text NOT NULL UNIQUE,
              row_count bigint NOT NULL DEFAULT 0,
              indexed_rows bigint NOT NULL DEFAULT 0,
              lists int NOT NULL DEFAULT 0,
              probes int NOT NULL DEFAULT 0,
              index_name text,
              PRIMARY KEY (collection, tenant));
            -- array_to_string is STABLE (generic output functions); over text[] it is immutable, which a generated column needs.
            CREATE OR REPLACE FUNCTION {schema}.werkly_join(text[]) RETURNS text
              LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN array_to_string($1, ' ');
            """),
    ];

    /// <summary>The catalog version this build writes.</summary>
    public static int Version => Migrations.Length;

    /// <summary>Creates or migrates the catalog in <paramref name="schema"/>.</summary>
    /// <exception cref="InvalidOperationException">The catalog was written by a newer version of this backend.</exception>
    public static async Task EnsureAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        var quoted = SqlNames.Quote(schema);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(
            $"""
            SELECT pg_advisory_xact_lock({MigrationLock});
            CREATE SCHEMA IF NOT EXISTS {quoted};
            CREATE TABLE IF NOT EXISTS {quoted}.werkly_schema (
              version int PRIMARY KEY,
              description text NOT NULL,
              applied_at timestamptz NOT NULL DEFAULT now());
            """, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        int current;
        await using (var command = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {quoted}.werkly_schema", connection, transaction))
        {
            current = (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        if (current > Version)
        {
            throw new InvalidOperationException(
                $"The Werkly catalog in schema '{schema}' is at version {current}; this version of Werkly.VectorIndex.Postgres knows versions up to {Version}. Upgrade the package.");
        }
        for (var version = current + 1; version <= Version; version++)
        {
            var (description, sql) = Migrations[version - 1];
            await using var command = new NpgsqlCommand(sql.Replace("{schema}", quoted, StringComparison.Ordinal), connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand($"INSERT INTO {quoted}.werkly_schema (version, description) VALUES ($1, $2)", connection, transaction);
            record.Parameters.Add(new NpgsqlParameter { Value = version });
            record.Parameters.Add(new NpgsqlParameter { Value = description });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
