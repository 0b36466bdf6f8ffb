using System.Collections;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.Extensions.VectorData.ProviderServices;
using Werkly.VectorIndex.VectorData.Engine;
using Werkly.VectorIndex.VectorData.Model;

namespace Werkly.VectorIndex.VectorData.Filtering;

/// <summary>What a filter says: the tenant partition it is confined to, and the predicate over the rest.</summary>
/// <param name="Company">The partition every match lies in (the default partition of a collection without tenants).</param>
/// <param name="Empty">The filter can match nothing (for example two different tenants, or <c>false</c>).</param>
/// <param name="Predicate">The rest of the filter, evaluated inside the engine's scan; null when everything matches.</param>
internal sealed record TranslatedFilter(string Company, bool Empty, EnginePredicate? Predicate)
{
    /// <summary>The filter as a tree (null when everything matches), for backends that translate it further (the Postgres
    /// backend turns it into parameterised SQL with the same semantics).</summary>
    public FilterNode? Root { get; init; }
}

/// <summary>
/// Translates a LINQ filter (<c>r =&gt; r.CompanyId == id &amp;&amp; r.Year &gt;= 2020</c>) into a predicate over the stored
/// metadata that the engine evaluates while it scans, so a filtered search still returns <c>top</c> results whenever
/// <c>top</c> records match. The tenant equality is taken out and routes the query to one partition.
/// </summary>
/// <remarks>
/// <para>Supported: <c>==</c>, <c>!=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c> between a property and a value (either
/// side), <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>, bool properties, <c>Contains</c> on array/list properties and on arrays/lists of
/// values (Enumerable, List and C# 14's MemoryExtensions), <c>Equals</c>, null checks, captured variables and members,
/// POCO properties and dynamic <c>r["Name"]</c>. Values compare with C# semantics: null equals null, null is unequal to any
/// value, and an ordering involving null is false. Anything else throws <see cref="NotSupportedException"/> naming the
/// expression.</para>
/// <para>Thread safety: the produced predicate is immutable and safe to call from any thread.</para>
/// </remarks>
internal sealed class FilterTranslator
{
    private readonly RecordMapper _mapper;
    private ParameterExpression _record = null!;
    private string _company = EngineCollection.DefaultCompany;

    public FilterTranslator(RecordMapper mapper) => _mapper = mapper;

    /// <summary>Translates <paramref name="filter"/> (null means "every record").</summary>
    /// <exception cref="InvalidOperationException">The collection has a tenant property and the filter does not
    /// constrain it by equality; or the filter names an unknown property.</exception>
    /// <exception cref="NotSupportedException">The filter holds an expression this connector cannot evaluate.</exception>
    public TranslatedFilter Translate(LambdaExpression? filter)
    {
        var tenant = _mapper.TenantProperty;
        if (filter is null)
        {
            return tenant is null
                ? new TranslatedFilter(EngineCollection.DefaultCompany, false, null)
                : throw MissingTenant(tenant, "no filter");
        }

        _record = filter.Parameters[0];
        if (tenant is not null && TryTenantOnly(filter.Body, tenant) is { } quick) return quick;
        // A filter made of comparisons between record properties and constants or captured variables (nearly every
        // filter) is read as it is; anything else is first folded to that shape, which costs far more than the rest.
        var body = IsPlain(filter.Body) ? filter.Body : new ConstantFolder(_record).Fold(filter.Body);
        var conjuncts = new List<Expression>();
        Flatten(body, conjuncts);

        string? company = null;
        var empty = false;
        if (tenant is not null)
        {
            var rest = new List<Expression>(conjuncts.Count);
            foreach (var conjunct in conjuncts)
            {
                if (TryTenantEquality(conjunct, tenant, out var value))
                {
                    var id = value is null ? null : _mapper.TenantCompany(value);
                    if (id is null || (company is not null && !string.Equals(company, id, StringComparison.Ordinal))) empty = true;
                    company ??= id;
                }
                else
                {
                    rest.Add(conjunct);
                }
            }
            if (company is null && !empty) throw MissingTenant(tenant, filter.ToString());
            conjuncts = rest;
        }
        _company = company ?? EngineCollection.DefaultCompany;
        // A tenant clause that matches nothing (a null or invalid tenant, two different tenants) decides the filter: the
        // rest is not translated (a later tenant mention would be read against no tenant at all).
        if (empty) return new TranslatedFilter(_company, Empty: true, Predicate: null);

        FilterNode? node = null;
        foreach (var conjunct in conjuncts)
        {
            var translated = Translate(conjunct);
            node = node is null ? translated : new AndNode(node, translated);
        }
        if (node is ConstantNode { Value: false }) empty = true;
        var predicate = node is null or ConstantNode { Value: true } ? null : (EnginePredicate)node.Evaluate;
        return new TranslatedFilter(_company, empty, predicate) { Root = predicate is null ? null : node };
    }

    /// <summary>The common filter <c>r =&gt; r.Tenant == id</c> (id a constant or a captured local), translated without the
    /// general machinery: it is most of the queries of a tenant-partitioned collection.</summary>
    private TranslatedFilter? TryTenantOnly(Expression body, PropertyModel tenant)
    {
        if (body is not BinaryExpression { NodeType: ExpressionType.Equal, Method: null or { Name: "op_Equality" } } equal) return null;
        var (property, value) = equal.Left is MemberExpression { Expression: var left } l && left == _record ? (l, equal.Right) : (equal.Right as MemberExpression, equal.Left);
        if (property is null || property.Expression != _record || property.Member.Name != tenant.ModelName) return null;
        object? constant;
        switch (value)
        {
            case ConstantExpression c:
                constant = c.Value;
                break;
            case MemberExpression { Expression: ConstantExpression closure, Member: FieldInfo field }:
                constant = field.GetValue(closure.Value);
                break;
            default:
                return null;
        }
        var company = constant is null ? null : _mapper.TenantCompany(constant);
        return new TranslatedFilter(company ?? EngineCollection.DefaultCompany, company is null, null);
    }

    /// <summary>Whether <paramref name="node"/> needs no folding: <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>, bool properties and
    /// comparisons of a record property with a constant or a captured variable (see <see cref="TryValue"/>).</summary>
    private bool IsPlain(Expression node) => node switch
    {
        BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.OrElse } logical => IsPlain(logical.Left) && IsPlain(logical.Right),
        UnaryExpression { NodeType: ExpressionType.Not } not when not.Type == typeof(bool) => IsPlain(not.Operand),
        BinaryExpression binary when IsComparison(binary.NodeType) =>
            (IsRecordAccess(binary.Left) && IsPlainValue(binary.Right)) || (IsPlainValue(binary.Left) && IsRecordAccess(binary.Right)),
        MemberExpression member => member.Expression == _record,
        ConstantExpression { Value: bool } => true,
        _ => false,
    };

    private bool IsRecordAccess(Expression node) => Unwrap(node) switch
    {
        MemberExpression member => member.Expression == _record,
        MethodCallExpression { Method.Name: "get_Item", Arguments: [ConstantExpression { Value: string }] } indexer => indexer.Object == _record,
        _ => false,
    };

    /// <summary>A constant, a field of a closure (a captured variable), or either lifted to its nullable type: values the
    /// folder would replace by the very same object.</summary>
    private static bool IsPlainValue(Expression node) => node switch
    {
        ConstantExpression => true,
        MemberExpression { Expression: ConstantExpression { Value: not null }, Member: FieldInfo { IsStatic: false } } => true,
        UnaryExpression { NodeType: ExpressionType.Convert, Method: null } lift => Nullable.GetUnderlyingType(lift.Type) == lift.Operand.Type && IsPlainValue(lift.Operand),
        _ => false,
    };

    /// <summary>The value of a constant or (in a plain filter) a captured variable.</summary>
    private static bool TryValue(Expression node, out object? value)
    {
        switch (Unwrap(node))
        {
            case ConstantExpression constant:
                value = constant.Value;
                return true;
            case MemberExpression { Expression: ConstantExpression { Value: { } closure }, Member: FieldInfo { IsStatic: false } field }:
                value = field.GetValue(closure);
                return true;
            default:
                value = null;
                return false;
        }
    }

    private static InvalidOperationException MissingTenant(PropertyModel tenant, string filter) => new(
        $"This collection is partitioned by tenant property '{tenant.ModelName}': every search, get-by-filter and hybrid search must " +
        $"constrain it by equality (r => r.{tenant.ModelName} == id && …), which routes the query to that tenant's partition alone. " +
        $"The filter '{filter}' does not.");

    private static void Flatten(Expression node, List<Expression> conjuncts)
    {
        if (node is BinaryExpression { NodeType: ExpressionType.AndAlso } and)
        {
            Flatten(and.Left, conjuncts);
            Flatten(and.Right, conjuncts);
        }
        else
        {
            conjuncts.Add(node);
        }
    }

    private bool TryTenantEquality(Expression node, PropertyModel tenant, out object? value)
    {
        value = null;
        if (node is not BinaryExpression { NodeType: ExpressionType.Equal } equal) return false;
        if (TryBind(equal.Left, out var left) && left == tenant && TryValue(equal.Right, out value)) return true;
        return TryBind(equal.Right, out var other) && other == tenant && TryValue(equal.Left, out value);
    }

    private FilterNode Translate(Expression node)
    {
        switch (node)
        {
            case BinaryExpression { NodeType: ExpressionType.AndAlso } and:
                return new AndNode(Translate(and.Left), Translate(and.Right));
            case BinaryExpression { NodeType: ExpressionType.OrElse } or:
                return new OrNode(Translate(or.Left), Translate(or.Right));
            case UnaryExpression { NodeType: ExpressionType.Not } not when not.Type == typeof(bool):
                return new NotNode(Translate(not.Operand));
            case ConstantExpression { Value: bool constant }:
                return new ConstantNode(constant);
            case BinaryExpression binary when IsComparison(binary.NodeType):
                return Comparison(binary);
            case MethodCallExpression call when TryContains(call, out var contains):
                return contains;
            case MethodCallExpression { Method.Name: nameof(Equals), Arguments.Count: 1, Object: not null } equals:
                return Comparison(Expression.Equal(Expression.Convert(equals.Object, typeof(object)), Expression.Convert(equals.Arguments[0], typeof(object))));
            case MethodCallExpression { Method: { Name: nameof(Equals), IsStatic: true }, Arguments.Count: 2 } staticEquals:
                return Comparison(Expression.Equal(Expression.Convert(staticEquals.Arguments[0], typeof(object)), Expression.Convert(staticEquals.Arguments[1], typeof(object))));
        }
        if (node.Type == typeof(bool) && TryBind(node, out var property))
            return Compare(property, ExpressionType.Equal, true, node);
        throw Unsupported(node);
    }

    private static bool IsComparison(ExpressionType type) => type is ExpressionType.Equal or ExpressionType.NotEqual
        or ExpressionType.LessThan or ExpressionType.LessThanOrEqual or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual;

    private FilterNode Comparison(BinaryExpression binary)
    {
        if (TryBind(binary.Left, out var property) && TryValue(binary.Right, out var right))
            return Compare(property, binary.NodeType, right, binary);
        if (TryBind(binary.Right, out property) && TryValue(binary.Left, out var left))
            return Compare(property, Mirror(binary.NodeType), left, binary);
        if (TryValue(binary.Left, out var a) && TryValue(binary.Right, out var b) && binary.NodeType is ExpressionType.Equal or ExpressionType.NotEqual)
            return new ConstantNode(Equals(a, b) == (binary.NodeType == ExpressionType.Equal));
        throw Unsupported(binary, "a comparison needs a record property on one side and a value on the other");
    }

    private static ExpressionType Mirror(ExpressionType type) => type switch
    {
        ExpressionType.LessThan => ExpressionType.GreaterThan,
        ExpressionType.LessThanOrEqual => ExpressionType.GreaterThanOrEqual,
        ExpressionType.GreaterThan => ExpressionType.LessThan,
        ExpressionType.GreaterThanOrEqual => ExpressionType.LessThanOrEqual,
        _ => type,
    };

    private FilterNode Compare(PropertyModel property, ExpressionType op, object? constant, Expression source)
    {
        var accessor = Accessor(property, source);
        if (op is not (ExpressionType.Equal or ExpressionType.NotEqual) && !accessor.Codec.IsOrdered)
            throw Unsupported(source, $"property '{property.ModelName}' of type {accessor.Codec.ClrType.Name} can only be compared for equality");
        if (constant is null)
        {
            // C#: null == null, null != value; an ordering with null is false.
            return op switch
            {
                ExpressionType.Equal => new IsNullNode(accessor, true),
                ExpressionType.NotEqual => new IsNullNode(accessor, false),
                _ => new ConstantNode(false),
            };
        }
        var comparer = ValueComparer.For(accessor.Codec, constant, property.ModelName);
        // The hot shapes (an integer or a string property of the metadata against a value) get nodes of their own:
        // they run once per scanned row.
        if (accessor.StorageName is { } name && comparer.Value.Kind == MetadataKind.Integer && accessor.Codec.Element is null
            && ValueCodec.StoresInteger(accessor.Codec))
            return new IntegerCompareNode(accessor, comparer.Value.AsInteger(), op);
        if (accessor.StorageName is { } key && comparer.Value.Kind == MetadataKind.String && op is ExpressionType.Equal or ExpressionType.NotEqual)
            return new StringEqualsNode(accessor, comparer.Value.AsString(), op == ExpressionType.Equal);
        return new CompareNode(accessor, comparer, op);
    }

    private bool TryContains(MethodCallExpression call, out FilterNode node)
    {
        node = null!;
        if (!TryMatchContains(call, out var source, out var item)) return false;
        source = Unwrap(source);
        if (TryBind(source, out var listProperty) && Unwrap(item) is ConstantExpression value)
        {
            // r.Tags.Contains("x")
            var accessor = Accessor(listProperty, call);
            if (accessor.Codec.Element is not { } element)
                throw Unsupported(call, $"property '{listProperty.ModelName}' is not an array or list");
            node = new ListContainsNode(accessor, value.Value is null ? null : ValueComparer.For(element, value.Value, listProperty.ModelName));
            return true;
        }
        if (source is ConstantExpression { Value: IEnumerable values } && TryBind(item, out var property))
        {
            // new[] { "a", "b" }.Contains(r.Name)
            var accessor = Accessor(property, call);
            var comparers = new List<ValueComparer>();
            var includesNull = false;
            foreach (var v in values)
            {
                if (v is null) includesNull = true;
                else comparers.Add(ValueComparer.For(accessor.Codec, v, property.ModelName));
            }
            node = new InNode(accessor, [.. comparers], includesNull);
            return true;
        }
        throw Unsupported(call, "Contains needs an array or list property and a value, or an array or list of values and a property");
    }

    /// <summary>Matches Enumerable.Contains, List&lt;T&gt;.Contains and C# 14's MemoryExtensions.Contains over an implicit span.</summary>
    private static bool TryMatchContains(MethodCallExpression call, out Expression source, out Expression item)
    {
        source = item = null!;
        var method = call.Method;
        if (method.Name != "Contains") return false;
        if (method.DeclaringType == typeof(Enumerable) && call.Arguments.Count == 2)
        {
            (source, item) = (call.Arguments[0], call.Arguments[1]);
            return true;
        }
        if (call.Object is not null && call.Arguments.Count == 1 && method.DeclaringType is { IsGenericType: true } declaring
            && declaring.GetGenericTypeDefinition() == typeof(List<>))
        {
            (source, item) = (call.Object, call.Arguments[0]);
            return true;
        }
        if (method.DeclaringType == typeof(MemoryExtensions)
            && (call.Arguments.Count == 2 || (call.Arguments.Count == 3 && call.Arguments[2] is ConstantExpression { Value: null })))
        {
            var span = call.Arguments[0];
            // The span argument is an implicit conversion (op_Implicit, or a Convert node) of the array or list.
            span = span switch
            {
                UnaryExpression { NodeType: ExpressionType.Convert } convert when IsSpan(convert.Type) => convert.Operand,
                MethodCallExpression { Method.Name: "op_Implicit", Arguments.Count: 1 } implicitCall when IsSpan(implicitCall.Type) => implicitCall.Arguments[0],
                _ => span,
            };
            if (IsSpan(span.Type)) return false;
            (source, item) = (span, call.Arguments[1]);
            return true;
        }
        return false;

        static bool IsSpan(Type type) => type.IsGenericType
            && (type.GetGenericTypeDefinition() == typeof(Span<>) || type.GetGenericTypeDefinition() == typeof(ReadOnlySpan<>));
    }

    private static Expression Unwrap(Expression node)
    {
        while (node is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked or ExpressionType.TypeAs } convert)
        {
            // A conversion of a constant was folded already; one of a property is a cast the property's value survives.
            node = convert.Operand;
        }
        return node;
    }

    private bool TryBind(Expression node, out PropertyModel property)
    {
        property = null!;
        var unwrapped = Unwrap(node);
        string? name = unwrapped switch
        {
            MemberExpression member when member.Expression == _record => member.Member.Name,
            MethodCallExpression { Method.Name: "get_Item", Arguments: [ConstantExpression { Value: string key }] } indexer
                when indexer.Object == _record => key,
            _ => null,
        };
        if (name is null) return false;
        if (!_mapper.Model.PropertyMap.TryGetValue(name, out property!))
            throw new InvalidOperationException($"Property name '{name}' provided as part of the filter clause is not a valid property name.");
        return true;
    }

    private PropertyAccessor Accessor(PropertyModel property, Expression source) => property switch
    {
        VectorPropertyModel => throw Unsupported(source, $"vector property '{property.ModelName}' cannot be filtered on"),
        _ when property == _mapper.TenantProperty => PropertyAccessor.Constant(_mapper.TenantCodec!, _mapper.TenantValue(_company)),
        KeyPropertyModel => PropertyAccessor.Key(_mapper.Keys),
        _ when property == _mapper.PrimaryText => PropertyAccessor.Text(),
        DataPropertyModel data => PropertyAccessor.Metadata(data.StorageName, _mapper.CodecOf(data)),
        _ => throw Unsupported(source),
    };

    private static NotSupportedException Unsupported(Expression node, string? why = null) => new(
        $"The filter expression '{node}' is not supported by the Werkly connector{(why is null ? "" : ": " + why)}. Supported: ==, !=, <, <=, >, >=, " +
        "&&, ||, !, bool properties, Contains on array/list properties or on arrays/lists of values, null checks and captured variables.");
}

// ---- predicate nodes: the translated filter as a tree. The embedded engine calls Evaluate inside its scan; the Postgres
// backend walks the tree into SQL. Immutable and thread-safe. ----

/// <summary>A node of a translated filter.</summary>
internal abstract class FilterNode
{
    public abstract bool Evaluate(string key, IReadOnlyDictionary<string, MetadataValue>? metadata);
}

internal sealed class ConstantNode(bool value) : FilterNode
{
    public bool Value => value;
    public override bool Evaluate(string key, IReadOnlyDictionary<string, MetadataValue>? metadata) => value;
}

internal sealed class AndNode(FilterNode left, FilterNode right) : FilterNode
{
    public FilterNode Left => left;
    public FilterNode Right => right;
    public override bool Evaluate(string key, IReadOnlyDictionary<string, MetadataValue>? metadata) =>
        left.Evaluate(key, metadata) && right.Evaluate(key, metadata);
}

internal sealed class OrNode(FilterNode left, FilterNode right) : FilterNode
{
    public FilterNode Left => left;
    public FilterNode Right => right;
    public override bool Evaluate(string key, IReadOnlyDictionary<string, MetadataValue>? metadata) =>
        left.Evaluate(key, metadata) || right.Evaluate(key, metadata);
}

internal sealed class NotNode(FilterNode operand) : FilterNode
{
    public FilterNode Operand => operand;
    public override bool Evaluate(string key, IReadOnlyDictionary<string, MetadataValue>? metadata) => !operand.Evaluate(key, metadata);
}

/// <summary>The property is (or is not) null.</summary>
internal sealed class IsNullNode(PropertyAccessor accessor, bool wantNull) : FilterNode
{
    public PropertyAccessor Accessor => accessor;
    public bool WantNull => wantNull;
    public override bool Evaluate(string key, IReadOnlyDictionary<string, MetadataValue>? metadata) =>
        accessor.Get(key, metadata).IsNull == wantNull;
}

/// <summary>property op value, with C# semantics: null != value is true, every other comparison with null false.</summary>
internal sealed class CompareNode(PropertyAccessor accessor, ValueComparer comparer, ExpressionType op) : FilterNode
{
    public PropertyAccessor Accessor => accessor;
    public ValueComparer Comparer => comparer;
    public ExpressionType Operator => op;

    public override bool Evaluate(string key, IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        var value = accessor.Get(key, metadata);
        if (value.IsNull) return op == ExpressionType.NotEqual; // null != value; every other comparison is false
        if (op is ExpressionType.Equal) return comparer.EqualTo(value);
        if (op is ExpressionType.NotEqual) return !comparer.EqualTo(value);
        if (comparer.CompareTo(value) is not { } sign) return false;
        return op switch
        {
            ExpressionType.LessThan => sign < 0,
            ExpressionType.LessThanOrEqual => sign <= 0,
            ExpressionType.GreaterThan => sign > 0,
            _ => sign >= 0,
        };
    }
}

/// <summary>An integer metadata property against an integer (the hot shape: it runs once per scanned row).</summary>
internal sealed class IntegerCompareNode(PropertyAccessor accessor, long constant, ExpressionType op) : FilterNode
{
    private readonly string _storageName = accessor.StorageName!;

    public PropertyAccessor Accessor => accessor;
    public long Constant => constant;
    public ExpressionType Operator => op;

    public override bool Evaluate(string key, IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        if (metadata is null || !metadata.TryGetValue(_storageName, out var value) || value.Kind != MetadataKind.Integer)
            return op == ExpressionType.NotEqual; // absent: null != value, every other comparison false
        var stored = value.AsInteger();
        return op switch
        {
            ExpressionType.Equal => stored == constant,
            ExpressionType.NotEqual => stored != constant,
            ExpressionType.LessThan => stored < constant,
            ExpressionType.LessThanOrEqual => stored <= constant,
            ExpressionType.GreaterThan => stored > constant,
            _ => stored >= constant,
        };
    }
}

/// <summary>A string metadata property (not) equal to a string (the other hot shape).</summary>
internal sealed class StringEqualsNode(PropertyAccessor accessor, string constant, bool equal) : FilterNode
{
    private readonly string _storageName = accessor.StorageName!;

    public PropertyAccessor Accessor => accessor;
    public string Constant => constant;
    public bool Equal => equal;

    public override bool Evaluate(string key, IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        if (metadata is null || !metadata.TryGetValue(_storageName, out var value) || value.Kind != MetadataKind.String) return !equal;
        return string.Equals(value.AsString(), constant, StringComparison.Ordinal) == equal;
    }
}

/// <summary>A list property contains a value (false when the list is null or the value is null).</summary>
internal sealed class ListContainsNode(PropertyAccessor accessor, ValueComparer? item) : FilterNode
{
    public PropertyAccessor Accessor => accessor;
    public ValueComparer? Item => item;

    public override bool Evaluate(string key, IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        var value = accessor.Get(key, metadata);
        if (value.IsNull || item is null) return false;
        return item.ContainedIn(value);
    }
}

/// <summary>The property equals one of a list of values (null matches when the list holds null).</summary>
internal sealed class InNode(PropertyAccessor accessor, ValueComparer[] values, bool includesNull) : FilterNode
{
    public PropertyAccessor Accessor => accessor;
    public IReadOnlyList<ValueComparer> Values => values;
    public bool IncludesNull => includesNull;

    public override bool Evaluate(string key, IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        var value = accessor.Get(key, metadata);
        if (value.IsNull) return includesNull;
        foreach (var candidate in values)
        {
            if (candidate.EqualTo(value)) return true;
        }
        return false;
    }
}
