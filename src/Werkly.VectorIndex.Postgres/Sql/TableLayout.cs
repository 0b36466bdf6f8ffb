using System.Text;
using Microsoft.Extensions.VectorData.ProviderServices;
using Npgsql;
using Pgvector;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.VectorData.Engine;
using Werkly.VectorIndex.VectorData.Model;

namespace Werkly.VectorIndex.Postgres.Sql;

/// <summary>How one kind of stored value lies in a column (the kinds of <see cref="MetadataValue"/> the codecs produce).</summary>
internal enum ColumnKind
{
    Text,
    Boolean,
    Integer,
    Number,
    Decimal,
    /// <summary>A <see cref="DateTime"/>: ticks (bigint) plus its kind in a companion smallint column, exact to the tick.</summary>
    DateTime,
    /// <summary>A <see cref="DateTimeOffset"/>: UTC ticks (bigint) plus its offset in minutes in a companion column.</summary>
    Date,
    TextArray,
    IntegerArray,
    NumberArray,
}

/// <summary>One data property's column.</summary>
/// <param name="Property">The data property.</param>
/// <param name="Name">The column (the property's storage name).</param>
/// <param name="Kind">How values lie in it.</param>
/// <param name="FullTextIndex">The index of its generated tsvector column, or -1.</param>
internal sealed record DataColumn(DataPropertyModel Property, string Name, ColumnKind Kind, int FullTextIndex)
{
    /// <summary>The companion column of a date (offset minutes) or DateTime (kind).</summary>
    public string Companion => Name + "#" + (Kind == ColumnKind.Date ? "offset" : "kind");

    public bool HasCompanion => Kind is ColumnKind.Date or ColumnKind.DateTime;

    public string SqlType => Kind switch
    {
        ColumnKind.Text => "text",
        ColumnKind.Boolean => "boolean",
        ColumnKind.Integer or ColumnKind.DateTime or ColumnKind.Date => "bigint",
        ColumnKind.Number => "double precision",
        ColumnKind.Decimal => "numeric",
        ColumnKind.TextArray => "text[]",
        ColumnKind.IntegerArray => "bigint[]",
        _ => "double precision[]",
    };

    public bool IsArray => Kind is ColumnKind.TextArray or ColumnKind.IntegerArray or ColumnKind.NumberArray;
}

/// <summary>
/// The table of one collection: fixed columns (tenant, key, vector), one column per data property typed by its
/// codec, a generated tsvector per full-text property, LIST-partitioned by tenant. Builds the DDL, the select list and
/// the write parameters, and reads rows back into the stored map the record mapper takes.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
internal sealed class TableLayout
{
    public const string TenantColumn = "werkly_tenant";
    public const string KeyColumn = "werkly_key";
    public const string VectorColumn = "werkly_vector";
    private const string FullTextPrefix = "werkly_fts";

    /// <summary>Text search configuration of the tsvector columns and queries.</summary>
    public const string TextSearchConfig = "english";

    public TableLayout(string schema, string table, RecordMapper mapper, int dimensions, DistanceMetric metric)
    {
        Schema = schema;
        Table = table;
        Mapper = mapper;
        Dimensions = dimensions;
        Metric = metric;
        var columns = new List<DataColumn>();
        var fullText = 0;
        foreach (var property in mapper.Model.DataProperties)
        {
            if (property == mapper.TenantProperty) continue;
            if (property.StorageName.StartsWith("werkly_", StringComparison.Ordinal))
                throw new NotSupportedException($"Property '{property.ModelName}' has storage name '{property.StorageName}'; names starting with 'werkly_' are reserved by the Postgres backend.");
            if (Encoding.UTF8.GetByteCount(property.StorageName) > SqlNames.MaxIdentifierBytes - 7)
                throw new NotSupportedException($"Property '{property.ModelName}' has storage name '{property.StorageName}', longer than the {SqlNames.MaxIdentifierBytes - 7} bytes a Postgres column name of this backend can hold.");
            var isFullText = property == mapper.PrimaryText || mapper.SecondaryText.Contains(property);
            columns.Add(new DataColumn(property, property.StorageName, KindOf(mapper.CodecOf(property)), isFullText ? fullText++ : -1));
        }
        Columns = columns;
        FullTextColumns = fullText;
        QualifiedTable = SqlNames.Quote(schema) + "." + SqlNames.Quote(table);
        SelectList = BuildSelectList(includeVector: false);
        SelectListWithVector = BuildSelectList(includeVector: true);
    }

    public string Schema { get; }

    public string Table { get; }

    public string QualifiedTable { get; }

    public RecordMapper Mapper { get; }

    public int Dimensions { get; }

    public DistanceMetric Metric { get; }

    public IReadOnlyList<DataColumn> Columns { get; }

    public int FullTextColumns { get; }

    /// <summary>tenant, key, then every data column (and companions): the columns <see cref="ReadRow"/> reads.</summary>
    public string SelectList { get; }

    /// <summary><see cref="SelectList"/> plus the vector last.</summary>
    public string SelectListWithVector { get; }

    public static ColumnKind KindOf(ValueCodec codec)
    {
        var type = codec.ClrType;
        if (type == typeof(string) || type == typeof(Guid)) return ColumnKind.Text;
        if (type == typeof(bool)) return ColumnKind.Boolean;
        if (ValueCodec.StoresInteger(codec)) return ColumnKind.Integer;
        if (type == typeof(float) || type == typeof(double)) return ColumnKind.Number;
        if (type == typeof(decimal)) return ColumnKind.Decimal;
        if (type == typeof(DateTime)) return ColumnKind.DateTime;
        if (type == typeof(DateTimeOffset)) return ColumnKind.Date;
        var element = codec.Element?.ClrType;
        if (element == typeof(string)) return ColumnKind.TextArray;
        if (element == typeof(int) || element == typeof(long)) return ColumnKind.IntegerArray;
        if (element == typeof(float) || element == typeof(double)) return ColumnKind.NumberArray;
        throw new NotSupportedException($"Values of type {type.Name} have no Postgres column in this backend.");
    }

    /// <summary>The pgvector operator class of the metric.</summary>
    public string OperatorClass => Metric switch
    {
        DistanceMetric.Cosine => "vector_cosine_ops",
        DistanceMetric.InnerProduct => "vector_ip_ops",
        _ => "vector_l2_ops",
    };

    /// <summary>The pgvector distance operator of the metric (the ORDER BY an IVFFlat index serves).</summary>
    public string DistanceOperator => Metric switch
    {
        DistanceMetric.Cosine => "<=>",
        DistanceMetric.InnerProduct => "<#>",
        _ => "<->",
    };

    /// <summary>The engine's score (a similarity: higher is better) of a pgvector distance <paramref name="distance"/>:
    /// cosine 1 − d, inner product −(−a·b), squared L2 −d².</summary>
    public double EngineScore(double distance) => Metric switch
    {
        DistanceMetric.Cosine => 1 - distance,
        DistanceMetric.InnerProduct => -distance,
        _ => -(distance * distance),
    };

    /// <summary>The statements that create the collection's table and indexes (idempotent).</summary>
    public IEnumerable<string> CreateStatements()
    {
        var sql = new StringBuilder();
        sql.Append("CREATE TABLE IF NOT EXISTS ").Append(QualifiedTable).Append(" (\n  ")
            .Append(TenantColumn).Append(" text NOT NULL,\n  ")
            .Append(KeyColumn).Append(" text NOT NULL,\n  ")
            .Append(VectorColumn).Append(" vector(").Append(Dimensions).Append(") NOT NULL");
        foreach (var column in Columns)
        {
            sql.Append(",\n  ").Append(SqlNames.Quote(column.Name)).Append(' ').Append(column.SqlType);
            if (column.HasCompanion) sql.Append(",\n  ").Append(SqlNames.Quote(column.Companion)).Append(" smallint");
        }
        foreach (var column in Columns.Where(c => c.FullTextIndex >= 0))
        {
            // Qualified: the function lives in the catalog's schema, which need not be on the search_path.
            var source = column.IsArray ? $"{SqlNames.Quote(Schema)}.werkly_join({SqlNames.Quote(column.Name)})" : SqlNames.Quote(column.Name);
            sql.Append(",\n  ").Append(FullTextPrefix).Append(column.FullTextIndex)
                .Append($" tsvector GENERATED ALWAYS AS (to_tsvector('{TextSearchConfig}', coalesce({source}, ''))) STORED");
        }
        // The tenant leads the key: every query names it, so it prunes to one partition (and Citus routes by it).
        sql.Append(",\n  PRIMARY KEY (").Append(TenantColumn).Append(", ").Append(KeyColumn).Append(")\n) PARTITION BY LIST (").Append(TenantColumn).Append(')');
        yield return sql.ToString();
        // Keys are unique across the collection (a key written under another tenant moves): found by key alone.
        yield return $"CREATE INDEX IF NOT EXISTS {SqlNames.Quote(Table + "_key")} ON {QualifiedTable} ({KeyColumn})";
        for (var i = 0; i < FullTextColumns; i++)
            yield return $"CREATE INDEX IF NOT EXISTS {SqlNames.Quote(Table + "_fts" + i)} ON {QualifiedTable} USING gin ({FullTextPrefix}{i})";
    }

    /// <summary>The generated tsvector column of full-text column <paramref name="column"/>.</summary>
    public static string FullTextColumn(DataColumn column) => FullTextPrefix + column.FullTextIndex;

    private string BuildSelectList(bool includeVector)
    {
        var sql = new StringBuilder(TenantColumn).Append(", ").Append(KeyColumn);
        foreach (var column in Columns)
        {
            sql.Append(", ").Append(SqlNames.Quote(column.Name));
            if (column.HasCompanion) sql.Append(", ").Append(SqlNames.Quote(column.Companion));
        }
        if (includeVector) sql.Append(", ").Append(VectorColumn);
        return sql.ToString();
    }

    /// <summary>Columns <see cref="ReadRow"/> consumes, from the first.</summary>
    public int SelectWidth(bool includeVector) => 2 + Columns.Sum(c => c.HasCompanion ? 2 : 1) + (includeVector ? 1 : 0);

    /// <summary>Reads a row selected with <see cref="SelectList"/> (from column <paramref name="offset"/>).</summary>
    public StoredRow ReadRow(NpgsqlDataReader reader, bool includeVector, int offset = 0)
    {
        var tenant = reader.GetString(offset);
        var key = reader.GetString(offset + 1);
        var metadata = new Dictionary<string, MetadataValue>(Columns.Count, StringComparer.Ordinal);
        var ordinal = offset + 2;
        foreach (var column in Columns)
        {
            var value = ReadValue(reader, column, ordinal);
            ordinal += column.HasCompanion ? 2 : 1;
            if (value.IsNull) continue;
            if (column.Property == Mapper.PrimaryText) metadata[EngineCollection.TextKey] = value;
            else metadata[column.Name] = value;
        }
        float[]? vector = null;
        if (includeVector) vector = reader.GetFieldValue<Vector>(ordinal).ToArray();
        return new StoredRow(tenant, key, metadata, vector);
    }

    private static MetadataValue ReadValue(NpgsqlDataReader reader, DataColumn column, int ordinal)
    {
        if (reader.IsDBNull(ordinal)) return MetadataValue.Null;
        switch (column.Kind)
        {
            case ColumnKind.Text: return MetadataValue.FromString(reader.GetString(ordinal));
            case ColumnKind.Boolean: return MetadataValue.FromBoolean(reader.GetBoolean(ordinal));
            case ColumnKind.Integer: return MetadataValue.FromInteger(reader.GetInt64(ordinal));
            case ColumnKind.Number: return MetadataValue.FromNumber(reader.GetDouble(ordinal));
            case ColumnKind.Decimal: return MetadataValue.FromDecimal(reader.GetDecimal(ordinal));
            case ColumnKind.DateTime:
                return MetadataValue.FromDateTime(new DateTime(reader.GetInt64(ordinal), (DateTimeKind)reader.GetInt16(ordinal + 1)));
            case ColumnKind.Date:
                var offset = TimeSpan.FromMinutes(reader.GetInt16(ordinal + 1));
                return MetadataValue.FromDate(new DateTimeOffset(reader.GetInt64(ordinal) + offset.Ticks, offset));
            case ColumnKind.TextArray: return MetadataValue.FromStringList(reader.GetFieldValue<string[]>(ordinal));
            case ColumnKind.IntegerArray: return MetadataValue.FromIntegerList(reader.GetFieldValue<long[]>(ordinal));
            default: return MetadataValue.FromNumberList(reader.GetFieldValue<double[]>(ordinal));
        }
    }

    /// <summary>The parameter values of one column of a record (one, or two with the companion).</summary>
    public static (object Value, object? Companion) ParameterValues(DataColumn column, MetadataValue value)
    {
        if (value.IsNull) return (DBNull.Value, column.HasCompanion ? DBNull.Value : null);
        return column.Kind switch
        {
            ColumnKind.Text => (value.AsString(), null),
            ColumnKind.Boolean => (value.AsBoolean(), null),
            ColumnKind.Integer => (value.AsInteger(), null),
            ColumnKind.Number => (value.AsNumber(), null),
            ColumnKind.Decimal => (value.AsDecimal(), null),
            ColumnKind.DateTime => (value.AsDateTime().Ticks, (short)value.AsDateTime().Kind),
            ColumnKind.Date => (value.AsDate().UtcTicks, (short)value.AsDate().Offset.TotalMinutes),
            ColumnKind.TextArray => (value.AsStringList().ToArray(), null),
            ColumnKind.IntegerArray => (value.AsIntegerList().ToArray(), null),
            _ => (value.AsNumberList().ToArray(), null),
        };
    }

    /// <summary>The value of <paramref name="column"/> in a record to write (its primary text, or its metadata entry).</summary>
    public MetadataValue ValueOf(DataColumn column, EngineWrite write)
    {
        if (column.Property == Mapper.PrimaryText) return write.Text is null ? MetadataValue.Null : MetadataValue.FromString(write.Text);
        return write.Metadata.TryGetValue(column.Name, out var value) ? value : MetadataValue.Null;
    }
}

/// <summary>A row as read back: tenant, key, the stored map (primary text under <see cref="EngineCollection.TextKey"/>), vector.</summary>
internal sealed record StoredRow(string Tenant, string Key, Dictionary<string, MetadataValue> Metadata, float[]? Vector);
