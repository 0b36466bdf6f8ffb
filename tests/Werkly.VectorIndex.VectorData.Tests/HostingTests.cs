using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.Documents.Indexing;
using Werkly.VectorIndex.Embeddings.Onnx;

namespace Werkly.VectorIndex.VectorData.Tests;

/// <summary>A handbook chunk: its text is embedded by the container's generator (the string vector property).</summary>
public sealed class HandbookChunk
{
    [VectorStoreKey] public string Key { get; set; } = "";
    [VectorStoreData(IsIndexed = true)] public string CompanyId { get; set; } = "";
    [VectorStoreData(IsFullTextIndexed = true)] public string Text { get; set; } = "";
    [VectorStoreVector(384)] public string? Embedding => Text;
}

/// <summary>The registration a service (and <c>werkly serve</c>) is built on: a generic host with the ONNX embedding
/// generator, the Werkly store and a tenant collection, searched by text.</summary>
public class HostingTests
{
    private static readonly (string Key, string Company, string Text)[] Chunks =
    [
        ("acme-1", "acme", "Employees get 25 vacation days per year, plus public holidays."),
        ("acme-2", "acme", "Expense reports must be filed within 30 days with receipts attached."),
        ("acme-3", "acme", "The office is open from 8 am to 6 pm on weekdays."),
        ("globex-1", "globex", "Globex staff receive 30 vacation days and a sabbatical after five years."),
    ];

    [Fact]
    public async Task A_generic_host_registers_the_store_the_onnx_generator_and_a_collection_and_searches_by_text()
    {
        using var folder = new TempFolder("host");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddEmbeddingCache(Path.Combine(folder.Path, "embeddings.cache"));
        builder.Services.AddOnnxEmbeddingGenerator();
        builder.Services.AddWerklyVectorStore(Path.Combine(folder.Path, "store"));
        builder.Services.AddWerklyCollection<string, HandbookChunk>("handbook", _ => new WerklyCollectionOptions { TenantProperty = nameof(HandbookChunk.CompanyId) });
        builder.Services.AddWerklyDocumentIndex(Path.Combine(folder.Path, "documents"));

        using (var host = builder.Build())
        {
            await host.StartAsync();
            var collection = host.Services.GetRequiredService<VectorStoreCollection<string, HandbookChunk>>();
            Assert.Same(collection, host.Services.GetRequiredService<IKeywordHybridSearchable<HandbookChunk>>());
            await collection.EnsureCollectionExistsAsync();
            await collection.UpsertAsync(Chunks.Select(c => new HandbookChunk { Key = c.Key, CompanyId = c.Company, Text = c.Text }));

            var hits = await collection.SearchAsync("How many vacation days does an employee get?", top: 2, new() { Filter = r => r.CompanyId == "acme" }).ToListAsync();
            Assert.Equal("acme-1", hits[0].Record.Key);
            Assert.All(hits, h => Assert.Equal("acme", h.Record.CompanyId));

            var hybrid = await ((IKeywordHybridSearchable<HandbookChunk>)collection)
                .HybridSearchAsync("When do I submit receipts?", ["expense", "receipts"], top: 1, new() { Filter = r => r.CompanyId == "acme" }).SingleAsync();
            Assert.Equal("acme-2", hybrid.Record.Key);

            Assert.NotNull(host.Services.GetRequiredService<DocumentIndex>());
            await host.StopAsync();
        }
        // Disposing the host saved the embedding cache and released the store and the document index.
        Assert.True(File.Exists(Path.Combine(folder.Path, "embeddings.cache")));
        using var reopened = new WerklyVectorStore(Path.Combine(folder.Path, "store"));
        Assert.Equal(["handbook"], await reopened.ListCollectionNamesAsync().ToListAsync());
        using var generator = OnnxEmbeddingGenerator.CreateDefault();
        using var documents = DocumentIndex.Open(Path.Combine(folder.Path, "documents"), generator);
        Assert.Empty(documents.Companies);
    }

    [Fact]
    public async Task Invalid_store_options_fail_the_host_at_start()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddWerklyVectorStore(_ => new WerklyVectorStoreOptions { DirectoryPath = "" });
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(nameof(WerklyVectorStoreOptions.DirectoryPath), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_registered_with_a_key_serves_collections_registered_with_that_key()
    {
        var services = new ServiceCollection();
        services.AddKeyedWerklyVectorStore("a", directoryPath: null);
        services.AddKeyedWerklyCollection<string, HandbookChunk>("a", "handbook", _ => new WerklyCollectionOptions
        {
            TenantProperty = nameof(HandbookChunk.CompanyId),
            EmbeddingGenerator = new ConformanceSuite.Support.TestEmbeddingGenerator(),
        });
        using var provider = services.BuildServiceProvider();
        var collection = provider.GetRequiredKeyedService<WerklyCollection<string, HandbookChunk>>("a");
        Assert.Same(provider.GetRequiredKeyedService<WerklyVectorStore>("a"), collection.GetService(typeof(WerklyVectorStore)));
        Assert.Equal("CompanyId", collection.TenantProperty);
    }

    [Fact]
    public void A_collection_without_a_registered_store_says_what_is_missing()
    {
        var services = new ServiceCollection().AddWerklyCollection<string, HandbookChunk>("handbook");
        using var provider = services.BuildServiceProvider();
        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<VectorStoreCollection<string, HandbookChunk>>());
        Assert.Contains("AddWerklyVectorStore", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddWerklyDocumentIndex_needs_a_generator()
    {
        var services = new ServiceCollection().AddWerklyDocumentIndex(directory: null);
        using var provider = services.BuildServiceProvider();
        Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<DocumentIndex>());
        Assert.NotNull(typeof(IEmbeddingGenerator));
    }
}
