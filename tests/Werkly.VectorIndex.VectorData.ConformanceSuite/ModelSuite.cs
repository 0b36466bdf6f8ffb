using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.VectorData.ConformanceSuite.Support;

namespace Werkly.VectorIndex.VectorData.ConformanceSuite;

/// <summary>A record keyed by <typeparamref name="TKey"/>.</summary>
public sealed class KeyedRecord<TKey>
{
    [VectorStoreKey] public TKey Key { get; set; } = default!;
    [VectorStoreData] public int Number { get; set; }
    [VectorStoreVector(2)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>A record without data properties.</summary>
public sealed class NoDataRecord
{
    [VectorStoreKey] public string Key { get; set; } = "";
    [VectorStoreVector(2)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>A record without a vector.</summary>
public sealed class NoVectorRecord
{
    [VectorStoreKey] public int Key { get; set; }
    [VectorStoreData(IsIndexed = true)] public string Name { get; set; } = "";
    [VectorStoreData] public int Rank { get; set; }
}

/// <summary>Records with a float[] and an Embedding&lt;float&gt; vector.</summary>
public sealed class ArrayVectorRecord
{
    [VectorStoreKey] public long Key { get; set; }
    [VectorStoreVector(2, DistanceFunction = DistanceFunction.DotProductSimilarity)] public float[]? Vector { get; set; }
}

/// <summary>A record whose vector is an Embedding&lt;float&gt;.</summary>
public sealed class EmbeddingVectorRecord
{
    [VectorStoreKey] public Guid Key { get; set; }
    [VectorStoreVector(2, DistanceFunction = DistanceFunction.EuclideanDistance)] public Microsoft.Extensions.AI.Embedding<float>? Vector { get; set; }
}

/// <summary>A record with two vectors (not supported by an engine with one vector per record).</summary>
public sealed class TwoVectorRecord
{
    [VectorStoreKey] public int Key { get; set; }
    [VectorStoreVector(2)] public ReadOnlyMemory<float> First { get; set; }
    [VectorStoreVector(2)] public ReadOnlyMemory<float> Second { get; set; }
}

/// <summary>Key types (the conformance tests' KeyTypeTests), vector types (EmbeddingTypeTests), records without data and
/// without vectors (NoDataModelTests, NoVectorConformanceTests), Guid key generation, and model validation.</summary>
public abstract class ModelSuite(VectorStoreFixture fixture)
{
    private async Task KeyRoundTrip<TKey>(TKey first, TKey second) where TKey : notnull
    {
        var collection = await fixture.CreateCollectionAsync<TKey, KeyedRecord<TKey>>("keys");
        try
        {
            await collection.UpsertAsync([
                new KeyedRecord<TKey> { Key = first, Number = 1, Vector = new([1, 0]) },
                new KeyedRecord<TKey> { Key = second, Number = 2, Vector = new([0, 1]) },
            ]);
            Assert.Equal(first, (await collection.GetAsync(first))!.Key);
            Assert.Equal(2, (await collection.GetAsync(second))!.Number);
            Assert.Equal(second, (await collection.SearchAsync(new ReadOnlyMemory<float>([0, 1]), top: 1).SingleAsync()).Record.Key);
            Assert.Equal(first, (await collection.GetAsync(r => r.Key.Equals(first), top: 5).SingleAsync()).Key);
            await collection.DeleteAsync(first);
            Assert.Null(await collection.GetAsync(first));
        }
        finally
        {
            await collection.EnsureCollectionDeletedAsync();
        }
    }

    [Fact] public Task String_keys() => KeyRoundTrip("ü key/with:punctuation ✓", "a");
    [Fact] public Task Guid_keys() => KeyRoundTrip(new Guid("603840bf-cf91-4521-8b8e-8b6a2e75910a"), new Guid("e9a97807-8cf0-4741-8ce3-82df676ca0f0"));
    [Fact] public Task Int_keys() => KeyRoundTrip(int.MinValue, 0);
    [Fact] public Task Long_keys() => KeyRoundTrip(long.MaxValue, -1L);

    [Fact]
    public async Task Empty_guid_keys_are_generated_and_written_back()
    {
        var collection = await fixture.CreateCollectionAsync<Guid, KeyedRecord<Guid>>("autokeys");
        try
        {
            var record = new KeyedRecord<Guid> { Number = 7, Vector = new([1, 0]) };
            await collection.UpsertAsync(record);
            Assert.NotEqual(Guid.Empty, record.Key);
            Assert.Equal(7, (await collection.GetAsync(record.Key))!.Number);
        }
        finally
        {
            await collection.EnsureCollectionDeletedAsync();
        }
    }

    [Fact]
    public async Task Unsupported_key_types_are_rejected_at_collection_creation()
    {
        Assert.Throws<NotSupportedException>(() => fixture.GetCollection<double, KeyedRecord<double>>(fixture.NewName("badkey"), null, new CollectionSettings()));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Records_without_data_properties()
    {
        var collection = await fixture.CreateCollectionAsync<string, NoDataRecord>("nodata");
        try
        {
            await collection.UpsertAsync([new NoDataRecord { Key = "a", Vector = new([1, 0]) }, new NoDataRecord { Key = "b", Vector = new([0, 1]) }]);
            Assert.Equal(new float[] { 1, 0 }, (await collection.GetAsync("a", new() { IncludeVectors = true }))!.Vector.ToArray());
            Assert.Equal("b", (await collection.SearchAsync(new ReadOnlyMemory<float>([0, 1]), top: 1).SingleAsync()).Record.Key);
            Assert.Equal(2, await collection.GetAsync(r => true, top: 10).CountAsync());
        }
        finally
        {
            await collection.EnsureCollectionDeletedAsync();
        }
    }

    [Fact]
    public async Task Records_without_vectors_are_stored_read_and_filtered_but_not_searched()
    {
        var collection = await fixture.CreateCollectionAsync<int, NoVectorRecord>("novector");
        try
        {
            await collection.UpsertAsync([new NoVectorRecord { Key = 1, Name = "one", Rank = 10 }, new NoVectorRecord { Key = 2, Name = "two", Rank = 20 }]);
            Assert.Equal("two", (await collection.GetAsync(2))!.Name);
            Assert.Equal(1, (await collection.GetAsync(r => r.Rank < 15, top: 5).SingleAsync()).Key);
            await Assert.ThrowsAsync<InvalidOperationException>(() => collection.SearchAsync(new ReadOnlyMemory<float>([1, 0]), top: 1).ToListAsync().AsTask());
            await collection.DeleteAsync(1);
            Assert.Null(await collection.GetAsync(1));
        }
        finally
        {
            await collection.EnsureCollectionDeletedAsync();
        }
    }

    [Fact]
    public async Task Float_array_and_embedding_vectors_round_trip()
    {
        var arrays = await fixture.CreateCollectionAsync<long, ArrayVectorRecord>("arrays");
        var embeddings = await fixture.CreateCollectionAsync<Guid, EmbeddingVectorRecord>("embeddings");
        try
        {
            await arrays.UpsertAsync(new ArrayVectorRecord { Key = 5, Vector = [3.5f, -0.25f] });
            Assert.Equal(new[] { 3.5f, -0.25f }, (await arrays.GetAsync(5, new() { IncludeVectors = true }))!.Vector!);
            var hit = await arrays.SearchAsync(new[] { 1f, 0f }, top: 1).SingleAsync();
            Assert.Equal(3.5, hit.Score!.Value, 5);

            var key = Guid.NewGuid();
            await embeddings.UpsertAsync(new EmbeddingVectorRecord { Key = key, Vector = new(new float[] { 3, 4 }) });
            Assert.Equal(new float[] { 3, 4 }, (await embeddings.GetAsync(key, new() { IncludeVectors = true }))!.Vector!.Vector.ToArray());
            var euclidean = await embeddings.SearchAsync(new Microsoft.Extensions.AI.Embedding<float>(new float[] { 0, 0 }), top: 1).SingleAsync();
            Assert.Equal(5.0, euclidean.Score!.Value, 4);
        }
        finally
        {
            await arrays.EnsureCollectionDeletedAsync();
            await embeddings.EnsureCollectionDeletedAsync();
        }
    }

    [Fact]
    public void Models_the_backend_cannot_hold_are_rejected_with_NotSupportedException()
    {
        var ex = Assert.Throws<NotSupportedException>(() => fixture.GetCollection<int, TwoVectorRecord>(fixture.NewName("two"), null, new CollectionSettings()));
        Assert.Contains("vector", ex.Message, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>Collections: create, exists, delete, list, twice, metadata (the conformance tests' CollectionManagementTests).</summary>
public abstract class CollectionManagementSuite(VectorStoreFixture fixture)
{
    private VectorStoreCollection<string, BasicRecord<string>> Collection(string name) =>
        fixture.GetCollection<string, BasicRecord<string>>(name, null, new CollectionSettings());

    [Fact]
    public async Task Ensure_exists_and_delete()
    {
        var collection = Collection(fixture.NewName("manage"));
        Assert.False(await collection.CollectionExistsAsync());
        await collection.EnsureCollectionExistsAsync();
        await collection.EnsureCollectionExistsAsync();
        Assert.True(await collection.CollectionExistsAsync());
        Assert.True(await fixture.Store.CollectionExistsAsync(collection.Name));
        Assert.Contains(collection.Name, await fixture.Store.ListCollectionNamesAsync().ToListAsync());
        await collection.EnsureCollectionDeletedAsync();
        Assert.False(await collection.CollectionExistsAsync());
        Assert.DoesNotContain(collection.Name, await fixture.Store.ListCollectionNamesAsync().ToListAsync());
        await fixture.Store.EnsureCollectionDeletedAsync(collection.Name);
    }

    [Fact]
    public async Task The_store_deletes_a_collection_and_its_records()
    {
        var name = fixture.NewName("manage");
        var collection = Collection(name);
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(new BasicRecord<string> { Key = "a", Vector = new([1, 0, 0]) });
        await fixture.Store.EnsureCollectionDeletedAsync(name);
        Assert.False(await collection.CollectionExistsAsync());
        await collection.EnsureCollectionExistsAsync();
        Assert.Null(await collection.GetAsync("a"));
    }

    [Fact]
    public async Task Operations_on_a_missing_collection_fail_with_VectorStoreException()
    {
        var collection = Collection(fixture.NewName("missing"));
        var ex = await Assert.ThrowsAsync<VectorStoreException>(() => collection.UpsertAsync(new BasicRecord<string> { Key = "a", Vector = new([1, 0, 0]) }));
        Assert.Equal(collection.Name, ex.CollectionName);
        Assert.Equal(fixture.SystemName, ex.VectorStoreSystemName);
        Assert.NotNull(ex.OperationName);
        await Assert.ThrowsAsync<VectorStoreException>(() => collection.GetAsync("a"));
    }

    [Fact]
    public async Task A_second_collection_object_with_another_schema_is_refused()
    {
        var name = fixture.NewName("schema");
        var collection = Collection(name);
        await collection.EnsureCollectionExistsAsync();
        var other = fixture.GetCollection<string, KeyedRecord<string>>(name, null, new CollectionSettings());
        await Assert.ThrowsAsync<InvalidOperationException>(() => other.EnsureCollectionExistsAsync());
        await collection.EnsureCollectionDeletedAsync();
    }
}
