using System.Globalization;

namespace Werkly.VectorIndex;

/// <summary>The type held by a <see cref="MetadataValue"/>.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The kinds name the JSON-like value types they hold.")]
public enum MetadataKind
{
    /// <summary>A string.</summary>
    String,
    /// <summary>A double-precision number.</summary>
    Number,
    /// <summary>A boolean.</summary>
    Boolean,
    /// <summary>A point in time (UTC).</summary>
    Date,
}

/// <summary>
/// One value of a record's metadata map: a string, number, boolean or date. Used for filtering and projection.
/// </summary>
/// <remarks>Immutable and thread-safe. Implicit conversions let callers write
/// <c>new Dictionary&lt;string, MetadataValue&gt; { ["lang"] = "en", ["page"] = 3 }</c>.</remarks>
public readonly struct MetadataValue : IEquatable<MetadataValue>
{
    private readonly string? _string;
    private readonly double _number;

    private MetadataValue(MetadataKind kind, string? s, double n)
    {
        Kind = kind;
        _string = s;
        _number = n;
    }

    /// <summary>The type of the value.</summary>
    public MetadataKind Kind { get; }

    /// <summary>Creates a string value.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static MetadataValue FromString(string value) => new(MetadataKind.String, value ?? throw new ArgumentNullException(nameof(value)), 0);

    /// <summary>Creates a number value.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is NaN or infinite.</exception>
    public static MetadataValue FromNumber(double value) =>
        double.IsFinite(value) ? new(MetadataKind.Number, null, value) : throw new ArgumentException("Metadata numbers must be finite.", nameof(value));

    /// <summary>Creates a boolean value.</summary>
    public static MetadataValue FromBoolean(bool value) => new(MetadataKind.Boolean, null, value ? 1 : 0);

    /// <summary>Creates a date value; it is stored as UTC ticks.</summary>
    public static MetadataValue FromDate(DateTimeOffset value) => new(MetadataKind.Date, null, value.UtcTicks);

    /// <summary>The string, when <see cref="Kind"/> is <see cref="MetadataKind.String"/>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another kind.</exception>
    public string AsString() => Kind == MetadataKind.String ? _string! : throw WrongKind(MetadataKind.String);

    /// <summary>The number, when <see cref="Kind"/> is <see cref="MetadataKind.Number"/>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another kind.</exception>
    public double AsNumber() => Kind == MetadataKind.Number ? _number : throw WrongKind(MetadataKind.Number);

    /// <summary>The boolean, when <see cref="Kind"/> is <see cref="MetadataKind.Boolean"/>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another kind.</exception>
    public bool AsBoolean() => Kind == MetadataKind.Boolean ? _number != 0 : throw WrongKind(MetadataKind.Boolean);

    /// <summary>The date (UTC), when <see cref="Kind"/> is <see cref="MetadataKind.Date"/>.</summary>
    /// <exception cref="InvalidOperationException">The value is of another kind.</exception>
    public DateTimeOffset AsDate() => Kind == MetadataKind.Date ? new DateTimeOffset((long)_number, TimeSpan.Zero) : throw WrongKind(MetadataKind.Date);

    /// <summary>Converts a string.</summary>
    public static implicit operator MetadataValue(string value) => FromString(value);

    /// <summary>Converts a number.</summary>
    public static implicit operator MetadataValue(double value) => FromNumber(value);

    /// <summary>Converts a boolean.</summary>
    public static implicit operator MetadataValue(bool value) => FromBoolean(value);

    /// <summary>Converts a date.</summary>
    public static implicit operator MetadataValue(DateTimeOffset value) => FromDate(value);

    /// <inheritdoc />
    public bool Equals(MetadataValue other) =>
        Kind == other.Kind && (Kind == MetadataKind.String ? string.Equals(_string, other._string, StringComparison.Ordinal) : _number.Equals(other._number));

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MetadataValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, _string, _number);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        MetadataKind.String => _string!,
        MetadataKind.Number => _number.ToString("R", CultureInfo.InvariantCulture),
        MetadataKind.Boolean => _number != 0 ? "true" : "false",
        _ => AsDate().ToString("O", CultureInfo.InvariantCulture),
    };

    /// <summary>Equality.</summary>
    public static bool operator ==(MetadataValue left, MetadataValue right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(MetadataValue left, MetadataValue right) => !left.Equals(right);

    private InvalidOperationException WrongKind(MetadataKind wanted) => new($"Metadata value is a {Kind}, not a {wanted}.");
}
