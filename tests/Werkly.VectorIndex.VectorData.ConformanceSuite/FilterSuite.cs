using System.Linq.Expressions;
using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.VectorData.ConformanceSuite.Support;

#pragma warning disable CA1825, CS0252 // inline arrays in filters; object == string compares values in a store filter

namespace Werkly.VectorIndex.VectorData.ConformanceSuite;

/// <summary>A record with a property of every filterable shape.</summary>
public sealed class FilterRecord
{
    [VectorStoreKey] public int Key { get; set; }
    [VectorStoreData(IsIndexed = true)] public int Int { get; set; }
    [VectorStoreData(IsIndexed = true)] public int Int2 { get; set; }
    [VectorStoreData(IsIndexed = true)] public string? String { get; set; }
    [VectorStoreData(IsIndexed = true)] public bool Bool { get; set; }
    [VectorStoreData(IsIndexed = true)] public double Double { get; set; }
    [VectorStoreData(IsIndexed = true)] public int? NullableInt { get; set; }
    [VectorStoreData(IsIndexed = true)] public DateTimeOffset Date { get; set; }
    [VectorStoreData(IsIndexed = true)] public string[] StringArray { get; set; } = [];
    [VectorStoreData(IsIndexed = true)] public List<string> StringList { get; set; } = [];
    [VectorStoreVector(3)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>
/// Filters, scenario by scenario as the MEVD conformance tests cover them: every operator, nulls, arrays, nested
/// <c>&amp;&amp;</c>/<c>||</c>/<c>!</c>, captured variables and members, C# 14 <c>MemoryExtensions.Contains</c>, POCO and
/// dynamic records. Each filter's result is checked against LINQ to objects over the same records, through both search
/// and get-by-filter.
/// </summary>
public abstract class FilterSuite(VectorStoreFixture fixture) : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2024, 5, 17, 8, 30, 0, TimeSpan.FromHours(2));

    public static readonly IReadOnlyList<FilterRecord> Records =
    [
        new() { Key = 1, Int = 8, Int2 = 80, String = "foo", Bool = true, Double = 1.5, NullableInt = 1, Date = Day, StringArray = ["x", "y"], StringList = ["x", "y"], Vector = new([1, 2, 3]) },
        new() { Key = 2, Int = 9, Int2 = 90, String = "bar", Bool = false, Double = 2.5, NullableInt = null, Date = Day.AddDays(1), StringArray = ["a", "b"], StringList = ["a", "b"], Vector = new([1, 2, 4]) },
        new() { Key = 3, Int = 9, Int2 = 9, String = "foo", Bool = true, Double = -1, NullableInt = 3, Date = Day.AddDays(-1), StringArray = ["x"], StringList = ["x"], Vector = new([1, 2, 5]) },
        new() { Key = 4, Int = 10, Int2 = 100, String = null, Bool = false, Double = 0, NullableInt = 4, Date = Day.AddHours(1), StringArray = [], StringList = [], Vector = new([1, 2, 6]) },
        new() { Key = 5, Int = int.MaxValue, Int2 = 100, String = "some text with spaces, ' \" and ü", Bool = false, Double = 8.5, NullableInt = null, Date = Day, StringArray = ["y"], StringList = ["y", "x"], Vector = new([1, 2, 7]) },
        new() { Key = 6, Int = -3, Int2 = 0, String = "baz", Bool = true, Double = 1e10, NullableInt = -5, Date = Day.ToOffset(TimeSpan.Zero), StringArray = ["un  , ' \""], StringList = ["z"], Vector = new([1, 2, 8]) },
    ];

    private static readonly ReadOnlyMemory<float> Query = new([1, 2, 3]);
    private VectorStoreCollection<int, FilterRecord> _collection = null!;
    private VectorStoreCollection<object, Dictionary<string, object?>> _dynamic = null!;

#pragma warning disable IDE0044, CA1802, RCS1169 // the member-access scenarios need mutable and static members
    private int _memberField = 8;
    private readonly int _memberReadOnlyField = 8;
    private static int s_staticField = 8;
    private static readonly int s_staticReadOnlyField = 8;
    private readonly Wrapper _wrapper = new();
#pragma warning restore IDE0044, CA1802, RCS1169

    private sealed class Wrapper
    {
        public int Value = 8;
    }

    public static VectorStoreCollectionDefinition Definition() => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty(nameof(FilterRecord.Key), typeof(int)),
            new VectorStoreDataProperty(nameof(FilterRecord.Int), typeof(int)),
            new VectorStoreDataProperty(nameof(FilterRecord.Int2), typeof(int)),
            new VectorStoreDataProperty(nameof(FilterRecord.String), typeof(string)),
            new VectorStoreDataProperty(nameof(FilterRecord.Bool), typeof(bool)),
            new VectorStoreDataProperty(nameof(FilterRecord.Double), typeof(double)),
            new VectorStoreDataProperty(nameof(FilterRecord.NullableInt), typeof(int?)),
            new VectorStoreDataProperty(nameof(FilterRecord.Date), typeof(DateTimeOffset)),
            new VectorStoreDataProperty(nameof(FilterRecord.StringArray), typeof(string[])),
            new VectorStoreDataProperty(nameof(FilterRecord.StringList), typeof(List<string>)),
            new VectorStoreVectorProperty(nameof(FilterRecord.Vector), typeof(ReadOnlyMemory<float>), 3),
        ],
    };

    public async Task InitializeAsync()
    {
        _collection = await fixture.CreateCollectionAsync<int, FilterRecord>("filters");
        await _collection.UpsertAsync(Records);
        _dynamic = fixture.GetDynamicCollection(_collection.Name, Definition(), new CollectionSettings());
    }

    public Task DisposeAsync() => _collection.EnsureCollectionDeletedAsync();

    private async Task Check(Expression<Func<FilterRecord, bool>> filter, Expression<Func<Dictionary<string, object?>, bool>>? dynamicFilter = null,
        bool expectEmpty = false, bool expectAll = false)
    {
        var expected = Records.Where(filter.Compile()).Select(r => r.Key).Order().ToList();
        if (expectEmpty) Assert.Empty(expected);
        else Assert.NotEmpty(expected);
        if (expectAll) Assert.Equal(Records.Count, expected.Count);
        else if (!expectEmpty) Assert.NotEqual(Records.Count, expected.Count);

        var searched = await _collection.SearchAsync(Query, top: 100, new() { Filter = filter }).Select(r => r.Record.Key).ToListAsync();
        Assert.Equal(expected, searched.Order());
        var got = await _collection.GetAsync(filter, top: 100).Select(r => r.Key).ToListAsync();
        Assert.Equal(expected, got.Order());

        if (dynamicFilter is not null)
        {
            var dynamicKeys = await _dynamic.SearchAsync(Query, top: 100, new() { Filter = dynamicFilter }).Select(r => (int)r.Record["Key"]!).ToListAsync();
            Assert.Equal(expected, dynamicKeys.Order());
            var dynamicGot = await _dynamic.GetAsync(dynamicFilter, top: 100).Select(r => (int)r["Key"]!).ToListAsync();
            Assert.Equal(expected, dynamicGot.Order());
        }
    }

    [Fact] public Task Equal_with_int() => Check(r => r.Int == 8, r => (int)r["Int"]! == 8);
    [Fact] public Task Equal_with_string() => Check(r => r.String == "foo", r => r["String"] == "foo");
    [Fact] public Task Equal_reversed() => Check(r => 8 == r.Int, r => 8 == (int)r["Int"]!);
    [Fact] public Task Equal_with_string_is_not_contains() => Check(r => r.String == "fo", r => r["String"] == "fo", expectEmpty: true);
    [Fact] public Task Equal_with_special_characters() => Check(r => r.String == "some text with spaces, ' \" and ü", r => r["String"] == "some text with spaces, ' \" and ü");

    [Fact]
    public Task Equal_with_injection_looking_value()
    {
        var value = "foo'; DROP TABLE records; --";
        return Check(r => r.String == value, r => r["String"] == value, expectEmpty: true);
    }

    [Fact]
    public Task Captured_locals_in_orderings_under_and_or()
    {
        // Comparisons with captured locals are translated without folding; the same filter over a member is folded.
        int low = 8, high = 100;
        var s = "baz";
        return Check(r => (r.Int >= low && r.Int2 < high) || r.String == s, r => ((int)r["Int"]! >= low && (int)r["Int2"]! < high) || r["String"] == s);
    }

    [Fact]
    public Task Captured_local_lifted_to_nullable()
    {
        var min = 1;
        return Check(r => r.NullableInt > min && min < r.NullableInt, r => (int?)r["NullableInt"] > min && min < (int?)r["NullableInt"]);
    }

    [Fact]
    public Task Captured_local_converted_is_folded()
    {
        var threshold = 8.7;
        return Check(r => r.Int > (int)threshold, r => (int)r["Int"]! > (int)threshold);
    }

    [Fact] public Task Equal_with_null_reference() => Check(r => r.String == null, r => r["String"] == null);

    [Fact]
    public Task Equal_with_null_captured()
    {
        string? s = null;
        return Check(r => r.String == s, r => r["String"] == s);
    }

    [Fact]
    public Task Equal_int_with_nonnull_nullable()
    {
        int? i = 8;
        return Check(r => r.Int == i, r => (int)r["Int"]! == i);
    }

    [Fact]
    public Task Equal_int_with_null_nullable()
    {
        int? i = null;
        return Check(r => r.Int == i, r => (int)r["Int"]! == i, expectEmpty: true);
    }

    [Fact]
    public Task Equal_int_with_nullable_Value()
    {
        int? i = 8;
        return Check(r => r.Int == i.Value, r => (int)r["Int"]! == i.Value);
    }

    [Fact]
    public async Task Value_of_a_null_nullable_throws_InvalidOperationException()
    {
        int? i = null;
        var ex = await Record.ExceptionAsync(() => _collection.SearchAsync(Query, top: 5, new() { Filter = r => r.Int == i!.Value }).ToListAsync().AsTask());
        Assert.True(ex is InvalidOperationException or VectorStoreException { InnerException: InvalidOperationException }, ex?.ToString());
    }

    [Fact] public Task Nullable_property_equal_null() => Check(r => r.NullableInt == null, r => r["NullableInt"] == null);
    [Fact] public Task Nullable_property_not_equal_null() => Check(r => r.NullableInt != null, r => r["NullableInt"] != null);
    [Fact] public Task Nullable_property_greater_than() => Check(r => r.NullableInt > 1, r => (int?)r["NullableInt"] > 1);
    [Fact] public Task Nullable_property_not_equal_value_includes_nulls() => Check(r => r.NullableInt != 1, r => (int?)r["NullableInt"] != 1);
    [Fact] public Task NotEqual_with_int() => Check(r => r.Int != 8, r => (int)r["Int"]! != 8);
    [Fact] public Task NotEqual_with_string_includes_nulls() => Check(r => r.String != "foo", r => r["String"] != "foo");
    [Fact] public Task NotEqual_with_null_reference() => Check(r => r.String != null, r => r["String"] != null);

    [Fact]
    public Task NotEqual_with_null_captured()
    {
        string? s = null;
        return Check(r => r.String != s, r => r["String"] != s);
    }

    [Fact] public Task Bool() => Check(r => r.Bool, r => (bool)r["Bool"]!);
    [Fact] public Task Bool_equal_false() => Check(r => r.Bool == false, r => (bool)r["Bool"]! == false);
    [Fact] public Task Bool_And_Bool() => Check(r => r.Bool && r.Bool, r => (bool)r["Bool"]! && (bool)r["Bool"]!);
    [Fact] public Task Bool_Or_Not_Bool() => Check(r => r.Bool || !r.Bool, r => (bool)r["Bool"]! || !(bool)r["Bool"]!, expectAll: true);
    [Fact] public Task GreaterThan() => Check(r => r.Int > 9, r => (int)r["Int"]! > 9);
    [Fact] public Task GreaterThanOrEqual() => Check(r => r.Int >= 9, r => (int)r["Int"]! >= 9);
    [Fact] public Task LessThan() => Check(r => r.Int < 10, r => (int)r["Int"]! < 10);
    [Fact] public Task LessThanOrEqual() => Check(r => r.Int <= 10, r => (int)r["Int"]! <= 10);
    [Fact] public Task LessThan_reversed() => Check(r => 9 < r.Int, r => 9 < (int)r["Int"]!);
    [Fact] public Task Int_against_a_fraction() => Check(r => r.Int > 8.5, r => (int)r["Int"]! > 8.5);
    [Fact] public Task Double_comparison() => Check(r => r.Double >= 1.5 && r.Double < 1e10, r => (double)r["Double"]! >= 1.5 && (double)r["Double"]! < 1e10);
    [Fact] public Task Date_comparison_by_instant() => Check(r => r.Date > Day, r => (DateTimeOffset)r["Date"]! > Day);
    [Fact] public Task Date_equality_across_offsets() => Check(r => r.Date == Day.ToOffset(TimeSpan.FromHours(-5)), r => (DateTimeOffset)r["Date"]! == Day.ToOffset(TimeSpan.FromHours(-5)));
    [Fact] public Task And() => Check(r => r.Int == 9 && r.String == "foo", r => (int)r["Int"]! == 9 && r["String"] == "foo");
    [Fact] public Task Or() => Check(r => r.Int == 8 || r.String == "bar", r => (int)r["Int"]! == 8 || r["String"] == "bar");
    [Fact] public Task And_within_And() => Check(r => (r.Int == 9 && r.String == "foo") && r.Int2 == 9, r => ((int)r["Int"]! == 9 && r["String"] == "foo") && (int)r["Int2"]! == 9);
    [Fact] public Task And_within_Or() => Check(r => (r.Int == 8 && r.String == "foo") || r.Int2 == 100, r => ((int)r["Int"]! == 8 && r["String"] == "foo") || (int)r["Int2"]! == 100);
    [Fact] public Task Or_within_And() => Check(r => (r.Int == 8 || r.Int == 9) && r.String == "foo", r => ((int)r["Int"]! == 8 || (int)r["Int"]! == 9) && r["String"] == "foo");
    [Fact] public Task Not_over_Equal() => Check(r => !(r.Int == 8), r => !((int)r["Int"]! == 8));
    [Fact] public Task Not_over_NotEqual() => Check(r => !(r.Int != 8), r => !((int)r["Int"]! != 8));
    [Fact] public Task Not_over_And() => Check(r => !(r.Int == 9 && r.String == "foo"), r => !((int)r["Int"]! == 9 && r["String"] == "foo"));
    [Fact] public Task Not_over_Or() => Check(r => !(r.Int == 8 || r.String == "foo"), r => !((int)r["Int"]! == 8 || r["String"] == "foo"));
    [Fact] public Task Not_over_bool() => Check(r => !r.Bool, r => !(bool)r["Bool"]!);
    [Fact] public Task Not_over_bool_And_comparison() => Check(r => !r.Bool && r.Int != int.MaxValue, r => !(bool)r["Bool"]! && (int)r["Int"]! != int.MaxValue);
    [Fact] public Task Deeply_nested() => Check(r => !((r.Int > 8 || r.Bool) && !(r.String == "foo" || r.NullableInt == null)) && r.Key != 6, null);
    [Fact] public Task Contains_over_string_array_property() => Check(r => r.StringArray.Contains("x"), r => ((string[])r["StringArray"]!).Contains("x"));
    [Fact] public Task Contains_over_string_list_property() => Check(r => r.StringList.Contains("x"), r => ((List<string>)r["StringList"]!).Contains("x"));
    [Fact] public Task Contains_with_Enumerable_Contains() => Check(r => Enumerable.Contains(r.StringArray, "x"), null);
    [Fact] public Task Contains_with_MemoryExtensions_Contains() => Check(r => MemoryExtensions.Contains(r.StringArray, "x"), null);
    [Fact] public Task Contains_with_MemoryExtensions_Contains_and_null_comparer() => Check(r => MemoryExtensions.Contains(r.StringArray, "x", null), null);
    [Fact] public Task Contains_over_inline_int_array() => Check(r => new[] { 8, 10 }.Contains(r.Int), r => new[] { 8, 10 }.Contains((int)r["Int"]!));
    [Fact] public Task Contains_over_inline_string_array() => Check(r => new[] { "foo", "baz", "unknown" }.Contains(r.String), r => new[] { "foo", "baz", "unknown" }.Contains(r["String"]));
    [Fact] public Task Contains_over_inline_array_with_weird_characters() => Check(r => new[] { "some text with spaces, ' \" and ü", "un  , ' \"" }.Contains(r.String), r => new[] { "some text with spaces, ' \" and ü", "un  , ' \"" }.Contains(r["String"]));

    [Fact]
    public Task Contains_over_captured_string_array()
    {
        var array = new[] { "foo", "baz", "unknown" };
        return Check(r => array.Contains(r.String), r => array.Contains(r["String"]));
    }

    [Fact]
    public Task Contains_over_captured_list_with_null()
    {
        var list = new List<string?> { "bar", null };
        return Check(r => list.Contains(r.String), null);
    }

    [Fact]
    public Task Contains_over_captured_int_array_with_MemoryExtensions()
    {
        var ints = new[] { 9, -3 };
        return Check(r => MemoryExtensions.Contains(ints, r.Int), null);
    }

    [Fact]
    public Task Captured_local_variable()
    {
        var i = 8;
        return Check(r => r.Int == i, r => (int)r["Int"]! == i);
    }

    [Fact] public Task Member_field() => Check(r => r.Int == _memberField, r => (int)r["Int"]! == _memberField);
    [Fact] public Task Member_readonly_field() => Check(r => r.Int == _memberReadOnlyField, r => (int)r["Int"]! == _memberReadOnlyField);
    [Fact] public Task Member_static_field() => Check(r => r.Int == s_staticField, r => (int)r["Int"]! == s_staticField);
    [Fact] public Task Member_static_readonly_field() => Check(r => r.Int == s_staticReadOnlyField, r => (int)r["Int"]! == s_staticReadOnlyField);
    [Fact] public Task Member_nested_access() => Check(r => r.Int == _wrapper.Value, r => (int)r["Int"]! == _wrapper.Value);
    [Fact] public Task Key_equality() => Check(r => r.Key == 3, r => (int)r["Key"]! == 3);
    [Fact] public Task Equals_method() => Check(r => "bar".Equals(r.String) || r.Int.Equals(10), null);
    [Fact] public Task True() => Check(r => true, r => true, expectAll: true);
    [Fact] public Task False() => Check(r => false, r => false, expectEmpty: true);

    [Fact]
    public async Task Unknown_dynamic_property_names_throw_InvalidOperationException()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _dynamic.SearchAsync(Query, top: 5, new() { Filter = r => r["String = 'x'; DROP TABLE t; --"] == "" }).ToListAsync().AsTask());
    }

    [Fact]
    public async Task Unsupported_expressions_throw_NotSupportedException_naming_them()
    {
        var ex = await Assert.ThrowsAsync<NotSupportedException>(() =>
            _collection.SearchAsync(Query, top: 5, new() { Filter = r => r.String!.StartsWith("f") }).ToListAsync().AsTask());
        Assert.Contains("StartsWith", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<NotSupportedException>(() =>
            _collection.SearchAsync(Query, top: 5, new() { Filter = r => r.Int == r.Int2 }).ToListAsync().AsTask());
    }
}
