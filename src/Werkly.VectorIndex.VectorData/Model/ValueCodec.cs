using System.Globalization;

namespace Werkly.VectorIndex.VectorData.Model;

/// <summary>How values of one CLR type are stored as a <see cref="MetadataValue"/> and read back, exactly.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
internal abstract class ValueCodec
{
    /// <summary>The non-nullable CLR type.</summary>
    public abstract Type ClrType { get; }

    /// <summary>Whether the values can be ordered (<c>&lt;</c>, <c>&gt;</c>) in filters.</summary>
    public virtual bool IsOrdered => true;

    /// <summary>The element codec of a list type, or null.</summary>
    public virtual ValueCodec? Element => null;

    /// <summary>Encodes a non-null value of <see cref="ClrType"/>.</summary>
    public abstract MetadataValue Encode(object value);

    /// <summary>Decodes a stored value.</summary>
    /// <exception cref="InvalidOperationException">The stored value is of another kind (the collection's schema changed).</exception>
    public abstract object Decode(MetadataValue value);

    /// <summary>The data types a data property may have, for error messages.</summary>
    public const string SupportedTypes =
        "string, bool, byte, short, int, long, float, double, decimal, DateTime, DateTimeOffset, DateOnly, TimeOnly, Guid, their nullable forms, " +
        "and arrays or List<T> of string, int, long, float and double";

    private static readonly Dictionary<Type, ValueCodec> Scalars = new()
    {
        [typeof(string)] = new Scalar<string>(v => MetadataValue.FromString(v), v => v.AsString(), ordered: false),
        [typeof(bool)] = new Scalar<bool>(MetadataValue.FromBoolean, v => v.AsBoolean(), ordered: false),
        [typeof(byte)] = new Scalar<byte>(v => MetadataValue.FromInteger(v), v => checked((byte)v.AsInteger())),
        [typeof(short)] = new Scalar<short>(v => MetadataValue.FromInteger(v), v => checked((short)v.AsInteger())),
        [typeof(int)] = new Scalar<int>(v => MetadataValue.FromInteger(v), v => checked((int)v.AsInteger())),
        [typeof(long)] = new Scalar<long>(MetadataValue.FromInteger, v => v.AsInteger()),
        [typeof(float)] = new Scalar<float>(v => MetadataValue.FromNumber(v), v => (float)v.AsNumber()),
        [typeof(double)] = new Scalar<double>(MetadataValue.FromNumber, v => v.AsNumber()),
        [typeof(decimal)] = new Scalar<decimal>(MetadataValue.FromDecimal, v => v.AsDecimal()),
        [typeof(DateTime)] = new Scalar<DateTime>(MetadataValue.FromDateTime, v => v.AsDateTime()),
        [typeof(DateTimeOffset)] = new Scalar<DateTimeOffset>(MetadataValue.FromDate, v => v.AsDate()),
        [typeof(DateOnly)] = new Scalar<DateOnly>(v => MetadataValue.FromInteger(v.DayNumber), v => DateOnly.FromDayNumber(checked((int)v.AsInteger()))),
        [typeof(TimeOnly)] = new Scalar<TimeOnly>(v => MetadataValue.FromInteger(v.Ticks), v => new TimeOnly(v.AsInteger())),
        // Guids compare for equality only: their string order is not Guid.CompareTo's order.
        [typeof(Guid)] = new Scalar<Guid>(v => MetadataValue.FromString(v.ToString("D", CultureInfo.InvariantCulture)),
            v => Guid.ParseExact(v.AsString(), "D"), ordered: false),
    };

    /// <summary>Whether values of <paramref name="codec"/> are stored as <see cref="MetadataKind.Integer"/> (so an integer filter
    /// value compares with them as integers).</summary>
    public static bool StoresInteger(ValueCodec codec) => codec.ClrType == typeof(byte) || codec.ClrType == typeof(short)
        || codec.ClrType == typeof(int) || codec.ClrType == typeof(long) || codec.ClrType == typeof(DateOnly) || codec.ClrType == typeof(TimeOnly);

    /// <summary>The codec of <paramref name="type"/> (nullable value types unwrapped), or null when it is not supported.</summary>
    public static ValueCodec? For(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (Scalars.TryGetValue(type, out var scalar)) return scalar;
        var element = type.IsArray && type.GetArrayRank() == 1 ? type.GetElementType()
            : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0]
            : null;
        if (element is null) return null;
        var list = type.IsArray;
        if (element == typeof(string)) return list ? new StringArray() : new StringList();
        if (element == typeof(int)) return new IntegerList<int>(list, v => v, v => checked((int)v));
        if (element == typeof(long)) return new IntegerList<long>(list, v => v, v => v);
        if (element == typeof(float)) return new NumberList<float>(list, v => v, v => (float)v);
        if (element == typeof(double)) return new NumberList<double>(list, v => v, v => v);
        return null;
    }

    private sealed class Scalar<T>(Func<T, MetadataValue> encode, Func<MetadataValue, T> decode, bool ordered = true) : ValueCodec
        where T : notnull
    {
        public override Type ClrType => typeof(T);
        public override bool IsOrdered => ordered;
        public override MetadataValue Encode(object value) => encode((T)value);
        public override object Decode(MetadataValue value) => decode(value);
    }

    private abstract class ListCodec : ValueCodec
    {
        public override bool IsOrdered => false;
    }

    private sealed class StringArray : ListCodec
    {
        public override Type ClrType => typeof(string[]);
        public override ValueCodec Element => Scalars[typeof(string)];
        public override MetadataValue Encode(object value) => MetadataValue.FromStringList((string[])value);
        public override object Decode(MetadataValue value) => value.AsStringList().ToArray();
    }

    private sealed class StringList : ListCodec
    {
        public override Type ClrType => typeof(List<string>);
        public override ValueCodec Element => Scalars[typeof(string)];
        public override MetadataValue Encode(object value) => MetadataValue.FromStringList((List<string>)value);
        public override object Decode(MetadataValue value) => value.AsStringList().ToList();
    }

    private sealed class IntegerList<T>(bool array, Func<T, long> widen, Func<long, T> narrow) : ListCodec
    {
        public override Type ClrType => array ? typeof(T[]) : typeof(List<T>);
        public override ValueCodec Element => Scalars[typeof(T)];

        public override MetadataValue Encode(object value)
        {
            var source = array ? (IReadOnlyList<T>)(T[])value : (List<T>)value;
            var values = new long[source.Count];
            for (var i = 0; i < values.Length; i++) values[i] = widen(source[i]);
            return MetadataValue.FromIntegerList(values);
        }

        public override object Decode(MetadataValue value)
        {
            var stored = value.AsIntegerList();
            var values = new T[stored.Count];
            for (var i = 0; i < values.Length; i++) values[i] = narrow(stored[i]);
            return array ? values : values.ToList();
        }
    }

    private sealed class NumberList<T>(bool array, Func<T, double> widen, Func<double, T> narrow) : ListCodec
    {
        public override Type ClrType => array ? typeof(T[]) : typeof(List<T>);
        public override ValueCodec Element => Scalars[typeof(T)];

        public override MetadataValue Encode(object value)
        {
            var source = array ? (IReadOnlyList<T>)(T[])value : (List<T>)value;
            var values = new double[source.Count];
            for (var i = 0; i < values.Length; i++) values[i] = widen(source[i]);
            return MetadataValue.FromNumberList(values);
        }

        public override object Decode(MetadataValue value)
        {
            var stored = value.AsNumberList();
            var values = new T[stored.Count];
            for (var i = 0; i < values.Length; i++) values[i] = narrow(stored[i]);
            return array ? values : values.ToList();
        }
    }
}
