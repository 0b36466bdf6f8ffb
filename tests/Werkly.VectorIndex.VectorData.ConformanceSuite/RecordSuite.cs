using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.VectorData.ConformanceSuite.Support;

namespace Werkly.VectorIndex.VectorData.ConformanceSuite;

/// <summary>A plain record: key, text, number, vector.</summary>
public sealed class BasicRecord<TKey>
{
    [VectorStoreKey] public TKey Key { get; set; } = default!;
    [VectorStoreData(StorageName = "text")] public string? Text { get; set; }
    [VectorStoreData(IsIndexed = true, StorageName = "number")] public int Number { get; set; }
    [VectorStoreVector(3, DistanceFunction = DistanceFunction.CosineSimilarity)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>
/// The basic model (the conformance tests' BasicModelTests and CollectionConformanceTests): get by key, keys and
/// filter (with order, skip and vectors), upsert one and many, insert and update in one batch, delete, search with
/// skip, filter and vectors, argument checks.
/// </summary>
public abstract class RecordSuite(VectorStoreFixture fixture) : IAsyncLifetime
{
    private VectorStoreCollection<string, BasicRecord<string>> _collection = null!;

    public static List<BasicRecord<string>> TestData() =>
    [
        new() { Key = "k1", Text = "UsedByGetTests", Number = 1, Vector = new([10, 0, 0]) },
        new() { Key = "k2", Text = "UsedByGetTests", Number = 2, Vector = new([10, 0, 1]) },
        new() { Key = "k3", Text = "UsedByUpdateTests", Number = 3, Vector = new([10, 0, 2]) },
        new() { Key = "k4", Text = "UsedByDeleteTests", Number = 4, Vector = new([10, 0, 3]) },
        new() { Key = "k5", Text = null, Number = 5, Vector = new([10, 0, 4]) },
    ];

    public async Task InitializeAsync()
    {
        _collection = await fixture.CreateCollectionAsync<string, BasicRecord<string>>("records");
        await _collection.UpsertAsync(TestData());
    }

    public Task DisposeAsync() => _collection.EnsureCollectionDeletedAsync();

    private static void AssertEqual(BasicRecord<string> expected, BasicRecord<string>? actual, bool includeVectors)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Text, actual.Text);
        Assert.Equal(expected.Number, actual.Number);
        if (includeVectors) Assert.Equal(expected.Vector.ToArray(), actual.Vector.ToArray());
        else Assert.True(actual.Vector.IsEmpty);
    }

    [Theory, InlineData(true), InlineData(false)]
    public async Task Get_single_record(bool includeVectors)
    {
        var expected = TestData()[0];
        AssertEqual(expected, await _collection.GetAsync(expected.Key, new() { IncludeVectors = includeVectors }), includeVectors);
    }

    [Theory, InlineData(true), InlineData(false)]
    public async Task Get_multiple_records(bool includeVectors)
    {
        var expected = TestData().Take(2).ToList();
        var received = await _collection.GetAsync(expected.Select(r => r.Key), new() { IncludeVectors = includeVectors }).ToListAsync();
        Assert.Equal(2, received.Count);
        foreach (var record in expected) AssertEqual(record, received.Single(r => r.Key == record.Key), includeVectors);
    }

    [Fact]
    public async Task Get_returns_null_for_a_missing_key_and_skips_missing_keys()
    {
        Assert.Null(await _collection.GetAsync("missing"));
        var received = await _collection.GetAsync(["k1", "missing", "k2"]).ToListAsync();
        Assert.Equal(["k1", "k2"], received.Select(r => r.Key).Order());
        Assert.Empty(await _collection.GetAsync([]).ToListAsync());
    }

    [Fact]
    public async Task Null_arguments_throw_ArgumentNullException_naming_them()
    {
        Assert.Equal("key", (await Assert.ThrowsAsync<ArgumentNullException>(() => _collection.GetAsync((string)null!))).ParamName);
        Assert.Equal("keys", (await Assert.ThrowsAsync<ArgumentNullException>(() => _collection.GetAsync(keys: null!).ToListAsync().AsTask())).ParamName);
        Assert.Equal("records", (await Assert.ThrowsAsync<ArgumentNullException>(() => _collection.UpsertAsync(records: null!))).ParamName);
        Assert.Equal("keys", (await Assert.ThrowsAsync<ArgumentNullException>(() => _collection.DeleteAsync(keys: null!))).ParamName);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _collection.SearchAsync(new ReadOnlyMemory<float>([1, 0, 0]), top: 0).ToListAsync().AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _collection.GetAsync(r => true, top: 0).ToListAsync().AsTask());
    }

    [Theory, InlineData(true), InlineData(false)]
    public async Task Get_with_filter(bool includeVectors)
    {
        var result = Assert.Single(await _collection.GetAsync(r => r.Number == 1, top: 2, new() { IncludeVectors = includeVectors }).ToListAsync());
        AssertEqual(TestData()[0], result, includeVectors);
    }

    [Fact]
    public async Task Get_with_filter_true_returns_every_record()
    {
        Assert.Equal(TestData().Count, await _collection.GetAsync(r => true, top: 100).CountAsync());
        Assert.Equal(2, await _collection.GetAsync(r => true, top: 2).CountAsync());
    }

    [Fact]
    public async Task Get_with_filter_and_order_by()
    {
        var ascending = await _collection.GetAsync(r => r.Number > 1, top: 2, new() { OrderBy = o => o.Ascending(r => r.Number) }).Select(r => r.Number).ToListAsync();
        Assert.Equal([2, 3], ascending);
        var descending = await _collection.GetAsync(r => r.Number > 1, top: 2, new() { OrderBy = o => o.Descending(r => r.Number) }).Select(r => r.Number).ToListAsync();
        Assert.Equal([5, 4], descending);
        var skipped = await _collection.GetAsync(r => r.Number > 1, top: 2, new() { OrderBy = o => o.Ascending(r => r.Number), Skip = 1 }).Select(r => r.Number).ToListAsync();
        Assert.Equal([3, 4], skipped);
    }

    [Fact]
    public async Task Get_with_multiple_order_bys_and_nulls_first()
    {
        var expected = TestData().OrderByDescending(r => r.Text, StringComparer.Ordinal).ThenBy(r => r.Number).Select(r => r.Number).Take(3).ToList();
        var results = await _collection.GetAsync(r => true, top: 3, new() { OrderBy = o => o.Descending(r => r.Text!).Ascending(r => r.Number) })
            .Select(r => r.Number).ToListAsync();
        Assert.Equal(expected, results);
        var nullsFirst = await _collection.GetAsync(r => true, top: 1, new() { OrderBy = o => o.Ascending(r => r.Text!) }).SingleAsync();
        Assert.Null(nullsFirst.Text);
    }

    [Fact]
    public async Task Insert_and_update_single_records()
    {
        var inserted = new BasicRecord<string> { Key = "new", Text = "New record", Number = 123, Vector = new([10, 0, 0]) };
        await _collection.UpsertAsync(inserted);
        AssertEqual(inserted, await _collection.GetAsync("new", new() { IncludeVectors = true }), includeVectors: true);

        var updated = new BasicRecord<string> { Key = "k3", Text = "Updated record", Number = 456, Vector = new([3, 1, 0]) };
        await _collection.UpsertAsync(updated);
        AssertEqual(updated, await _collection.GetAsync("k3", new() { IncludeVectors = true }), includeVectors: true);
        Assert.Equal(TestData().Count + 1, await _collection.GetAsync(r => true, top: 100).CountAsync());
    }

    [Fact]
    public async Task Insert_and_update_in_one_batch()
    {
        BasicRecord<string>[] records =
        [
            new() { Key = "batch-new", Number = 101, Text = "New", Vector = new([10, 0, 1]) },
            new() { Key = "k1", Number = 102, Text = "Updated", Vector = new([10, 0, 2]) },
        ];
        await _collection.UpsertAsync(records);
        var received = await _collection.GetAsync(records.Select(r => r.Key), new() { IncludeVectors = true }).ToListAsync();
        Assert.Collection(received.OrderBy(r => r.Number),
            r => AssertEqual(records[0], r, true),
            r => AssertEqual(records[1], r, true));
    }

    [Fact]
    public async Task A_key_repeated_in_a_batch_keeps_its_last_record()
    {
        await _collection.UpsertAsync([
            new BasicRecord<string> { Key = "dup", Number = 1, Vector = new([1, 0, 0]) },
            new BasicRecord<string> { Key = "dup", Number = 2, Vector = new([0, 1, 0]) },
        ]);
        Assert.Equal(2, (await _collection.GetAsync("dup"))!.Number);
    }

    [Fact]
    public async Task Empty_batches_change_nothing()
    {
        await _collection.UpsertAsync([]);
        await _collection.DeleteAsync([]);
        Assert.Equal(TestData().Count, await _collection.GetAsync(r => true, top: 100).CountAsync());
    }

    [Fact]
    public async Task Delete_single_multiple_and_missing()
    {
        await _collection.DeleteAsync("k4");
        Assert.Null(await _collection.GetAsync("k4"));
        await _collection.DeleteAsync(["k1", "k2"]);
        Assert.Empty(await _collection.GetAsync(["k1", "k2"]).ToListAsync());
        await _collection.DeleteAsync("missing");
        Assert.Equal(2, await _collection.GetAsync(r => true, top: 100).CountAsync());
    }

    [Theory, InlineData(true), InlineData(false)]
    public async Task Search(bool includeVectors)
    {
        var expected = TestData()[0];
        var result = await _collection.SearchAsync(expected.Vector, top: 1, new() { IncludeVectors = includeVectors }).SingleAsync();
        AssertEqual(expected, result.Record, includeVectors);
        Assert.Equal(1.0, result.Score!.Value, 5);
    }

    [Fact]
    public async Task Search_with_skip_and_filter()
    {
        var second = await _collection.SearchAsync(TestData()[0].Vector, top: 1, new() { Skip = 1 }).SingleAsync();
        AssertEqual(TestData()[1], second.Record, false);
        var filtered = await _collection.SearchAsync(TestData()[0].Vector, top: 1, new() { Filter = r => r.Number == 2 }).SingleAsync();
        AssertEqual(TestData()[1], filtered.Record, false);
    }

    [Fact]
    public async Task Search_returns_results_best_first_and_at_most_the_records_there_are()
    {
        var results = await _collection.SearchAsync(new ReadOnlyMemory<float>([10, 0, 4]), top: 1000).ToListAsync();
        Assert.Equal(TestData().Count, results.Count);
        Assert.Equal("k5", results[0].Record.Key);
        Assert.True(results.Zip(results.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Fact]
    public async Task Search_with_a_score_threshold_keeps_the_close_records()
    {
        var results = await _collection.SearchAsync(new ReadOnlyMemory<float>([10, 0, 0]), top: 10, new() { ScoreThreshold = 0.99 }).ToListAsync();
        Assert.Equal(["k1", "k2"], results.Select(r => r.Record.Key));
    }

    [Fact]
    public async Task Vectors_of_the_wrong_size_are_rejected()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _collection.UpsertAsync(new BasicRecord<string> { Key = "bad", Vector = new([1, 0]) }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _collection.SearchAsync(new ReadOnlyMemory<float>([1, 0]), top: 1).ToListAsync().AsTask());
    }

    [Fact]
    public async Task Search_by_an_unsupported_input_without_a_generator_is_NotSupportedException()
    {
        await Assert.ThrowsAsync<NotSupportedException>(() => _collection.SearchAsync("text", top: 1).ToListAsync().AsTask());
    }

    [Fact]
    public void Collection_metadata_names_the_system_and_collection()
    {
        var metadata = (VectorStoreCollectionMetadata?)_collection.GetService(typeof(VectorStoreCollectionMetadata));
        Assert.NotNull(metadata);
        Assert.Equal(fixture.SystemName, metadata.VectorStoreSystemName);
        Assert.Equal(_collection.Name, metadata.CollectionName);
        var store = (VectorStoreMetadata?)fixture.Store.GetService(typeof(VectorStoreMetadata));
        Assert.Equal(fixture.SystemName, store!.VectorStoreSystemName);
    }
}

/// <summary>The same ground through dynamic records (<c>Dictionary&lt;string, object?&gt;</c>) (the conformance tests' DynamicModelTests).</summary>
public abstract class DynamicModelSuite(VectorStoreFixture fixture) : IAsyncLifetime
{
    private VectorStoreCollection<object, Dictionary<string, object?>> _collection = null!;

    public static VectorStoreCollectionDefinition Definition() => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty("Key", typeof(string)) { StorageName = "key" },
            new VectorStoreDataProperty("Text", typeof(string)) { StorageName = "text" },
            new VectorStoreDataProperty("Number", typeof(int)) { IsIndexed = true, StorageName = "number" },
            new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 3),
        ],
    };

    private static Dictionary<string, object?> Record(string key, string? text, int number, float[] vector) =>
        new() { ["Key"] = key, ["Text"] = text, ["Number"] = number, ["Vector"] = new ReadOnlyMemory<float>(vector) };

    public async Task InitializeAsync()
    {
        _collection = fixture.GetDynamicCollection(fixture.NewName("dynamic"), Definition(), new CollectionSettings());
        await _collection.EnsureCollectionDeletedAsync();
        await _collection.EnsureCollectionExistsAsync();
        await _collection.UpsertAsync([Record("d1", "one", 1, [10, 0, 0]), Record("d2", null, 2, [10, 0, 1]), Record("d3", "three", 3, [0, 1, 0])]);
    }

    public Task DisposeAsync() => _collection.EnsureCollectionDeletedAsync();

    [Fact]
    public async Task Get_returns_every_property_and_the_vector_when_asked()
    {
        var record = await _collection.GetAsync("d1", new() { IncludeVectors = true });
        Assert.NotNull(record);
        Assert.Equal("d1", record["Key"]);
        Assert.Equal("one", record["Text"]);
        Assert.Equal(1, record["Number"]);
        Assert.Equal([10f, 0, 0], ((ReadOnlyMemory<float>)record["Vector"]!).ToArray());
        var withoutVector = await _collection.GetAsync("d2");
        Assert.Null(withoutVector!["Text"]);
        Assert.False(withoutVector.ContainsKey("Vector") && withoutVector["Vector"] is ReadOnlyMemory<float> { IsEmpty: false });
    }

    [Fact]
    public async Task Search_filter_update_and_delete()
    {
        var hit = await _collection.SearchAsync(new ReadOnlyMemory<float>([0, 1, 0]), top: 1).SingleAsync();
        Assert.Equal("d3", hit.Record["Key"]);
        var filtered = await _collection.SearchAsync(new ReadOnlyMemory<float>([0, 1, 0]), top: 5, new() { Filter = r => (int)r["Number"]! < 3 }).ToListAsync();
        Assert.Equal(["d1", "d2"], filtered.Select(r => (string)r.Record["Key"]!).Order());
        await _collection.UpsertAsync(Record("d3", "updated", 30, [0, 1, 0]));
        Assert.Equal(30, (await _collection.GetAsync("d3"))!["Number"]);
        await _collection.DeleteAsync("d3");
        Assert.Null(await _collection.GetAsync("d3"));
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_rejected_naming_the_property()
    {
        var bad = Record("bad", "x", 1, [1, 0, 0]);
        bad["Number"] = "not a number";
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => _collection.UpsertAsync(bad));
        Assert.Contains("Number", ex.Message, StringComparison.Ordinal);
    }
}
