using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.VectorData.ConformanceSuite;

namespace Werkly.VectorIndex.VectorData.Tests;

/// <summary>What only a persisted Werkly store shows: records, tenants and schemas survive reopening, stores on one
/// folder share it, engine failures surface as <see cref="VectorStoreException"/>.</summary>
public class PersistenceTests
{
    private static readonly WerklyCollectionOptions Tenanted = new() { TenantProperty = nameof(TenantRecord.CompanyId) };

    private static TenantRecord Record(string key, string company, int year, float x) =>
        new() { Key = key, CompanyId = company, Text = $"record {key} about vacation", Year = year, Vector = new([x, 1 - x, 0.25f, 0]) };

    [Fact]
    public async Task Records_tenants_and_text_survive_reopening_exactly()
    {
        using var folder = new TempFolder("reopen");
        using (var store = new WerklyVectorStore(folder.Path))
        {
            var collection = store.GetCollection<string, TenantRecord>("docs", Tenanted);
            await collection.EnsureCollectionExistsAsync();
            await collection.UpsertAsync([Record("a1", "acme", 2024, 0.1f), Record("a2", "acme", 2025, 0.7f), Record("g1", "globex", 2024, 0.3f)]);
            await collection.DeleteAsync("a2");
        }
        using (var store = new WerklyVectorStore(folder.Path))
        {
            Assert.Equal(["docs"], await store.ListCollectionNamesAsync().ToListAsync());
            var collection = store.GetCollection<string, TenantRecord>("docs", Tenanted);
            var a1 = await collection.GetAsync("a1", new() { IncludeVectors = true });
            Assert.Equal("acme", a1!.CompanyId);
            Assert.Equal("record a1 about vacation", a1.Text);
            Assert.Equal(new[] { 0.1f, 0.9f, 0.25f, 0 }, a1.Vector.ToArray()); // cosine: the vector as written, not unit length
            Assert.Null(await collection.GetAsync("a2"));
            Assert.Equal(["g1"], await collection.GetAsync(r => r.CompanyId == "globex", top: 10).Select(r => r.Key).ToListAsync());
            var hybrid = await collection.HybridSearchAsync(new ReadOnlyMemory<float>([1, 0, 0, 0]), ["vacation"], top: 5,
                new() { Filter = r => r.CompanyId == "acme" }).ToListAsync();
            Assert.Equal("a1", Assert.Single(hybrid).Record.Key);
        }
    }

    [Fact]
    public async Task A_collection_reopened_with_another_schema_is_refused()
    {
        using var folder = new TempFolder("schema");
        using (var store = new WerklyVectorStore(folder.Path))
        {
            await store.GetCollection<string, TenantRecord>("docs", Tenanted).EnsureCollectionExistsAsync();
        }
        using (var store = new WerklyVectorStore(folder.Path))
        {
            var untenanted = store.GetCollection<string, TenantRecord>("docs");
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => untenanted.GetAsync("x"));
            Assert.Contains("tenant property", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Stores_on_one_folder_share_it_and_the_last_one_closes_it()
    {
        using var folder = new TempFolder("shared");
        var first = new WerklyVectorStore(folder.Path);
        var second = new WerklyVectorStore(folder.Path);
        var collection = first.GetCollection<string, BasicRecord<string>>("shared");
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(new BasicRecord<string> { Key = "a", Number = 1, Vector = new([1, 0, 0]) });
        Assert.Equal(1, (await second.GetCollection<string, BasicRecord<string>>("shared").GetAsync("a"))!.Number);
        first.Dispose();
        Assert.Equal(1, (await second.GetCollection<string, BasicRecord<string>>("shared").GetAsync("a"))!.Number);
        second.Dispose();
        Assert.Throws<ObjectDisposedException>(() => second.GetCollection<string, BasicRecord<string>>("shared"));
        // Closed: the folder opens again (its write lock was released).
        using var third = new WerklyVectorStore(folder.Path);
        Assert.Equal(1, (await third.GetCollection<string, BasicRecord<string>>("shared").GetAsync("a"))!.Number);
    }

    [Fact]
    public async Task Writes_without_commit_on_write_become_durable_at_CommitAsync()
    {
        using var folder = new TempFolder("commit");
        using (var store = new WerklyVectorStore(new WerklyVectorStoreOptions { DirectoryPath = folder.Path, DurableWrites = false }))
        {
            var collection = store.GetCollection<string, BasicRecord<string>>("c");
            await collection.EnsureCollectionExistsAsync();
            await collection.UpsertAsync(new BasicRecord<string> { Key = "committed", Vector = new([1, 0, 0]) });
            await store.CommitAsync();
            await collection.UpsertAsync(new BasicRecord<string> { Key = "pending", Vector = new([0, 1, 0]) });
            Assert.NotNull(await collection.GetAsync("pending"));
        }
        using (var store = new WerklyVectorStore(folder.Path))
        {
            var collection = store.GetCollection<string, BasicRecord<string>>("c");
            Assert.NotNull(await collection.GetAsync("committed"));
            Assert.Null(await collection.GetAsync("pending"));
        }
    }

    [Fact]
    public async Task A_damaged_index_surfaces_as_VectorStoreException_naming_system_collection_and_operation()
    {
        using var folder = new TempFolder("damaged");
        using (var store = new WerklyVectorStore(folder.Path))
        {
            var collection = store.GetCollection<string, BasicRecord<string>>("c");
            await collection.EnsureCollectionExistsAsync();
            await collection.UpsertAsync(new BasicRecord<string> { Key = "a", Vector = new([1, 0, 0]) });
        }
        var manifest = Path.Combine(folder.Path, "c", "index", "MANIFEST");
        var bytes = await File.ReadAllBytesAsync(manifest);
        bytes[^5] ^= 0xFF;
        await File.WriteAllBytesAsync(manifest, bytes);
        using (var store = new WerklyVectorStore(folder.Path))
        {
            var ex = await Assert.ThrowsAsync<VectorStoreException>(() => store.GetCollection<string, BasicRecord<string>>("c").GetAsync("a"));
            Assert.Equal(WerklyVectorStore.SystemName, ex.VectorStoreSystemName);
            Assert.Equal("c", ex.CollectionName);
            Assert.Equal("Get", ex.OperationName);
            Assert.IsAssignableFrom<IOException>(ex.InnerException);
        }
    }

    [Fact]
    public async Task Without_KeepOriginalVectors_cosine_vectors_read_back_unit_length()
    {
        using var store = new WerklyVectorStore((string?)null);
        var collection = store.GetCollection<string, BasicRecord<string>>("unit", new WerklyCollectionOptions { KeepOriginalVectors = false });
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(new BasicRecord<string> { Key = "a", Vector = new([3, 4, 0]) });
        var vector = (await collection.GetAsync("a", new() { IncludeVectors = true }))!.Vector.ToArray();
        Assert.Equal(0.6f, vector[0], 5);
        Assert.Equal(0.8f, vector[1], 5);
    }

    [Fact]
    public void Invalid_collection_names_and_store_options_are_rejected()
    {
        using var store = new WerklyVectorStore((string?)null);
        Assert.Throws<ArgumentException>(() => store.GetCollection<string, BasicRecord<string>>("../escape"));
        Assert.Throws<ArgumentException>(() => store.GetCollection<string, BasicRecord<string>>("with space"));
        Assert.Throws<ArgumentException>(() => new WerklyVectorStore(new WerklyVectorStoreOptions { DirectoryPath = "" }));
    }

    [Fact]
    public async Task An_upsert_cancelled_before_it_starts_changes_nothing()
    {
        using var store = new WerklyVectorStore((string?)null);
        var collection = store.GetCollection<string, BasicRecord<string>>("cancel");
        await collection.EnsureCollectionExistsAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => collection.UpsertAsync([new BasicRecord<string> { Key = "a", Vector = new([1, 0, 0]) }], cancelled.Token));
        Assert.Null(await collection.GetAsync("a"));
    }
}
