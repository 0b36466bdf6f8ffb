using System.Buffers;
using System.Buffers.Binary;
using MessagePack;

namespace Werkly.VectorIndex.Storage;

/// <summary>Encodes a record's metadata map as MessagePack: a map of string keys to nil (null), str (string), float64
/// (number), an int format (integer), bool (boolean), or an application extension for dates, decimals and lists. Old
/// encodings (the timestamp extension −1 for a UTC date) still decode as they always did.</summary>
/// <remarks>Keep in sync with docs/FORMAT.md, section "Metadata encoding". Thread-safe (stateless).</remarks>
internal static class MetadataCodec
{
    /// <summary>Extension type of a <see cref="MetadataKind.Date"/>: i64 UTC ticks, i16 offset in minutes (big-endian).</summary>
    internal const sbyte DateExtension = 1;

    /// <summary>Extension type of a <see cref="MetadataKind.DateTime"/>: i64 ticks, u8 <see cref="DateTimeKind"/>.</summary>
    internal const sbyte DateTimeExtension = 2;

    /// <summary>Extension type of a <see cref="MetadataKind.Decimal"/>: the four i32 of <see cref="decimal.GetBits(decimal)"/>.</summary>
    internal const sbyte DecimalExtension = 3;

    /// <summary>Extension type of a <see cref="MetadataKind.StringList"/>: a MessagePack array of str.</summary>
    internal const sbyte StringListExtension = 4;

    /// <summary>Extension type of a <see cref="MetadataKind.IntegerList"/>: a MessagePack array of ints.</summary>
    internal const sbyte IntegerListExtension = 5;

    /// <summary>Extension type of a <see cref="MetadataKind.NumberList"/>: a MessagePack array of float32 (where exact) or float64.</summary>
    internal const sbyte NumberListExtension = 6;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when <paramref name="metadata"/> cannot be stored exactly: a null or
    /// empty key, or a key with a lone surrogate (UTF-8 cannot hold one; it would come back as U+FFFD). Values are
    /// checked when they are created. Writers call this when a record enters the index, so that a commit never meets
    /// a map it cannot encode.
    /// </summary>
    /// <param name="metadata">The map to check.</param>
    /// <param name="paramName">The argument the map came from.</param>
    public static void Validate(IReadOnlyDictionary<string, MetadataValue> metadata, string paramName)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        foreach (var key in metadata.Keys)
        {
            if (string.IsNullOrEmpty(key)) throw new ArgumentException("A metadata key is null or empty.", paramName);
            var index = MetadataValue.IndexOfLoneSurrogate(key);
            if (index >= 0)
                throw new ArgumentException(
                    $"Metadata key holds a lone surrogate U+{(int)key[index]:X4} at index {index}; it cannot be stored as UTF-8.", paramName);
        }
    }

    /// <summary>Appends the encoding of <paramref name="metadata"/> to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">A key cannot be stored exactly (see <see cref="Validate"/>).</exception>
    public static void Write(IBufferWriter<byte> output, IReadOnlyDictionary<string, MetadataValue> metadata)
    {
        // Rejecting here is the last line: a silently rewritten key would read back as corruption.
        Validate(metadata, nameof(metadata));
        var writer = new MessagePackWriter(output);
        writer.WriteMapHeader(metadata.Count);
        Span<byte> scratch = stackalloc byte[16];
        Span<int> bits = stackalloc int[4];
        foreach (var (key, value) in metadata)
        {
            writer.Write(key);
            switch (value.Kind)
            {
                case MetadataKind.Null: writer.WriteNil(); break;
                case MetadataKind.String: writer.Write(value.AsString()); break;
                case MetadataKind.Number: writer.Write(value.AsNumber()); break;
                case MetadataKind.Integer: writer.Write(value.AsInteger()); break;
                case MetadataKind.Boolean: writer.Write(value.AsBoolean()); break;
                case MetadataKind.Date:
                    var date = value.AsDate();
                    BinaryPrimitives.WriteInt64BigEndian(scratch, date.UtcTicks);
                    BinaryPrimitives.WriteInt16BigEndian(scratch[8..], (short)(date.Offset.Ticks / TimeSpan.TicksPerMinute));
                    WriteExtension(ref writer, DateExtension, scratch[..10]);
                    break;
                case MetadataKind.DateTime:
                    var dateTime = value.AsDateTime();
                    BinaryPrimitives.WriteInt64BigEndian(scratch, dateTime.Ticks);
                    scratch[8] = (byte)dateTime.Kind;
                    WriteExtension(ref writer, DateTimeExtension, scratch[..9]);
                    break;
                case MetadataKind.Decimal:
                    decimal.GetBits(value.AsDecimal(), bits);
                    for (var i = 0; i < 4; i++) BinaryPrimitives.WriteInt32BigEndian(scratch[(4 * i)..], bits[i]);
                    WriteExtension(ref writer, DecimalExtension, scratch);
                    break;
                case MetadataKind.StringList:
                    WriteList(ref writer, StringListExtension, value.AsStringList(), static (ref MessagePackWriter w, string s) => w.Write(s));
                    break;
                case MetadataKind.IntegerList:
                    WriteList(ref writer, IntegerListExtension, value.AsIntegerList(), static (ref MessagePackWriter w, long n) => w.Write(n));
                    break;
                case MetadataKind.NumberList:
                    // float32 where it holds the value exactly (vectors kept as metadata are floats): half the bytes, same value.
                    WriteList(ref writer, NumberListExtension, value.AsNumberList(), static (ref MessagePackWriter w, double n) =>
                    {
                        if ((double)(float)n == n) w.Write((float)n); // -0 converts to -0f: the sign survives
                        else w.Write(n);
                    });
                    break;
                default: throw new ArgumentException($"Unknown metadata kind {value.Kind}.", nameof(metadata));
            }
        }
        writer.Flush();
    }

    /// <summary>Decodes one map; throws <see cref="MessagePackSerializationException"/> or <see cref="FormatException"/> on malformed input.</summary>
    public static Dictionary<string, MetadataValue> Read(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return ReadMap(bytes);
        }
        catch (OverflowException ex)
        {
            throw new FormatException("A metadata integer does not fit in 64 bits.", ex);
        }
    }

    private static Dictionary<string, MetadataValue> ReadMap(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        int count = reader.ReadMapHeader();
        var map = new Dictionary<string, MetadataValue>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string key = reader.ReadString() ?? throw new FormatException("A metadata key is nil.");
            MetadataValue value = reader.NextMessagePackType switch
            {
                MessagePackType.Nil => ReadNil(ref reader),
                MessagePackType.String => MetadataValue.FromString(reader.ReadString()!),
                MessagePackType.Float => MetadataValue.FromNumber(reader.ReadDouble()),
                MessagePackType.Integer => MetadataValue.FromInteger(reader.ReadInt64()),
                MessagePackType.Boolean => MetadataValue.FromBoolean(reader.ReadBoolean()),
                MessagePackType.Extension => ReadExtension(ref reader),
                var other => throw new FormatException($"Unexpected MessagePack type {other} for a metadata value."),
            };
            if (!map.TryAdd(key, value)) throw new FormatException($"Duplicate metadata key '{key}'.");
        }
        if (!reader.End) throw new FormatException("Trailing bytes after a metadata map.");
        return map;
    }

    private delegate void ElementWriter<T>(ref MessagePackWriter writer, T value);

    private static void WriteExtension(ref MessagePackWriter writer, sbyte type, scoped ReadOnlySpan<byte> payload)
    {
        writer.WriteExtensionFormatHeader(new ExtensionHeader(type, payload.Length));
        // GetSpan/Advance rather than WriteRaw: the payload may live on the caller's stack.
        payload.CopyTo(writer.GetSpan(payload.Length));
        writer.Advance(payload.Length);
    }

    private static void WriteList<T>(ref MessagePackWriter writer, sbyte type, IReadOnlyList<T> values, ElementWriter<T> write)
    {
        var payload = new ArrayBufferWriter<byte>();
        var inner = new MessagePackWriter(payload);
        inner.WriteArrayHeader(values.Count);
        foreach (var value in values) write(ref inner, value);
        inner.Flush();
        WriteExtension(ref writer, type, payload.WrittenSpan);
    }

    private static MetadataValue ReadNil(ref MessagePackReader reader)
    {
        reader.ReadNil();
        return MetadataValue.Null;
    }

    private static MetadataValue ReadExtension(ref MessagePackReader reader)
    {
        var header = reader.CreatePeekReader().ReadExtensionFormatHeader();
        // The timestamp extension: how dates were stored before the exact Date extension (UTC, to 100 ns).
        if (header.TypeCode == -1) return MetadataValue.FromDate(new DateTimeOffset(reader.ReadDateTime(), TimeSpan.Zero));

        var extension = reader.ReadExtensionFormat();
        var data = extension.Data;
        Span<byte> payload = stackalloc byte[16];
        switch (extension.TypeCode)
        {
            case DateExtension:
            {
                Fixed(data, payload, 10, "date");
                var utcTicks = BinaryPrimitives.ReadInt64BigEndian(payload);
                var minutes = BinaryPrimitives.ReadInt16BigEndian(payload[8..]);
                if (minutes is < -14 * 60 or > 14 * 60) throw new FormatException($"A date's offset of {minutes} minutes is out of range.");
                var offset = TimeSpan.FromMinutes(minutes);
                if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks
                    || utcTicks + offset.Ticks < DateTime.MinValue.Ticks || utcTicks + offset.Ticks > DateTime.MaxValue.Ticks)
                    throw new FormatException($"A date of {utcTicks} UTC ticks at offset {offset} is out of range.");
                return MetadataValue.FromDate(new DateTimeOffset(utcTicks + offset.Ticks, offset));
            }
            case DateTimeExtension:
            {
                Fixed(data, payload, 9, "date-time");
                var ticks = BinaryPrimitives.ReadInt64BigEndian(payload);
                var kind = payload[8];
                if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks) throw new FormatException($"A date-time of {ticks} ticks is out of range.");
                if (kind > (byte)DateTimeKind.Local) throw new FormatException($"A date-time has the unknown kind {kind}.");
                return MetadataValue.FromDateTime(new DateTime(ticks, (DateTimeKind)kind));
            }
            case DecimalExtension:
            {
                Fixed(data, payload, 16, "decimal");
                Span<int> bits = stackalloc int[4];
                for (var i = 0; i < 4; i++) bits[i] = BinaryPrimitives.ReadInt32BigEndian(payload[(4 * i)..]);
                // Scale in bits 16-23 of the flags (at most 28), sign in bit 31, every other bit zero.
                if ((bits[3] & 0x7F00FFFF) != 0 || ((bits[3] >> 16) & 0xFF) > 28) throw new FormatException("A decimal has invalid flags.");
                return MetadataValue.FromDecimal(new decimal(bits));
            }
            case StringListExtension:
                return MetadataValue.FromStringList(ReadList(data, static (ref MessagePackReader r) =>
                    r.NextMessagePackType == MessagePackType.String ? r.ReadString()! : throw new FormatException("A string list holds a non-string.")));
            case IntegerListExtension:
                return MetadataValue.FromIntegerList(ReadList(data, static (ref MessagePackReader r) =>
                    r.NextMessagePackType == MessagePackType.Integer ? r.ReadInt64() : throw new FormatException("An integer list holds a non-integer.")));
            case NumberListExtension:
                return MetadataValue.FromNumberList(ReadList(data, static (ref MessagePackReader r) =>
                    r.NextMessagePackType == MessagePackType.Float ? r.ReadDouble() : throw new FormatException("A number list holds a non-number.")));
            default:
                throw new FormatException($"Unknown metadata extension type {extension.TypeCode}.");
        }
    }

    private static void Fixed(ReadOnlySequence<byte> data, Span<byte> payload, int length, string what)
    {
        if (data.Length != length) throw new FormatException($"A {what} extension holds {data.Length} bytes, not {length}.");
        data.CopyTo(payload);
    }

    private delegate T ElementReader<out T>(ref MessagePackReader reader);

    private static T[] ReadList<T>(ReadOnlySequence<byte> data, ElementReader<T> read)
    {
        var inner = new MessagePackReader(data);
        var count = inner.ReadArrayHeader();
        var values = new T[count];
        for (var i = 0; i < count; i++) values[i] = read(ref inner);
        if (!inner.End) throw new FormatException("Trailing bytes after a metadata list.");
        return values;
    }
}
