using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.VectorData.ConformanceSuite.Support;

namespace Werkly.VectorIndex.VectorData.ConformanceSuite;

/// <summary>A record for distance-function tests.</summary>
public sealed class DistanceRecord
{
    public int Key { get; set; }
    public int Int { get; set; }
    public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>Each distance function's score meaning and order (the conformance tests' DistanceFunctionTests), index kinds
/// (IndexKindTests), and unsupported choices rejected at collection creation.</summary>
public abstract class DistanceFunctionSuite(VectorStoreFixture fixture)
{
    private static VectorStoreCollectionDefinition Definition(string function, string? indexKind) => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty(nameof(DistanceRecord.Key), typeof(int)),
            new VectorStoreDataProperty(nameof(DistanceRecord.Int), typeof(int)),
            new VectorStoreVectorProperty(nameof(DistanceRecord.Vector), typeof(ReadOnlyMemory<float>), 4) { DistanceFunction = function, IndexKind = indexKind },
        ],
    };

    private async Task Test(string function, double exact, double opposite, double orthogonal, int[] order, string? indexKind = null)
    {
        if (!fixture.SupportedDistanceFunctions.Contains(function)) return;
        var collection = fixture.GetCollection<int, DistanceRecord>(fixture.NewName("distance"), Definition(function, indexKind), new CollectionSettings());
        await collection.EnsureCollectionDeletedAsync();
        await collection.EnsureCollectionExistsAsync();
        try
        {
            ReadOnlyMemory<float> baseVector = new([1, 0, 0, 0]);
            DistanceRecord[] inserted =
            [
                new() { Key = 1, Int = 1, Vector = baseVector },
                new() { Key = 2, Int = 2, Vector = new([-1, 0, 0, 0]) },
                new() { Key = 3, Int = 3, Vector = new([0, -1, -1, 0]) },
            ];
            await collection.UpsertAsync(inserted);
            double[] scores = [exact, opposite, orthogonal];
            var results = await collection.SearchAsync(baseVector, top: 3).ToListAsync();
            Assert.Equal(order.Select(i => inserted[i].Key), results.Select(r => r.Record.Key));
            for (var i = 0; i < results.Count; i++) Assert.Equal(Math.Round(scores[order[i]], 2), Math.Round(results[i].Score!.Value, 2));

            // A threshold keeps the results at least as good as it, in the function's own direction.
            var threshold = results[1].Score!.Value;
            var kept = await collection.SearchAsync(baseVector, top: 3, new() { ScoreThreshold = threshold }).ToListAsync();
            Assert.Equal(order.Take(2).Select(i => inserted[i].Key), kept.Select(r => r.Record.Key));
        }
        finally
        {
            await collection.EnsureCollectionDeletedAsync();
        }
    }

    [Fact] public Task CosineSimilarity() => Test(DistanceFunction.CosineSimilarity, 1, -1, 0, [0, 2, 1]);
    [Fact] public Task CosineDistance() => Test(DistanceFunction.CosineDistance, 0, 2, 1, [0, 2, 1]);
    [Fact] public Task DotProductSimilarity() => Test(DistanceFunction.DotProductSimilarity, 1, -1, 0, [0, 2, 1]);
    [Fact] public Task NegativeDotProductSimilarity() => Test(DistanceFunction.NegativeDotProductSimilarity, -1, 1, 0, [0, 2, 1]);
    [Fact] public Task EuclideanDistance() => Test(DistanceFunction.EuclideanDistance, 0, 2, 1.73, [0, 2, 1]);
    [Fact] public Task EuclideanSquaredDistance() => Test(DistanceFunction.EuclideanSquaredDistance, 0, 4, 3, [0, 2, 1]);
    [Fact] public Task Flat_index() => Test(DistanceFunction.CosineSimilarity, 1, -1, 0, [0, 2, 1], IndexKind.Flat);
    [Fact] public Task IvfFlat_index() => Test(DistanceFunction.CosineSimilarity, 1, -1, 0, [0, 2, 1], IndexKind.IvfFlat);

    [Theory]
    [InlineData(DistanceFunction.HammingDistance, null)]
    [InlineData(DistanceFunction.ManhattanDistance, null)]
    [InlineData("NoSuchFunction", null)]
    [InlineData(DistanceFunction.CosineSimilarity, IndexKind.Hnsw)]
    [InlineData(DistanceFunction.CosineSimilarity, IndexKind.DiskAnn)]
    public void Unsupported_functions_and_index_kinds_are_NotSupportedException_naming_the_supported_ones(string function, string? indexKind)
    {
        var ex = Assert.Throws<NotSupportedException>(() =>
            fixture.GetCollection<int, DistanceRecord>(fixture.NewName("unsupported"), Definition(function, indexKind), new CollectionSettings()));
        Assert.Contains(indexKind is null ? DistanceFunction.CosineSimilarity : IndexKind.IvfFlat, ex.Message, StringComparison.Ordinal);
    }
}

/// <summary>A record whose vector is generated from its text.</summary>
public sealed class GeneratedRecord
{
    [VectorStoreKey] public string Key { get; set; } = "";
    [VectorStoreData] public string Text { get; set; } = "";
    [VectorStoreVector(TestEmbeddingGenerator.Dimensions)] public string? Embedding { get; set; }
}

/// <summary>A record with a vector and a generator for searches by text.</summary>
public sealed class SearchByTextRecord
{
    [VectorStoreKey] public int Key { get; set; }
    [VectorStoreVector(TestEmbeddingGenerator.Dimensions)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>Embedding generation (the conformance tests' EmbeddingGenerationTests): a string vector property is embedded on
/// upsert and on search by text; generators configured on the store, the collection or the property; vectors of
/// generated properties cannot be asked for.</summary>
public abstract class EmbeddingGenerationSuite(VectorStoreFixture fixture)
{
    private static readonly string[] Fruits = ["apple pie", "orange juice", "grape jelly", "banana bread"];

    [Fact]
    public async Task Text_properties_are_embedded_on_upsert_and_search()
    {
        var generator = new TestEmbeddingGenerator();
        var collection = await fixture.CreateCollectionAsync<string, GeneratedRecord>("generated", settings: new CollectionSettings(EmbeddingGenerator: generator));
        try
        {
            await collection.UpsertAsync(Fruits.Select((f, i) => new GeneratedRecord { Key = $"f{i}", Text = f, Embedding = f }));
            Assert.Equal(Fruits.Length, generator.Calls);
            var hit = await collection.SearchAsync("orange", top: 1).SingleAsync();
            Assert.Equal("f1", hit.Record.Key);
            Assert.Equal("orange juice", hit.Record.Text);
            Assert.Equal(Fruits.Length + 1, generator.Calls);
            await Assert.ThrowsAsync<NotSupportedException>(() => collection.GetAsync("f1", new() { IncludeVectors = true }));
            await Assert.ThrowsAsync<NotSupportedException>(() => collection.SearchAsync("x", top: 1, new() { IncludeVectors = true }).ToListAsync().AsTask());
        }
        finally
        {
            await collection.EnsureCollectionDeletedAsync();
        }
    }

    [Fact]
    public async Task A_vector_property_with_a_generator_is_searched_by_text()
    {
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("Key", typeof(int)),
                new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), TestEmbeddingGenerator.Dimensions) { EmbeddingGenerator = new TestEmbeddingGenerator() },
            ],
        };
        var collection = await fixture.CreateCollectionAsync<int, SearchByTextRecord>("bytext", definition);
        try
        {
            await collection.UpsertAsync(Fruits.Select((f, i) => new SearchByTextRecord { Key = i, Vector = TestEmbeddingGenerator.Embed(f) }));
            Assert.Equal(2, (await collection.SearchAsync("grape", top: 1).SingleAsync()).Record.Key);
            Assert.Equal(3, (await collection.SearchAsync(new ReadOnlyMemory<float>(TestEmbeddingGenerator.Embed("banana")), top: 1).SingleAsync()).Record.Key);
        }
        finally
        {
            await collection.EnsureCollectionDeletedAsync();
        }
    }

    [Fact]
    public async Task Dynamic_records_are_embedded_too()
    {
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("Key", typeof(string)),
                new VectorStoreVectorProperty("Embedding", typeof(string), TestEmbeddingGenerator.Dimensions),
            ],
            EmbeddingGenerator = new TestEmbeddingGenerator(),
        };
        var collection = fixture.GetDynamicCollection(fixture.NewName("dyngen"), definition, new CollectionSettings());
        await collection.EnsureCollectionExistsAsync();
        try
        {
            await collection.UpsertAsync(Fruits.Select((f, i) => new Dictionary<string, object?> { ["Key"] = $"d{i}", ["Embedding"] = f }));
            Assert.Equal("d0", (await collection.SearchAsync("apple", top: 1).SingleAsync()).Record["Key"]);
        }
        finally
        {
            await collection.EnsureCollectionDeletedAsync();
        }
    }

    [Fact]
    public void A_text_vector_without_a_generator_is_rejected_at_collection_creation()
    {
        Assert.Throws<InvalidOperationException>(() => fixture.GetCollection<string, GeneratedRecord>(fixture.NewName("nogen"), null, new CollectionSettings()));
    }
}

/// <summary>A record for hybrid search.</summary>
public sealed class HybridRecord
{
    [VectorStoreKey] public int Key { get; set; }
    [VectorStoreData(IsFullTextIndexed = true)] public string Text { get; set; } = "";
    [VectorStoreData(IsIndexed = true)] public int Code { get; set; }
    [VectorStoreVector(4)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>A record with two full-text properties.</summary>
public sealed class MultiTextRecord
{
    [VectorStoreKey] public int Key { get; set; }
    [VectorStoreData(IsFullTextIndexed = true)] public string Text1 { get; set; } = "";
    [VectorStoreData(IsFullTextIndexed = true)] public string Text2 { get; set; } = "";
    [VectorStoreData(IsIndexed = true)] public int Code { get; set; }
    [VectorStoreVector(4)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>Hybrid search (the conformance tests' HybridSearchTests): keywords rank, filter, top, skip, several keywords,
/// several full-text properties, and an ambiguous property.</summary>
public abstract class HybridSearchSuite(VectorStoreFixture fixture) : IAsyncLifetime
{
    private static readonly ReadOnlyMemory<float> Vector = new([1, 0, 0, 0]);
    private VectorStoreCollection<int, HybridRecord> _collection = null!;
    private VectorStoreCollection<int, MultiTextRecord> _multi = null!;

    private IKeywordHybridSearchable<HybridRecord> Hybrid => (IKeywordHybridSearchable<HybridRecord>)_collection;

    public async Task InitializeAsync()
    {
        _collection = await fixture.CreateCollectionAsync<int, HybridRecord>("hybrid");
        await _collection.UpsertAsync([
            new HybridRecord { Key = 1, Text = "Apples are a healthy and nourishing snack", Code = 1, Vector = Vector },
            new HybridRecord { Key = 2, Text = "Oranges are tangy and contain vitamin c", Code = 2, Vector = Vector },
            new HybridRecord { Key = 3, Text = "Grapes are healthy, sweet and juicy", Code = 3, Vector = Vector },
        ]);
        _multi = await fixture.CreateCollectionAsync<int, MultiTextRecord>("multitext");
        await _multi.UpsertAsync([
            new MultiTextRecord { Key = 1, Text1 = "Apples", Text2 = "Oranges", Code = 1, Vector = Vector },
            new MultiTextRecord { Key = 2, Text1 = "Oranges", Text2 = "Apples", Code = 2, Vector = Vector },
        ]);
    }

    public async Task DisposeAsync()
    {
        await _collection.EnsureCollectionDeletedAsync();
        await _multi.EnsureCollectionDeletedAsync();
    }

    [Fact]
    public async Task Keywords_rank_the_matching_record_first()
    {
        var results = await Hybrid.HybridSearchAsync(Vector, ["Grapes"], top: 3).ToListAsync();
        Assert.Equal(3, results.Count);
        Assert.Equal(3, results[0].Record.Code);
        Assert.True(results[0].Score > results[1].Score);
    }

    [Fact]
    public async Task The_filter_applies_to_both_sides()
    {
        var results = await Hybrid.HybridSearchAsync(Vector, ["Oranges"], top: 3, new() { Filter = r => r.Code == 1 }).ToListAsync();
        Assert.Equal(1, Assert.Single(results).Record.Code);
    }

    [Fact]
    public async Task Top_and_skip_page_the_fused_results()
    {
        Assert.Equal(2, Assert.Single(await Hybrid.HybridSearchAsync(Vector, ["Oranges"], top: 1).ToListAsync()).Record.Code);
        Assert.Equal(2, Assert.Single(await Hybrid.HybridSearchAsync(Vector, ["healthy"], top: 3, new() { Skip = 2 }).ToListAsync()).Record.Code);
    }

    [Fact]
    public async Task Several_keywords_rank_every_match_above_the_others()
    {
        var results = await Hybrid.HybridSearchAsync(Vector, ["tangy", "nourishing"], top: 3).ToListAsync();
        Assert.Equal(3, results.Count);
        Assert.Contains(results[0].Record.Code, new[] { 1, 2 });
        Assert.Contains(results[1].Record.Code, new[] { 1, 2 });
        Assert.Equal(3, results[2].Record.Code);
    }

    [Fact]
    public async Task The_chosen_full_text_property_is_searched()
    {
        var multi = (IKeywordHybridSearchable<MultiTextRecord>)_multi;
        var apples = await multi.HybridSearchAsync(Vector, ["Apples"], top: 4, new() { AdditionalProperty = r => r.Text2 }).ToListAsync();
        Assert.Equal([2, 1], apples.Select(r => r.Record.Code));
        var oranges = await multi.HybridSearchAsync(Vector, ["Oranges"], top: 4, new() { AdditionalProperty = r => r.Text2 }).ToListAsync();
        Assert.Equal([1, 2], oranges.Select(r => r.Record.Code));
        var first = await multi.HybridSearchAsync(Vector, ["Apples"], top: 4, new() { AdditionalProperty = r => r.Text1 }).ToListAsync();
        Assert.Equal([1, 2], first.Select(r => r.Record.Code));
        // A later write reaches the secondary property's keyword index.
        await _multi.UpsertAsync(new MultiTextRecord { Key = 3, Text1 = "Pears", Text2 = "Kiwis", Code = 3, Vector = Vector });
        var kiwis = await multi.HybridSearchAsync(Vector, ["Kiwis"], top: 4, new() { AdditionalProperty = r => r.Text2 }).ToListAsync();
        Assert.Equal(3, kiwis[0].Record.Code);
    }

    [Fact]
    public Task Several_full_text_properties_without_a_choice_is_InvalidOperationException() =>
        Assert.ThrowsAsync<InvalidOperationException>(() =>
            ((IKeywordHybridSearchable<MultiTextRecord>)_multi).HybridSearchAsync(Vector, ["Apples"], top: 3).ToListAsync().AsTask());

    [Fact]
    public async Task The_text_property_reads_back_as_written()
    {
        Assert.Equal("Grapes are healthy, sweet and juicy", (await _collection.GetAsync(3))!.Text);
        Assert.Equal(2, (await _collection.GetAsync(r => r.Text == "Oranges are tangy and contain vitamin c", top: 5).SingleAsync()).Key);
    }
}
