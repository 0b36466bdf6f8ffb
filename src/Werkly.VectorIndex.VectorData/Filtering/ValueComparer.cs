using Werkly.VectorIndex.VectorData.Engine;
using Werkly.VectorIndex.VectorData.Model;

namespace Werkly.VectorIndex.VectorData.Filtering;

/// <summary>Reads one property of a stored record as a <see cref="MetadataValue"/> (<see cref="MetadataValue.Null"/> when absent).</summary>
internal sealed class PropertyAccessor
{
    private readonly Func<string, IReadOnlyDictionary<string, MetadataValue>?, MetadataValue> _get;

    private PropertyAccessor(ValueCodec codec, Func<string, IReadOnlyDictionary<string, MetadataValue>?, MetadataValue> get, string? storageName = null)
    {
        Codec = codec;
        _get = get;
        StorageName = storageName;
    }

    public ValueCodec Codec { get; }

    /// <summary>The metadata key the value is stored under, or null when it comes from elsewhere (key, text, tenant).</summary>
    public string? StorageName { get; }

    public MetadataValue Get(string key, IReadOnlyDictionary<string, MetadataValue>? metadata) => _get(key, metadata);

    public static PropertyAccessor Metadata(string storageName, ValueCodec codec) =>
        new(codec, (_, metadata) => metadata is not null && metadata.TryGetValue(storageName, out var value) ? value : MetadataValue.Null, storageName);

    public static PropertyAccessor Text() =>
        new(ValueCodec.For(typeof(string))!, (_, metadata) => EngineCollection.TextOf(metadata) is { } text ? MetadataValue.FromString(text) : MetadataValue.Null);

    public static PropertyAccessor Key(KeyCodec keys) => new(new KeyValueCodec(keys), (key, _) => MetadataValue.FromString(key));

    public static PropertyAccessor Constant(ValueCodec codec, object value)
    {
        var stored = codec.Encode(value);
        return new(codec, (_, _) => stored);
    }

    /// <summary>Record keys compare as their engine strings, for equality only.</summary>
    private sealed class KeyValueCodec(KeyCodec keys) : ValueCodec
    {
        public override Type ClrType => keys.Type;
        public override bool IsOrdered => false;
        public override MetadataValue Encode(object value) => MetadataValue.FromString(keys.Encode(value, "filter"));
        public override object Decode(MetadataValue value) => keys.Decode(value.AsString());
    }
}

/// <summary>Compares stored values with one filter value, with C# semantics for the property's type: numbers by value
/// (an <c>int</c> property against <c>8.5</c> too), strings ordinally, dates by instant, <see cref="DateTime"/> by ticks.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
internal sealed class ValueComparer
{
    private readonly MetadataValue _value;

    private ValueComparer(MetadataValue value) => _value = value;

    /// <summary>The filter value, encoded as the property stores it (or as the number it is).</summary>
    public MetadataValue Value => _value;

    /// <summary>A comparer against <paramref name="constant"/>, a value for a property stored by <paramref name="codec"/>.</summary>
    /// <exception cref="InvalidOperationException">The value cannot be compared with the property.</exception>
    public static ValueComparer For(ValueCodec codec, object constant, string property)
    {
        var type = codec.ClrType;
        if (constant.GetType() == type) return new ValueComparer(codec.Encode(constant));
        if (IsNumeric(type) && IsNumeric(constant.GetType()))
        {
            return new ValueComparer(constant switch
            {
                double d => MetadataValue.FromNumber(d),
                float f => MetadataValue.FromNumber(f),
                decimal m => MetadataValue.FromDecimal(m),
                ulong u when u > long.MaxValue => MetadataValue.FromNumber(u),
                _ => MetadataValue.FromInteger(Convert.ToInt64(constant, System.Globalization.CultureInfo.InvariantCulture)),
            });
        }
        if (type == typeof(DateTimeOffset) && constant is DateTime dateTime) return new ValueComparer(MetadataValue.FromDate(dateTime));
        throw new InvalidOperationException(
            $"Property '{property}' of type {type.Name} is compared with a value of type {constant.GetType().Name} in the filter.");
    }

    private static bool IsNumeric(Type type) => Type.GetTypeCode(type) is TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16
        or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64 or TypeCode.Single or TypeCode.Double or TypeCode.Decimal;

    /// <summary>Whether the stored <paramref name="stored"/> equals the filter value.</summary>
    public bool EqualTo(MetadataValue stored) => Compare(stored, _value) is 0;

    /// <summary>The sign of stored − value, or null when they cannot be ordered (an ordering is then false).</summary>
    public int? CompareTo(MetadataValue stored) => Compare(stored, _value);

    /// <summary>Whether the stored list holds an element equal to the filter value.</summary>
    public bool ContainedIn(MetadataValue list)
    {
        switch (list.Kind)
        {
            case MetadataKind.StringList:
                if (_value.Kind != MetadataKind.String) return false;
                var s = _value.AsString();
                foreach (var item in list.AsStringList())
                {
                    if (string.Equals(item, s, StringComparison.Ordinal)) return true;
                }
                return false;
            case MetadataKind.IntegerList:
                foreach (var item in list.AsIntegerList())
                {
                    if (Compare(MetadataValue.FromInteger(item), _value) is 0) return true;
                }
                return false;
            case MetadataKind.NumberList:
                foreach (var item in list.AsNumberList())
                {
                    if (Compare(MetadataValue.FromNumber(item), _value) is 0) return true;
                }
                return false;
            default:
                return false;
        }
    }

    /// <summary>The sign of a − b, or null when they are not comparable (a stored value of another kind never matches).</summary>
    private static int? Compare(MetadataValue a, MetadataValue b)
    {
        switch (a.Kind, b.Kind)
        {
            case (MetadataKind.String, MetadataKind.String): return Math.Sign(string.CompareOrdinal(a.AsString(), b.AsString()));
            case (MetadataKind.Boolean, MetadataKind.Boolean): return a.AsBoolean().CompareTo(b.AsBoolean());
            case (MetadataKind.Date, MetadataKind.Date): return a.AsDate().UtcTicks.CompareTo(b.AsDate().UtcTicks);
            case (MetadataKind.DateTime, MetadataKind.DateTime): return a.AsDateTime().Ticks.CompareTo(b.AsDateTime().Ticks);
            case (MetadataKind.Integer, MetadataKind.Integer): return a.AsInteger().CompareTo(b.AsInteger());
            case (MetadataKind.Decimal, MetadataKind.Decimal): return a.AsDecimal().CompareTo(b.AsDecimal());
            case (MetadataKind.Integer or MetadataKind.Decimal, MetadataKind.Integer or MetadataKind.Decimal):
                return ToDecimal(a).CompareTo(ToDecimal(b));
            case (MetadataKind.Integer or MetadataKind.Number or MetadataKind.Decimal, MetadataKind.Integer or MetadataKind.Number or MetadataKind.Decimal):
                var x = ToDouble(a);
                var y = ToDouble(b);
                return x < y ? -1 : x > y ? 1 : x == y ? 0 : null;
            default:
                return null;
        }
    }

    private static decimal ToDecimal(MetadataValue v) => v.Kind == MetadataKind.Integer ? v.AsInteger() : v.AsDecimal();

    private static double ToDouble(MetadataValue v) => v.Kind switch
    {
        MetadataKind.Integer => v.AsInteger(),
        MetadataKind.Decimal => (double)v.AsDecimal(),
        _ => v.AsNumber(),
    };
}
