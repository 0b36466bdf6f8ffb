using System.Linq.Expressions;
using System.Text;
using Npgsql;
using Werkly.VectorIndex.VectorData.Filtering;

namespace Werkly.VectorIndex.Postgres.Sql;

/// <summary>
/// Walks a translated filter (<see cref="FilterNode"/>) into a parameterised SQL condition with the same semantics as
/// the embedded engine's evaluation: C# null rules (null == null, null != value, an ordering with null is false), strings
/// compared ordinally (COLLATE "C"), numbers by value across integer, floating and decimal kinds, and a stored value of
/// another kind never equal. Every leaf yields true or false, never SQL NULL, so NOT keeps C#'s meaning.
/// </summary>
/// <remarks>Values are always parameters (<c>$n</c>); only column names, quoted, are written into the text.</remarks>
internal sealed class FilterSql
{
    private readonly TableLayout _layout;
    private readonly List<NpgsqlParameter> _parameters;
    private readonly StringBuilder _sql = new();

    private FilterSql(TableLayout layout, List<NpgsqlParameter> parameters)
    {
        _layout = layout;
        _parameters = parameters;
    }

    /// <summary>The condition of <paramref name="root"/> ("TRUE" when null); its values are appended to <paramref name="parameters"/>
    /// (positional: the first gets <c>$(parameters.Count + 1)</c>).</summary>
    public static string Translate(TableLayout layout, FilterNode? root, List<NpgsqlParameter> parameters)
    {
        if (root is null) return "TRUE";
        var writer = new FilterSql(layout, parameters);
        writer.Write(root);
        return writer._sql.ToString();
    }

    private void Write(FilterNode node)
    {
        switch (node)
        {
            case ConstantNode constant:
                _sql.Append(constant.Value ? "TRUE" : "FALSE");
                return;
            case AndNode and:
                _sql.Append('(');
                Write(and.Left);
                _sql.Append(" AND ");
                Write(and.Right);
                _sql.Append(')');
                return;
            case OrNode or:
                _sql.Append('(');
                Write(or.Left);
                _sql.Append(" OR ");
                Write(or.Right);
                _sql.Append(')');
                return;
            case NotNode not:
                _sql.Append("(NOT ");
                Write(not.Operand);
                _sql.Append(')');
                return;
        }
        if (AccessorOf(node) is { Source: PropertySource.Constant })
        {
            // The tenant property of a query routed to one tenant: its value is known, so the leaf is too.
            _sql.Append(node.Evaluate("", null) ? "TRUE" : "FALSE");
            return;
        }
        switch (node)
        {
            case IsNullNode isNull:
                WriteIsNull(isNull.Accessor, isNull.WantNull);
                return;
            case IntegerCompareNode integer:
                WriteCompare(integer.Accessor, MetadataValue.FromInteger(integer.Constant), integer.Operator);
                return;
            case StringEqualsNode text:
                WriteCompare(text.Accessor, MetadataValue.FromString(text.Constant), text.Equal ? ExpressionType.Equal : ExpressionType.NotEqual);
                return;
            case CompareNode compare:
                WriteCompare(compare.Accessor, compare.Comparer.Value, compare.Operator);
                return;
            case ListContainsNode contains:
                WriteContains(contains.Accessor, contains.Item?.Value);
                return;
            case InNode @in:
                WriteIn(@in);
                return;
            default:
                throw new NotSupportedException($"Filter node {node.GetType().Name} has no SQL translation in the Postgres backend.");
        }
    }

    private static PropertyAccessor? AccessorOf(FilterNode node) => node switch
    {
        IsNullNode n => n.Accessor,
        IntegerCompareNode n => n.Accessor,
        StringEqualsNode n => n.Accessor,
        CompareNode n => n.Accessor,
        ListContainsNode n => n.Accessor,
        InNode n => n.Accessor,
        _ => null,
    };

    /// <summary>The column and kind a property reads from.</summary>
    private (string Column, ColumnKind Kind) ColumnOf(PropertyAccessor accessor)
    {
        switch (accessor.Source)
        {
            case PropertySource.Key:
                return (TableLayout.KeyColumn, ColumnKind.Text);
            case PropertySource.Text:
                var text = _layout.Columns.First(c => c.Property == _layout.Mapper.PrimaryText);
                return (SqlNames.Quote(text.Name), ColumnKind.Text);
            case PropertySource.Metadata:
                var column = _layout.Columns.First(c => c.Name == accessor.StorageName);
                return (SqlNames.Quote(column.Name), column.Kind);
            default:
                throw new InvalidOperationException($"Property source {accessor.Source} has no column.");
        }
    }

    private void WriteIsNull(PropertyAccessor accessor, bool wantNull)
    {
        if (accessor.Source == PropertySource.Key)
        {
            _sql.Append(wantNull ? "FALSE" : "TRUE");
            return;
        }
        var (column, _) = ColumnOf(accessor);
        _sql.Append('(').Append(column).Append(wantNull ? " IS NULL)" : " IS NOT NULL)");
    }

    private string Parameter(object value)
    {
        _parameters.Add(new NpgsqlParameter { Value = value });
        return "$" + _parameters.Count;
    }

    /// <summary>The comparable SQL expressions of a column of <paramref name="kind"/> and a value, or null when a stored value
    /// of that kind never compares with the value (the engine's comparison yields "not comparable").</summary>
    private (string Left, string Right)? Operands(string column, ColumnKind kind, MetadataValue value)
    {
        switch (kind, value.Kind)
        {
            case (ColumnKind.Text, MetadataKind.String):
                return (column + " COLLATE \"C\"", Parameter(value.AsString()) + "::text COLLATE \"C\"");
            case (ColumnKind.Boolean, MetadataKind.Boolean):
                return (column, Parameter(value.AsBoolean()) + "::boolean");
            case (ColumnKind.Date, MetadataKind.Date):
                return (column, Parameter(value.AsDate().UtcTicks) + "::bigint");
            case (ColumnKind.DateTime, MetadataKind.DateTime):
                return (column, Parameter(value.AsDateTime().Ticks) + "::bigint");
            case (ColumnKind.Integer, MetadataKind.Integer):
                return (column, Parameter(value.AsInteger()) + "::bigint");
            case (ColumnKind.Decimal, MetadataKind.Decimal):
                return (column, Parameter(value.AsDecimal()) + "::numeric");
            case (ColumnKind.Integer, MetadataKind.Decimal):
                return (column + "::numeric", Parameter(value.AsDecimal()) + "::numeric");
            case (ColumnKind.Decimal, MetadataKind.Integer):
                return (column, Parameter(value.AsInteger()) + "::numeric");
            case (ColumnKind.Integer or ColumnKind.Number or ColumnKind.Decimal, MetadataKind.Integer or MetadataKind.Number or MetadataKind.Decimal):
                var number = value.Kind switch
                {
                    MetadataKind.Integer => value.AsInteger(),
                    MetadataKind.Decimal => (double)value.AsDecimal(),
                    _ => value.AsNumber(),
                };
                // NaN orders with nothing in C#; Postgres would call it equal to itself and greater than everything.
                if (double.IsNaN(number)) return null;
                return ($"{column}::double precision", Parameter(number) + "::double precision");
            default:
                return null;
        }
    }

    private void WriteCompare(PropertyAccessor accessor, MetadataValue value, ExpressionType op)
    {
        var (column, kind) = ColumnOf(accessor);
        if (Operands(column, kind, value) is not { } operands)
        {
            // Not comparable: only != holds.
            _sql.Append(op == ExpressionType.NotEqual ? "TRUE" : "FALSE");
            return;
        }
        var (left, right) = operands;
        if (op == ExpressionType.NotEqual)
        {
            // null != value is true.
            _sql.Append('(').Append(left).Append(" IS DISTINCT FROM ").Append(right).Append(')');
            return;
        }
        var sqlOperator = op switch
        {
            ExpressionType.Equal => "=",
            ExpressionType.LessThan => "<",
            ExpressionType.LessThanOrEqual => "<=",
            ExpressionType.GreaterThan => ">",
            _ => ">=",
        };
        // An ordering or equality with null is false (COALESCE turns SQL's unknown into false).
        _sql.Append("COALESCE(").Append(left).Append(' ').Append(sqlOperator).Append(' ').Append(right).Append(", FALSE)");
    }

    private void WriteContains(PropertyAccessor accessor, MetadataValue? item)
    {
        if (item is not { } value)
        {
            _sql.Append("FALSE");
            return;
        }
        var (column, kind) = ColumnOf(accessor);
        string? condition = (kind, value.Kind) switch
        {
            (ColumnKind.TextArray, MetadataKind.String) => $"{Parameter(value.AsString())}::text = ANY({column})",
            (ColumnKind.IntegerArray, MetadataKind.Integer) => $"{Parameter(value.AsInteger())}::bigint = ANY({column})",
            (ColumnKind.IntegerArray, MetadataKind.Decimal) => $"{Parameter(value.AsDecimal())}::numeric = ANY({column}::numeric[])",
            (ColumnKind.IntegerArray or ColumnKind.NumberArray, MetadataKind.Integer or MetadataKind.Number or MetadataKind.Decimal)
                when ToDouble(value) is { } number && !double.IsNaN(number) =>
                $"{Parameter(number)}::double precision = ANY({column}::double precision[])",
            _ => null,
        };
        _sql.Append(condition is null ? "FALSE" : $"COALESCE({condition}, FALSE)");
    }

    private static double? ToDouble(MetadataValue value) => value.Kind switch
    {
        MetadataKind.Integer => value.AsInteger(),
        MetadataKind.Decimal => (double)value.AsDecimal(),
        MetadataKind.Number => value.AsNumber(),
        _ => null,
    };

    private void WriteIn(InNode node)
    {
        _sql.Append('(');
        var first = true;
        foreach (var value in node.Values)
        {
            if (!first) _sql.Append(" OR ");
            first = false;
            WriteCompare(node.Accessor, value.Value, ExpressionType.Equal);
        }
        if (node.IncludesNull)
        {
            if (!first) _sql.Append(" OR ");
            first = false;
            WriteIsNull(node.Accessor, wantNull: true);
        }
        if (first) _sql.Append("FALSE");
        _sql.Append(')');
    }
}
