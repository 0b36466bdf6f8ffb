using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Werkly.VectorIndex.Postgres.Sql;

/// <summary>Identifiers and literals for the DDL this backend issues. Values in queries are always parameters; only DDL
/// (which takes no parameters) embeds names and validated tenant ids, through these functions.</summary>
internal static class SqlNames
{
    /// <summary>Postgres truncates identifiers beyond 63 bytes; every generated name stays below.</summary>
    public const int MaxIdentifierBytes = 63;

    /// <summary>A quoted identifier ("name", with embedded quotes doubled).</summary>
    public static string Quote(string identifier)
    {
        if (Encoding.UTF8.GetByteCount(identifier) > MaxIdentifierBytes)
            throw new ArgumentException($"'{identifier}' is longer than Postgres's {MaxIdentifierBytes}-byte identifier limit.", nameof(identifier));
        if (identifier.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("An identifier cannot hold a NUL character.", nameof(identifier));
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A string literal for DDL ('value', quotes doubled; standard_conforming_strings is on since 9.1).</summary>
    public static string Literal(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal)) throw new ArgumentException("A literal cannot hold a NUL character.", nameof(value));
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>The table of collection <paramref name="collection"/>: readable prefix plus a hash, so that names which
    /// differ only in characters Postgres folds or truncates still get their own table.</summary>
    public static string CollectionTable(string collection)
    {
        var readable = new StringBuilder("w_");
        foreach (var c in collection)
        {
            if (readable.Length >= 40) break;
            readable.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        }
        return readable.Append('_').Append(Hash(collection, 8)).ToString();
    }

    /// <summary>The LIST partition of <paramref name="tenant"/> in <paramref name="table"/>.</summary>
    public static string PartitionTable(string table, string tenant) => $"{table}_{Hash(tenant, 10)}";

    /// <summary>The IVFFlat index of <paramref name="partition"/> built over <paramref name="rows"/> rows: a readable prefix
    /// of the partition's name, <c>_ivf_</c> and a hash of both, at most 61 bytes whatever the collection's name (the
    /// former <c>{partition}_ivf{rows:x}</c> passed Postgres's 63-byte limit from 34-character collection names on).
    /// A rebuild at another row count gets another name, so the new index can be created before the old is dropped.</summary>
    public static string IndexName(string partition, long rows) =>
        $"{partition[..Math.Min(partition.Length, 40)]}_ivf_{Hash(partition + "/" + rows.ToString(CultureInfo.InvariantCulture), 16)}";

    /// <summary>A 64-bit lock id for the writes of one table (pg_advisory_xact_lock).</summary>
    public static long LockId(string table) => (long)XxHash64.HashToUInt64(Encoding.UTF8.GetBytes("werkly:" + table));

    private static string Hash(string value, int hexDigits) =>
        XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(value)).ToString("x16", CultureInfo.InvariantCulture)[..hexDigits];
}
