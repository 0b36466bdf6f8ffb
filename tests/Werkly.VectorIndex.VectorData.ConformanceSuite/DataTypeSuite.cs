using System.Linq.Expressions;
using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.VectorData.ConformanceSuite.Support;

namespace Werkly.VectorIndex.VectorData.ConformanceSuite;

/// <summary>A record with one property of every supported data type.</summary>
public sealed class TypesRecord
{
    [VectorStoreKey] public string Key { get; set; } = "";
    [VectorStoreData] public string? String { get; set; }
    [VectorStoreData] public byte Byte { get; set; }
    [VectorStoreData] public short Short { get; set; }
    [VectorStoreData] public int Int { get; set; }
    [VectorStoreData] public long Long { get; set; }
    [VectorStoreData] public float Float { get; set; }
    [VectorStoreData] public double Double { get; set; }
    [VectorStoreData] public decimal Decimal { get; set; }
    [VectorStoreData] public bool Bool { get; set; }
    [VectorStoreData] public Guid Guid { get; set; }
    [VectorStoreData] public DateTime DateTime { get; set; }
    [VectorStoreData] public DateTimeOffset DateTimeOffset { get; set; }
    [VectorStoreData] public DateOnly DateOnly { get; set; }
    [VectorStoreData] public TimeOnly TimeOnly { get; set; }
    [VectorStoreData] public int? NullableInt { get; set; }
    [VectorStoreData] public long? NullableLong { get; set; }
    [VectorStoreData] public double? NullableDouble { get; set; }
    [VectorStoreData] public decimal? NullableDecimal { get; set; }
    [VectorStoreData] public bool? NullableBool { get; set; }
    [VectorStoreData] public Guid? NullableGuid { get; set; }
    [VectorStoreData] public DateTime? NullableDateTime { get; set; }
    [VectorStoreData] public DateTimeOffset? NullableDateTimeOffset { get; set; }
    [VectorStoreData] public string[]? StringArray { get; set; }
    [VectorStoreData] public List<string>? StringList { get; set; }
    [VectorStoreData] public int[]? IntArray { get; set; }
    [VectorStoreData] public List<int>? IntList { get; set; }
    [VectorStoreData] public long[]? LongArray { get; set; }
    [VectorStoreData] public float[]? FloatArray { get; set; }
    [VectorStoreData] public double[]? DoubleArray { get; set; }
    [VectorStoreData] public List<double>? DoubleList { get; set; }
    [VectorStoreVector(2)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>
/// Every data type round-trips exactly (the conformance tests' DataTypeTests): written, read back by key through the
/// typed and the dynamic model, and found by an equality filter on its value (nulls by a null filter), extreme values
/// included.
/// </summary>
public abstract class DataTypeSuite(VectorStoreFixture fixture)
{
    private static readonly ReadOnlyMemory<float> Vector = new([1, 0]);

    private async Task Test<T>(string property, T main, T other, bool filterable = true)
    {
        var collection = await fixture.CreateCollectionAsync<string, TypesRecord>("types");
        try
        {
            var info = typeof(TypesRecord).GetProperty(property)!;
            var records = new List<TypesRecord> { new() { Key = "main", Vector = Vector }, new() { Key = "other", Vector = Vector } };
            info.SetValue(records[0], main);
            info.SetValue(records[1], other);
            var nullable = default(T) is null;
            if (nullable) records.Add(new TypesRecord { Key = "null", Vector = Vector });
            await collection.UpsertAsync(records);

            var read = await collection.GetAsync("main");
            AssertExactlyEqual(main, (T)info.GetValue(read)!);
            if (nullable) Assert.Null(info.GetValue(await collection.GetAsync("null")));

            if (filterable)
            {
                var r = Expression.Parameter(typeof(TypesRecord), "r");
                var equal = Expression.Lambda<Func<TypesRecord, bool>>(Expression.Equal(Expression.Property(r, info), Expression.Constant(main, typeof(T))), r);
                var hit = await collection.SearchAsync(Vector, top: 10, new() { Filter = equal }).SingleAsync();
                Assert.Equal("main", hit.Record.Key);
                AssertExactlyEqual(main, (T)info.GetValue(hit.Record)!);
                if (nullable)
                {
                    var isNull = Expression.Lambda<Func<TypesRecord, bool>>(Expression.Equal(Expression.Property(r, info), Expression.Constant(null, typeof(T))), r);
                    Assert.Equal("null", (await collection.GetAsync(isNull, top: 10).SingleAsync()).Key);
                }
            }

            // The dynamic model reads the same stored values.
            var definition = new VectorStoreCollectionDefinition
            {
                Properties =
                [
                    new VectorStoreKeyProperty("Key", typeof(string)),
                    new VectorStoreDataProperty(property, typeof(T)),
                    new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 2),
                ],
            };
            var dynamic = fixture.GetDynamicCollection(collection.Name, definition, new CollectionSettings());
            var dynamicRead = await dynamic.GetAsync("main");
            AssertExactlyEqual(main, (T)dynamicRead![property]!);
            await dynamic.UpsertAsync(new Dictionary<string, object?> { ["Key"] = "dynamic", [property] = other, ["Vector"] = Vector });
            AssertExactlyEqual(other, (T)(await dynamic.GetAsync("dynamic"))![property]!);
            if (filterable)
            {
                var d = Expression.Parameter(typeof(Dictionary<string, object?>), "d");
                var indexer = Expression.Call(d, typeof(Dictionary<string, object?>).GetMethod("get_Item")!, Expression.Constant(property));
                var equal = Expression.Lambda<Func<Dictionary<string, object?>, bool>>(
                    Expression.Equal(Expression.Convert(indexer, typeof(T)), Expression.Constant(main, typeof(T))), d);
                Assert.Equal("main", (await dynamic.SearchAsync(Vector, top: 10, new() { Filter = equal }).SingleAsync()).Record["Key"]);
            }
        }
        finally
        {
            await collection.EnsureCollectionDeletedAsync();
        }
    }

    /// <summary>Equal as values and, where .NET equality is looser, in every bit that makes the value (offset, kind, scale, sign).</summary>
    private static void AssertExactlyEqual<T>(T expected, T actual)
    {
        switch (expected, actual)
        {
            case (DateTimeOffset e, DateTimeOffset a):
                Assert.Equal(e.UtcTicks, a.UtcTicks);
                Assert.Equal(e.Offset, a.Offset);
                break;
            case (DateTime e, DateTime a):
                Assert.Equal(e.Ticks, a.Ticks);
                Assert.Equal(e.Kind, a.Kind);
                break;
            case (decimal e, decimal a):
                Assert.Equal(decimal.GetBits(e), decimal.GetBits(a));
                break;
            case (double e, double a):
                Assert.Equal(BitConverter.DoubleToInt64Bits(e), BitConverter.DoubleToInt64Bits(a));
                break;
            case (float e, float a):
                Assert.Equal(BitConverter.SingleToInt32Bits(e), BitConverter.SingleToInt32Bits(a));
                break;
            default:
                Assert.Equal(expected, actual);
                break;
        }
    }

    [Fact] public Task String() => Test<string?>(nameof(TypesRecord.String), "foo ✓ \U0001F600", "");
    [Fact] public Task Byte() => Test<byte>(nameof(TypesRecord.Byte), 255, 0);
    [Fact] public Task Short() => Test<short>(nameof(TypesRecord.Short), short.MinValue, 9);
    [Fact] public Task Int() => Test<int>(nameof(TypesRecord.Int), int.MinValue, int.MaxValue);
    [Fact] public Task Long() => Test<long>(nameof(TypesRecord.Long), long.MaxValue, 9_007_199_254_740_993);
    [Fact] public Task Float() => Test<float>(nameof(TypesRecord.Float), 8.5f, 0.1f);
    [Fact] public Task Float_extremes() => Test<float>(nameof(TypesRecord.Float), float.MaxValue, -0.0f);
    [Fact] public Task Double() => Test<double>(nameof(TypesRecord.Double), 0.1, double.Epsilon);
    [Fact] public Task Decimal() => Test<decimal>(nameof(TypesRecord.Decimal), 8.50m, decimal.MaxValue);
    [Fact] public Task Decimal_smallest() => Test<decimal>(nameof(TypesRecord.Decimal), 0.0000000000000000000000000001m, decimal.MinValue);
    [Fact] public Task Bool() => Test<bool>(nameof(TypesRecord.Bool), true, false);
    [Fact] public Task Guid() => Test<Guid>(nameof(TypesRecord.Guid), new Guid("603840bf-cf91-4521-8b8e-8b6a2e75910a"), new Guid("e9a97807-8cf0-4741-8ce3-82df676ca0f0"));
    [Fact] public Task DateTime() => Test<DateTime>(nameof(TypesRecord.DateTime), new DateTime(2020, 1, 1, 12, 30, 45).AddTicks(7), new DateTime(2021, 2, 3, 13, 40, 55, DateTimeKind.Utc));
    [Fact] public Task DateTime_extremes() => Test<DateTime>(nameof(TypesRecord.DateTime), System.DateTime.MaxValue, new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Local));
    [Fact] public Task DateTimeOffset() => Test<DateTimeOffset>(nameof(TypesRecord.DateTimeOffset), new DateTimeOffset(2020, 1, 1, 12, 30, 45, TimeSpan.FromHours(2)).AddTicks(3), new DateTimeOffset(2021, 2, 3, 13, 40, 55, TimeSpan.FromHours(-3)));
    [Fact] public Task DateTimeOffset_extremes() => Test<DateTimeOffset>(nameof(TypesRecord.DateTimeOffset), System.DateTimeOffset.MaxValue, System.DateTimeOffset.MinValue);
    [Fact] public Task DateOnly() => Test<DateOnly>(nameof(TypesRecord.DateOnly), new DateOnly(2020, 1, 1), System.DateOnly.MaxValue);
    [Fact] public Task TimeOnly() => Test<TimeOnly>(nameof(TypesRecord.TimeOnly), new TimeOnly(12, 30, 45, 123, 456), System.TimeOnly.MaxValue);
    [Fact] public Task Nullable_int() => Test<int?>(nameof(TypesRecord.NullableInt), 8, 9);
    [Fact] public Task Nullable_long() => Test<long?>(nameof(TypesRecord.NullableLong), long.MinValue, 0);
    [Fact] public Task Nullable_double() => Test<double?>(nameof(TypesRecord.NullableDouble), -2.5, 1e308);
    [Fact] public Task Nullable_decimal() => Test<decimal?>(nameof(TypesRecord.NullableDecimal), 1.000m, 2m);
    [Fact] public Task Nullable_bool() => Test<bool?>(nameof(TypesRecord.NullableBool), false, true);
    [Fact] public Task Nullable_guid() => Test<Guid?>(nameof(TypesRecord.NullableGuid), System.Guid.Empty, new Guid("e9a97807-8cf0-4741-8ce3-82df676ca0f0"));
    [Fact] public Task Nullable_datetime() => Test<DateTime?>(nameof(TypesRecord.NullableDateTime), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2020, 1, 2));
    [Fact] public Task Nullable_datetimeoffset() => Test<DateTimeOffset?>(nameof(TypesRecord.NullableDateTimeOffset), new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.FromMinutes(330)), System.DateTimeOffset.UnixEpoch);
    [Fact] public Task String_array() => Test<string[]?>(nameof(TypesRecord.StringArray), ["foo", "bar", ""], ["foo", "baz"], filterable: false);
    [Fact] public Task String_list() => Test<List<string>?>(nameof(TypesRecord.StringList), ["foo", "bar"], [], filterable: false);
    [Fact] public Task Int_array() => Test<int[]?>(nameof(TypesRecord.IntArray), [int.MinValue, 0, 8], [], filterable: false);
    [Fact] public Task Int_list() => Test<List<int>?>(nameof(TypesRecord.IntList), [1, 2, 3], [4], filterable: false);
    [Fact] public Task Long_array() => Test<long[]?>(nameof(TypesRecord.LongArray), [long.MaxValue, long.MinValue], [1], filterable: false);
    [Fact] public Task Float_array() => Test<float[]?>(nameof(TypesRecord.FloatArray), [0.1f, float.MaxValue, -0.0f], [1f], filterable: false);
    [Fact] public Task Double_array() => Test<double[]?>(nameof(TypesRecord.DoubleArray), [0.1, 1e-300, -0.0], [], filterable: false);
    [Fact] public Task Double_list() => Test<List<double>?>(nameof(TypesRecord.DoubleList), [0.1, 2.5], [3], filterable: false);

    [Fact]
    public async Task Values_that_cannot_be_stored_exactly_are_rejected_at_write()
    {
        var collection = await fixture.CreateCollectionAsync<string, TypesRecord>("types-invalid");
        try
        {
            var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => collection.UpsertAsync(new TypesRecord { Key = "a", String = "bad \ud800 text", Vector = Vector }));
            Assert.Contains("String", ex.Message, StringComparison.Ordinal);
            await Assert.ThrowsAnyAsync<ArgumentException>(() => collection.UpsertAsync(new TypesRecord { Key = "b", Double = double.NaN, Vector = Vector }));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => collection.UpsertAsync(new TypesRecord { Key = "\udc00", Vector = Vector }));
            // Nothing of a rejected batch is written, not even its valid records.
            await Assert.ThrowsAnyAsync<ArgumentException>(() => collection.UpsertAsync([
                new TypesRecord { Key = "valid", Vector = Vector },
                new TypesRecord { Key = "invalid", Float = float.PositiveInfinity, Vector = Vector },
            ]));
            Assert.Null(await collection.GetAsync("valid"));
        }
        finally
        {
            await collection.EnsureCollectionDeletedAsync();
        }
    }
}
