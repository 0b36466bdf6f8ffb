using System.Buffers;
using MessagePack;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.Tests.Storage;

/// <summary><see cref="MetadataCodec"/>: every kind reads back exactly (docs/FORMAT.md, "Metadata encoding"), old
/// encodings decode as before, damaged payloads are a <see cref="FormatException"/> or a MessagePack exception.</summary>
public class MetadataCodecTests
{
    private static Dictionary<string, MetadataValue> RoundTrip(IReadOnlyDictionary<string, MetadataValue> map)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MetadataCodec.Write(buffer, map);
        return MetadataCodec.Read(buffer.WrittenMemory);
    }

    private static void AssertRoundTrips(MetadataValue value)
    {
        var read = RoundTrip(new Dictionary<string, MetadataValue> { ["v"] = value })["v"];
        Assert.Equal(value.Kind, read.Kind);
        Assert.Equal(value, read);
        Assert.Equal(value.ToString(), read.ToString());
    }

    public static TheoryData<DateTimeOffset> Dates => new()
    {
        DateTimeOffset.MinValue,
        DateTimeOffset.MaxValue,
        new DateTimeOffset(DateTime.MinValue.Ticks + 14 * TimeSpan.TicksPerHour, TimeSpan.FromHours(14)),
        new DateTimeOffset(DateTime.MaxValue.Ticks - 14 * TimeSpan.TicksPerHour, TimeSpan.FromHours(-14)),
        new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.FromHours(-14)),
        new DateTimeOffset(2020, 1, 1, 12, 30, 45, TimeSpan.FromHours(2)).AddTicks(1),
        new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.FromMinutes(330)).AddTicks(9_999_999),
        new DateTimeOffset(638_000_000_000_000_063, TimeSpan.Zero),
    };

    [Theory]
    [MemberData(nameof(Dates))]
    public void Dates_round_trip_to_the_tick_with_their_offset(DateTimeOffset date)
    {
        var read = RoundTrip(new Dictionary<string, MetadataValue> { ["d"] = date })["d"].AsDate();
        Assert.Equal(date.UtcTicks, read.UtcTicks);
        Assert.Equal(date.Offset, read.Offset);
        Assert.Equal(date.Ticks, read.Ticks);
    }

    [Theory]
    [InlineData(0L, DateTimeKind.Unspecified)]
    [InlineData(long.MaxValue, DateTimeKind.Utc)] // clamped to DateTime.MaxValue below
    [InlineData(637_134_534_450_000_001L, DateTimeKind.Local)]
    [InlineData(637_134_534_450_000_001L, DateTimeKind.Unspecified)]
    public void Date_times_round_trip_with_their_kind(long ticks, DateTimeKind kind)
    {
        var value = new DateTime(Math.Min(ticks, DateTime.MaxValue.Ticks), kind);
        var read = RoundTrip(new Dictionary<string, MetadataValue> { ["t"] = MetadataValue.FromDateTime(value) })["t"].AsDateTime();
        Assert.Equal(value.Ticks, read.Ticks);
        Assert.Equal(kind, read.Kind);
    }

    [Fact]
    public void Every_kind_round_trips_exactly()
    {
        foreach (var value in new[]
        {
            MetadataValue.Null,
            default,
            MetadataValue.FromString(""),
            MetadataValue.FromString("grüße ✓ \U0001F600 \uFFFD"),
            MetadataValue.FromNumber(-12.75),
            MetadataValue.FromNumber(double.Epsilon),
            MetadataValue.FromNumber(double.MaxValue),
            MetadataValue.FromNumber(-0.0),
            MetadataValue.FromNumber(8.5f),
            MetadataValue.FromInteger(0),
            MetadataValue.FromInteger(-1),
            MetadataValue.FromInteger(127),
            MetadataValue.FromInteger(long.MinValue),
            MetadataValue.FromInteger(long.MaxValue),
            MetadataValue.FromInteger(9_007_199_254_740_993), // 2^53 + 1: not representable as a double
            MetadataValue.FromBoolean(true),
            MetadataValue.FromBoolean(false),
            MetadataValue.FromDecimal(decimal.MaxValue),
            MetadataValue.FromDecimal(decimal.MinValue),
            MetadataValue.FromDecimal(0.0000000000000000000000000001m),
            MetadataValue.FromDecimal(-8.50m),
            MetadataValue.FromStringList([]),
            MetadataValue.FromStringList(["foo", "", "bär", "\U0001F600"]),
            MetadataValue.FromIntegerList([]),
            MetadataValue.FromIntegerList([long.MinValue, 0, 5, long.MaxValue]),
            MetadataValue.FromNumberList([]),
            MetadataValue.FromNumberList([1.5, -0.0, double.MaxValue, 1e-300]),
        })
        {
            AssertRoundTrips(value);
        }
    }

    [Fact]
    public void Decimals_keep_their_scale()
    {
        foreach (var value in new[] { 1.0m, 1.00m, 1m, -0.000m, 79228162514264337593543950335m })
        {
            var read = RoundTrip(new Dictionary<string, MetadataValue> { ["m"] = MetadataValue.FromDecimal(value) })["m"].AsDecimal();
            Assert.Equal(decimal.GetBits(value), decimal.GetBits(read));
        }
    }

    [Fact]
    public void Negative_zero_keeps_its_sign()
    {
        var read = RoundTrip(new Dictionary<string, MetadataValue> { ["z"] = -0.0 })["z"].AsNumber();
        Assert.True(double.IsNegative(read));
        var list = RoundTrip(new Dictionary<string, MetadataValue> { ["z"] = MetadataValue.FromNumberList([-0.0]) })["z"].AsNumberList();
        Assert.True(double.IsNegative(list[0]));
    }

    [Fact]
    public void A_map_of_every_kind_round_trips()
    {
        var map = new Dictionary<string, MetadataValue>
        {
            ["null"] = default, ["s"] = "x", ["n"] = 1.25, ["i"] = MetadataValue.FromInteger(-5), ["b"] = true,
            ["d"] = DateTimeOffset.MaxValue, ["t"] = MetadataValue.FromDateTime(DateTime.MinValue), ["m"] = MetadataValue.FromDecimal(3.10m),
            ["sl"] = MetadataValue.FromStringList(["a"]), ["il"] = MetadataValue.FromIntegerList([1]), ["nl"] = MetadataValue.FromNumberList([1]),
        };
        var read = RoundTrip(map);
        Assert.Equal(map.Count, read.Count);
        foreach (var (key, value) in map) Assert.Equal(value, read[key]);
    }

    /// <summary>The encodings written before this version: numbers as float64 and dates as the timestamp extension
    /// (UTC). Written here by hand with MessagePack's own writer, byte for byte what the old codec produced.</summary>
    [Fact]
    public void Old_encodings_decode_as_before()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(4);
        writer.Write("at");
        writer.Write(new DateTime(2024, 5, 17, 8, 30, 0, 123, DateTimeKind.Utc).AddTicks(4567));
        writer.Write("page");
        writer.Write(3.0);
        writer.Write("lang");
        writer.Write("nl");
        writer.Write("draft");
        writer.Write(false);
        writer.Flush();

        var read = MetadataCodec.Read(buffer.WrittenMemory);
        Assert.Equal(MetadataKind.Date, read["at"].Kind);
        Assert.Equal(new DateTimeOffset(2024, 5, 17, 8, 30, 0, 123, TimeSpan.Zero).AddTicks(4567), read["at"].AsDate());
        Assert.Equal(TimeSpan.Zero, read["at"].AsDate().Offset);
        Assert.Equal(MetadataKind.Number, read["page"].Kind);
        Assert.Equal(3.0, read["page"].AsNumber());
        Assert.Equal("nl", read["lang"].AsString());
        Assert.False(read["draft"].AsBoolean());
    }

    [Fact]
    public void Dates_and_numbers_use_the_documented_bytes()
    {
        var buffer = new ArrayBufferWriter<byte>();
        MetadataCodec.Write(buffer, new Dictionary<string, MetadataValue> { ["d"] = new DateTimeOffset(1, TimeSpan.Zero).AddMinutes(90).ToOffset(TimeSpan.FromMinutes(90)) });
        // fixmap(1), fixstr "d", fixext… no: ext 8 (0xC7) length 10, type 1, i64 BE UTC ticks, i16 BE offset minutes.
        var ticks = TimeSpan.FromMinutes(90).Ticks + 1;
        byte[] expected = [0x81, 0xA1, (byte)'d', 0xC7, 10, 1, .. BigEndian(ticks), 0, 90];
        Assert.Equal(expected, buffer.WrittenSpan.ToArray());

        buffer.Clear();
        MetadataCodec.Write(buffer, new Dictionary<string, MetadataValue> { ["i"] = MetadataValue.FromInteger(300), ["z"] = default });
        Assert.Equal(new byte[] { 0x82, 0xA1, (byte)'i', 0xCD, 0x01, 0x2C, 0xA1, (byte)'z', 0xC0 }, buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Number_lists_use_float32_where_it_is_exact()
    {
        var buffer = new ArrayBufferWriter<byte>();
        MetadataCodec.Write(buffer, new Dictionary<string, MetadataValue> { ["v"] = MetadataValue.FromNumberList([0.5, 0.1, 8.5f]) });
        // fixmap, "v", ext8 length 16 type 6: fixarray(3), float32 0.5, float64 0.1, float32 8.5
        Assert.Equal(3 + 3 + 1 + 5 + 9 + 5, buffer.WrittenCount);
        var read = MetadataCodec.Read(buffer.WrittenMemory)["v"].AsNumberList();
        Assert.Equal([0.5, 0.1, (double)8.5f], read);
    }

    private static byte[] BigEndian(long value)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("\\udc00")]
    [InlineData("a\\ud800b")]
    [InlineData("\\udc00\\ud800")]
    public void Keys_with_lone_surrogates_are_rejected_not_rewritten(string escaped)
    {
        // Escaped: xunit passes theory data through UTF-8, which would itself rewrite a lone surrogate.
        var key = System.Text.RegularExpressions.Regex.Unescape(escaped);
        var ex = Assert.Throws<ArgumentException>(() => MetadataCodec.Validate(new Dictionary<string, MetadataValue> { [key] = 1 }, "metadata"));
        Assert.Contains("lone surrogate", ex.Message, StringComparison.Ordinal);
        Assert.Equal("metadata", ex.ParamName);
        Assert.Throws<ArgumentException>(() => MetadataCodec.Write(new ArrayBufferWriter<byte>(), new Dictionary<string, MetadataValue> { [key] = 1 }));
    }

    [Fact]
    public void Empty_keys_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => MetadataCodec.Validate(new Dictionary<string, MetadataValue> { [""] = 1 }, "metadata"));
    }

    public static TheoryData<string, byte[]> Damaged => new()
    {
        // date extension with 9 bytes
        { "short date", [0x81, 0xA1, (byte)'d', 0xC7, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
        // date with offset 15 h
        { "offset", [0x81, 0xA1, (byte)'d', 0xC7, 10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x03, 0x84] },
        // date below DateTime.MinValue
        { "negative ticks", [0x81, 0xA1, (byte)'d', 0xC7, 10, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0] },
        // MinValue UTC shown at -01:00 would be before year 1
        { "local underflow", [0x81, 0xA1, (byte)'d', 0xC7, 10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xC4] },
        // date-time with kind 3
        { "kind", [0x81, 0xA1, (byte)'t', 0xC7, 9, 2, 0, 0, 0, 0, 0, 0, 0, 0, 3] },
        // decimal with scale 29
        { "scale", [0x81, 0xA1, (byte)'m', 0xD8, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1D, 0, 0] },
        // unknown extension 7
        { "unknown", [0x81, 0xA1, (byte)'x', 0xD4, 7, 0] },
        // string list holding an int
        { "string list", [0x81, 0xA1, (byte)'l', 0xC7, 2, 4, 0x91, 0x01] },
        // integer list with a trailing byte
        { "trailing", [0x81, 0xA1, (byte)'l', 0xC7, 3, 5, 0x91, 0x01, 0x01] },
        // integer list claiming 3 elements in 1 byte
        { "count", [0x81, 0xA1, (byte)'l', 0xC7, 2, 5, 0x93, 0x01] },
        // uint64 above long.MaxValue
        { "uint64", [0x81, 0xA1, (byte)'i', 0xCF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] },
        // a float64 NaN
        { "nan", [0x81, 0xA1, (byte)'n', 0xCB, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0] },
        // an array value
        { "array", [0x81, 0xA1, (byte)'a', 0x90] },
        // duplicate key
        { "duplicate", [0x82, 0xA1, (byte)'a', 0x01, 0xA1, (byte)'a', 0x02] },
        // nil key
        { "nil key", [0x81, 0xC0, 0x01] },
    };

    [Theory]
    [MemberData(nameof(Damaged))]
    public void Damaged_payloads_throw_what_the_segment_reader_maps_to_corruption(string name, byte[] bytes)
    {
        var ex = Record.Exception(() => MetadataCodec.Read(bytes));
        Assert.True(ex is FormatException or MessagePackSerializationException or ArgumentException or EndOfStreamException,
            $"{name}: {ex?.GetType().Name ?? "no exception"}");
    }
}
