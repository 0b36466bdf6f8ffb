namespace Werkly.VectorIndex.Tests;

/// <summary><see cref="MetadataValue"/>: validation at creation, kinds, equality.</summary>
public class MetadataValueTests
{
    [Theory]
    [InlineData("\\ud800", 0)]
    [InlineData("\\udc00", 0)]
    [InlineData("ab\\ud83d", 2)]
    [InlineData("a\\ude00b", 1)]
    [InlineData("\\ud83d\\ude00\\udc00", 2)]
    public void Strings_with_lone_surrogates_are_rejected_naming_the_index(string escaped, int index)
    {
        // Escaped: xunit passes theory data through UTF-8, which would itself rewrite a lone surrogate.
        var text = System.Text.RegularExpressions.Regex.Unescape(escaped);
        var ex = Assert.Throws<ArgumentException>(() => MetadataValue.FromString(text));
        Assert.Contains($"index {index}", ex.Message, StringComparison.Ordinal);
        Assert.Equal("value", ex.ParamName);
        Assert.Throws<ArgumentException>(() => { MetadataValue v = text; });
        var list = Assert.Throws<ArgumentException>(() => MetadataValue.FromStringList(["ok", text]));
        Assert.Contains($"element 1, index {index}", list.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_pairs_and_the_replacement_character_are_accepted_unchanged()
    {
        const string text = "\U0001F600 \uFFFD \ud83d\ude00";
        Assert.Equal(text, MetadataValue.FromString(text).AsString());
    }

    [Fact]
    public void Null_elements_and_non_finite_numbers_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => MetadataValue.FromString(null!));
        Assert.Throws<ArgumentNullException>(() => MetadataValue.FromStringList(["a", null!]));
        Assert.Throws<ArgumentException>(() => MetadataValue.FromNumber(double.NaN));
        Assert.Throws<ArgumentException>(() => MetadataValue.FromNumber(double.PositiveInfinity));
        var ex = Assert.Throws<ArgumentException>(() => MetadataValue.FromNumberList([1, double.NegativeInfinity]));
        Assert.Contains("element 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_is_the_null_value()
    {
        MetadataValue value = default;
        Assert.Equal(MetadataKind.Null, value.Kind);
        Assert.True(value.IsNull);
        Assert.Equal(MetadataValue.Null, value);
        Assert.Equal("null", value.ToString());
        Assert.Throws<InvalidOperationException>(() => value.AsString());
        Assert.Throws<InvalidOperationException>(() => value.AsNumber());
        Assert.NotEqual(MetadataValue.FromString(""), value);
    }

    [Fact]
    public void Dates_keep_the_full_range_and_the_offset()
    {
        Assert.Equal(DateTimeOffset.MaxValue, MetadataValue.FromDate(DateTimeOffset.MaxValue).AsDate());
        Assert.Equal(DateTimeOffset.MinValue, MetadataValue.FromDate(DateTimeOffset.MinValue).AsDate());
        var local = new DateTimeOffset(2020, 1, 1, 12, 30, 45, TimeSpan.FromHours(2)).AddTicks(7);
        var read = MetadataValue.FromDate(local).AsDate();
        Assert.Equal(local.Ticks, read.Ticks);
        Assert.Equal(local.Offset, read.Offset);
        // The same instant at another offset is another value.
        Assert.NotEqual(MetadataValue.FromDate(local), MetadataValue.FromDate(local.ToUniversalTime()));
    }

    [Fact]
    public void Kinds_do_not_compare_equal_across_each_other()
    {
        Assert.NotEqual(MetadataValue.FromInteger(3), MetadataValue.FromNumber(3));
        Assert.NotEqual(MetadataValue.FromDecimal(3), MetadataValue.FromNumber(3));
        Assert.Equal(MetadataValue.FromDecimal(1.0m), MetadataValue.FromDecimal(1.00m));
        Assert.Equal(MetadataValue.FromDecimal(1.0m).GetHashCode(), MetadataValue.FromDecimal(1.00m).GetHashCode());
        Assert.Equal(MetadataValue.FromStringList(["a", "b"]), MetadataValue.FromStringList(["a", "b"]));
        Assert.Equal(MetadataValue.FromStringList(["a", "b"]).GetHashCode(), MetadataValue.FromStringList(["a", "b"]).GetHashCode());
        Assert.NotEqual(MetadataValue.FromStringList(["a", "b"]), MetadataValue.FromStringList(["b", "a"]));
        Assert.NotEqual(MetadataValue.FromIntegerList([]), MetadataValue.FromNumberList([]));
        Assert.Equal(MetadataValue.FromDateTime(new DateTime(5, DateTimeKind.Utc)), MetadataValue.FromDateTime(new DateTime(5, DateTimeKind.Utc)));
        Assert.NotEqual(MetadataValue.FromDateTime(new DateTime(5, DateTimeKind.Utc)), MetadataValue.FromDateTime(new DateTime(5, DateTimeKind.Local)));
    }

    [Fact]
    public void An_int_literal_stays_a_number_and_lists_are_copied()
    {
        MetadataValue page = 3;
        Assert.Equal(MetadataKind.Number, page.Kind);
        var source = new long[] { 1, 2 };
        var list = MetadataValue.FromIntegerList(source);
        source[0] = 99;
        Assert.Equal([1L, 2L], list.AsIntegerList());
        var strings = new List<string> { "a" };
        var stringList = MetadataValue.FromStringList(strings);
        strings[0] = "b";
        Assert.Equal(["a"], stringList.AsStringList());
    }
}
