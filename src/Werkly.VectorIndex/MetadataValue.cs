using System.Globalization;

namespace Werkly.VectorIndex;

/// <summary>The type held by a <see cref="MetadataValue"/>.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The kinds name the JSON-like value types they hold.")]
public enum MetadataKind
{
    /// <summary>No value: what <c>default(MetadataValue)</c> holds (<see cref="MetadataValue.Null"/>). It is stored
    /// and read back as such.</summary>
    Null = 0,
    /// <summary>A string.</summary>
    String,
    /// <summary>A double-precision number.</summary>
    Number,
    /// <summary>A boolean.</summary>
    Boolean,
    /// <summary>A point in time with its UTC offset (a <see cref="DateTimeOffset"/>, exact to the tick).</summary>
    Date,
    /// <summary>A 64-bit signed integer.</summary>
    Integer,
    /// <summary>A <see cref="decimal"/>, scale included.</summary>
    Decimal,
    /// <summary>A <see cref="System.DateTime"/>: ticks and <see cref="DateTimeKind"/>.</summary>
    DateTime,
    /// <summary>A list of strings.</summary>
    StringList,
    /// <summary>A list of 64-bit signed integers.</summary>
    IntegerList,
    /// <summary>A list of double-precision numbers.</summary>
    NumberList,
}

/// <summary>
/// One value of a record's metadata map: a string, number, integer, decimal, boolean, date, or a list of strings,
/// integers or numbers. Used for filtering and projection.
/// </summary>
/// <remarks>
/// <para>Immutable and thread-safe (lists are copied on creation). Implicit conversions let callers write
/// <c>new Dictionary&lt;string, MetadataValue&gt; { ["lang"] = "en", ["page"] = 3 }</c>; an <see cref="int"/>
/// literal converts to a <see cref="MetadataKind.Number"/> — use <see cref="FromInteger"/> for an exact 64-bit integer.</para>
/// <para>Every value reads back exactly as it was created: strings with lone surrogates (which UTF-8 cannot hold) and
/// non-finite numbers are rejected here, at creation; dates keep every tick and their offset over the full
/// <see cref="DateTimeOffset"/> range; decimals keep their scale. <c>default(MetadataValue)</c> is
/// <see cref="Null"/>, a value of its own kind that is stored and read back as such.</para>
/// <para>Equality is by kind and value: an <see cref="MetadataKind.Integer"/> 3 is not a
/// <see cref="MetadataKind.Number"/> 3; two dates are equal when both the instant and the offset are; two decimals when
/// their numeric values are (1.0 equals 1.00, though each keeps its scale); lists element by element.</para>
/// </remarks>
public readonly struct MetadataValue : IEquatable<MetadataValue>
{
    // String: the string; Decimal: the boxed decimal; lists: a private array. Null otherwise.
    private readonly object? _object;
    // Number: the double's bits; Boolean: 0 or 1; Integer: the value; Date: UTC ticks; DateTime: ticks.
    private readonly long _bits;
    // Date: the offset in minutes; DateTime: the DateTimeKind.
    private readonly short _extra;

    private MetadataValue(MetadataKind kind, object? obj, long bits, short extra = 0)
    {
        Kind = kind;
        _object = obj;
        _bits = bits;
        _extra = extra;
    }

    /// <summary>The kind of the value.</summary>
    public MetadataKind Kind { get; }

    /// <summary>No value; equal to <c>default(MetadataValue)</c>.</summary>
    public static MetadataValue Null => default;

    /// <summary>Whether this is <see cref="Null"/>.</summary>
    public bool IsNull => Kind == MetadataKind.Null;

    /// <summary>Creates a string value.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> holds a lone surrogate (the message names its index).</exception>
    public static MetadataValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        ValidateText(value, nameof(value));
        return new(MetadataKind.String, value, 0);
    }

    /// <summary>Creates a number value.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is NaN or infinite.</exception>
    public static MetadataValue FromNumber(double value) =>
        double.IsFinite(value)
            ? new(MetadataKind.Number, null, BitConverter.DoubleToInt64Bits(value))
            : throw new ArgumentException($"Metadata numbers must be finite; got {value}.", nameof(value));

    /// <summary>Creates a 64-bit integer value.</summary>
    public static MetadataValue FromInteger(long value) => new(MetadataKind.Integer, null, value);

    /// <summary>Creates a decimal value; its scale (1.0 against 1.00) is kept.</summary>
    public static MetadataValue FromDecimal(decimal value) => new(MetadataKind.Decimal, value, 0);

    /// <summary>Creates a boolean value.</summary>
    public static MetadataValue FromBoolean(bool value) => new(MetadataKind.Boolean, null, value ? 1 : 0);

    /// <summary>Creates a date value: the instant and the offset are both kept, to the tick, over the whole
    /// <see cref="DateTimeOffset"/> range.</summary>
    public static MetadataValue FromDate(DateTimeOffset value) =>
        new(MetadataKind.Date, null, value.UtcTicks, checked((short)(value.Offset.Ticks / TimeSpan.TicksPerMinute)));

    /// <summary>Creates a <see cref="System.DateTime"/> value: its ticks and its <see cref="DateTimeKind"/> are both kept.</summary>
    public static MetadataValue FromDateTime(DateTime value) => new(MetadataKind.DateTime, null, value.Ticks, (short)value.Kind);

    /// <summary>Creates a list of strings (copied).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException">An element holds a lone surrogate (the message names the element and the index).</exception>
    public static MetadataValue FromStringList(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var copy = values.ToArray();
        for (var i = 0; i < copy.Length; i++)
        {
            if (copy[i] is null) throw new ArgumentNullException(nameof(values), $"Element {i} of the string list is null.");
            ValidateText(copy[i], nameof(values), i);
        }
        return new(MetadataKind.StringList, copy, 0);
    }

    /// <summary>Creates a list of 64-bit integers (copied).</summary>
    public static MetadataValue FromIntegerList(ReadOnlySpan<long> values) => new(MetadataKind.IntegerList, values.ToArray(), 0);

    /// <summary>Creates a list of numbers (copied).</summary>
    /// <exception cref="ArgumentException">An element is NaN or infinite (the message names it).</exception>
    public static MetadataValue FromNumberList(ReadOnlySpan<double> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"Metadata numbers must be finite; element {i} is {values[i]}.", nameof(values));
        }
        return new(MetadataKind.NumberList, values.ToArray(), 0);
    }

    /// <summary>The string, when <see cref="Kind"/> is <see cref="MetadataKind.String"/>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another kind.</exception>
    public string AsString() => Kind == MetadataKind.String ? (string)_object! : throw WrongKind(MetadataKind.String);

    /// <summary>The number, when <see cref="Kind"/> is <see cref="MetadataKind.Number"/>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another kind.</exception>
    public double AsNumber() => Kind == MetadataKind.Number ? BitConverter.Int64BitsToDouble(_bits) : throw WrongKind(MetadataKind.Number);

    /// <summary>The integer, when <see cref="Kind"/> is <see cref="MetadataKind.Integer"/>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another kind.</exception>
    public long AsInteger() => Kind == MetadataKind.Integer ? _bits : throw WrongKind(MetadataKind.Integer);

    /// <summary>The decimal, when <see cref="Kind"/> is <see cref="MetadataKind.Decimal"/>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another kind.</exception>
    public decimal AsDecimal() => Kind == MetadataKind.Decimal ? (decimal)_object! : throw WrongKind(MetadataKind.Decimal);

    /// <summary>The boolean, when <see cref="Kind"/> is <see cref="MetadataKind.Boolean"/>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another kind.</exception>
    public bool AsBoolean() => Kind == MetadataKind.Boolean ? _bits != 0 : throw WrongKind(MetadataKind.Boolean);

    /// <summary>The date with the offset it was created with, when <see cref="Kind"/> is <see cref="MetadataKind.Date"/>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another kind.</exception>
    public DateTimeOffset AsDate()
    {
        if (Kind != MetadataKind.Date) throw WrongKind(MetadataKind.Date);
        var offset = TimeSpan.FromMinutes(_extra);
        return new DateTimeOffset(_bits + offset.Ticks, offset);
    }

    /// <summary>The <see cref="System.DateTime"/> (ticks and kind), when <see cref="Kind"/> is <see cref="MetadataKind.DateTime"/>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another kind.</exception>
    public DateTime AsDateTime() => Kind == MetadataKind.DateTime ? new DateTime(_bits, (DateTimeKind)_extra) : throw WrongKind(MetadataKind.DateTime);

    /// <summary>The strings, when <see cref="Kind"/> is <see cref="MetadataKind.StringList"/>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another kind.</exception>
    public IReadOnlyList<string> AsStringList() => Kind == MetadataKind.StringList ? (string[])_object! : throw WrongKind(MetadataKind.StringList);

    /// <summary>The integers, when <see cref="Kind"/> is <see cref="MetadataKind.IntegerList"/>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another kind.</exception>
    public IReadOnlyList<long> AsIntegerList() => Kind == MetadataKind.IntegerList ? (long[])_object! : throw WrongKind(MetadataKind.IntegerList);

    /// <summary>The numbers, when <see cref="Kind"/> is <see cref="MetadataKind.NumberList"/>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another kind.</exception>
    public IReadOnlyList<double> AsNumberList() => Kind == MetadataKind.NumberList ? (double[])_object! : throw WrongKind(MetadataKind.NumberList);

    /// <summary>Converts a string.</summary>
    public static implicit operator MetadataValue(string value) => FromString(value);

    /// <summary>Converts a number.</summary>
    public static implicit operator MetadataValue(double value) => FromNumber(value);

    /// <summary>Converts a boolean.</summary>
    public static implicit operator MetadataValue(bool value) => FromBoolean(value);

    /// <summary>Converts a date.</summary>
    public static implicit operator MetadataValue(DateTimeOffset value) => FromDate(value);

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when <paramref name="text"/> holds a lone surrogate: UTF-8 cannot
    /// represent one, so storing it would rewrite it to U+FFFD. Used for values here and for metadata keys by writers.
    /// </summary>
    /// <param name="text">The text to check.</param>
    /// <param name="paramName">The argument the text came from.</param>
    /// <param name="element">The list element the text is, or -1.</param>
    internal static void ValidateText(string text, string paramName, int element = -1)
    {
        var index = IndexOfLoneSurrogate(text);
        if (index < 0) return;
        var where = element < 0 ? "" : $"element {element}, ";
        throw new ArgumentException(
            $"Metadata text holds a lone surrogate U+{(int)text[index]:X4} at {where}index {index}; it cannot be stored as UTF-8.", paramName);
    }

    /// <summary>The index of the first lone surrogate in <paramref name="text"/>, or -1.</summary>
    internal static int IndexOfLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsSurrogate(c)) continue;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            return i;
        }
        return -1;
    }

    /// <inheritdoc />
    public bool Equals(MetadataValue other)
    {
        if (Kind != other.Kind) return false;
        return Kind switch
        {
            MetadataKind.Null => true,
            MetadataKind.String => string.Equals((string)_object!, (string)other._object!, StringComparison.Ordinal),
            MetadataKind.Number => AsNumber().Equals(other.AsNumber()),
            MetadataKind.Decimal => AsDecimal() == other.AsDecimal(),
            MetadataKind.StringList => ((string[])_object!).AsSpan().SequenceEqual((string[])other._object!),
            MetadataKind.IntegerList => ((long[])_object!).AsSpan().SequenceEqual((long[])other._object!),
            MetadataKind.NumberList => NumbersEqual((double[])_object!, (double[])other._object!),
            _ => _bits == other._bits && _extra == other._extra,
        };
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MetadataValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        switch (Kind)
        {
            case MetadataKind.String: hash.Add((string)_object!, StringComparer.Ordinal); break;
            case MetadataKind.Number: hash.Add(AsNumber()); break;
            case MetadataKind.Decimal: hash.Add(AsDecimal()); break;
            case MetadataKind.StringList: foreach (var s in (string[])_object!) hash.Add(s, StringComparer.Ordinal); break;
            case MetadataKind.IntegerList: foreach (var n in (long[])_object!) hash.Add(n); break;
            case MetadataKind.NumberList: foreach (var n in (double[])_object!) hash.Add(n); break;
            default: hash.Add(_bits); hash.Add(_extra); break;
        }
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        MetadataKind.Null => "null",
        MetadataKind.String => (string)_object!,
        MetadataKind.Number => AsNumber().ToString("R", CultureInfo.InvariantCulture),
        MetadataKind.Integer => _bits.ToString(CultureInfo.InvariantCulture),
        MetadataKind.Decimal => AsDecimal().ToString(CultureInfo.InvariantCulture),
        MetadataKind.Boolean => _bits != 0 ? "true" : "false",
        MetadataKind.Date => AsDate().ToString("O", CultureInfo.InvariantCulture),
        MetadataKind.DateTime => AsDateTime().ToString("O", CultureInfo.InvariantCulture),
        MetadataKind.StringList => "[" + string.Join(", ", (string[])_object!) + "]",
        MetadataKind.IntegerList => "[" + string.Join(", ", ((long[])_object!).Select(n => n.ToString(CultureInfo.InvariantCulture))) + "]",
        _ => "[" + string.Join(", ", ((double[])_object!).Select(n => n.ToString("R", CultureInfo.InvariantCulture))) + "]",
    };

    /// <summary>Equality.</summary>
    public static bool operator ==(MetadataValue left, MetadataValue right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(MetadataValue left, MetadataValue right) => !left.Equals(right);

    private static bool NumbersEqual(double[] a, double[] b)
    {
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
        {
            if (!a[i].Equals(b[i])) return false;
        }
        return true;
    }

    private InvalidOperationException WrongKind(MetadataKind wanted) => new($"Metadata value is a {Kind}, not a {wanted}.");
}
