using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.VectorData.ConformanceSuite.Support;

namespace Werkly.VectorIndex.VectorData.ConformanceSuite;

/// <summary>A record that belongs to a tenant.</summary>
public sealed class TenantRecord
{
    [VectorStoreKey] public string Key { get; set; } = "";
    [VectorStoreData(IsIndexed = true)] public string CompanyId { get; set; } = "";
    [VectorStoreData(IsFullTextIndexed = true)] public string Text { get; set; } = "";
    [VectorStoreData(IsIndexed = true)] public int Year { get; set; }
    [VectorStoreVector(4)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>
/// Tenant safety by construction: with a tenant property every query must constrain it by equality, which routes it
/// to that tenant's partition; a query without it fails; and no sequence of operations yields another tenant's record.
/// </summary>
public abstract class TenantSuite(VectorStoreFixture fixture)
{
    private static readonly CollectionSettings Tenanted = new(TenantProperty: nameof(TenantRecord.CompanyId));
    private static readonly ReadOnlyMemory<float> Query = new([1, 0, 0, 0]);

    private Task<VectorStoreCollection<string, TenantRecord>> Create() =>
        fixture.CreateCollectionAsync<string, TenantRecord>("tenants", settings: Tenanted);

    private static TenantRecord Record(string key, string company, string text, int year, float x) =>
        new() { Key = key, CompanyId = company, Text = text, Year = year, Vector = new([x, 1 - x, 0.5f, 0]) };

    [Fact]
    public async Task Queries_without_a_tenant_equality_throw_InvalidOperationException()
    {
        var collection = await Create();
        try
        {
            await collection.UpsertAsync([Record("a1", "acme", "vacation policy", 2024, 1), Record("g1", "globex", "vacation policy", 2024, 1)]);
            var hybrid = (IKeywordHybridSearchable<TenantRecord>)collection;
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => collection.SearchAsync(Query, top: 5).ToListAsync().AsTask());
            Assert.Contains(nameof(TenantRecord.CompanyId), ex.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<InvalidOperationException>(() => collection.SearchAsync(Query, top: 5, new() { Filter = r => r.Year == 2024 }).ToListAsync().AsTask());
            await Assert.ThrowsAsync<InvalidOperationException>(() => collection.SearchAsync(Query, top: 5, new() { Filter = r => r.CompanyId == "acme" || r.Year == 2024 }).ToListAsync().AsTask());
            await Assert.ThrowsAsync<InvalidOperationException>(() => collection.SearchAsync(Query, top: 5, new() { Filter = r => r.CompanyId != "acme" }).ToListAsync().AsTask());
            await Assert.ThrowsAsync<InvalidOperationException>(() => collection.SearchAsync(Query, top: 5, new() { Filter = r => new[] { "acme", "globex" }.Contains(r.CompanyId) }).ToListAsync().AsTask());
            await Assert.ThrowsAsync<InvalidOperationException>(() => collection.GetAsync(r => r.Year > 0, top: 5).ToListAsync().AsTask());
            await Assert.ThrowsAsync<InvalidOperationException>(() => hybrid.HybridSearchAsync(Query, ["vacation"], top: 5).ToListAsync().AsTask());
        }
        finally
        {
            await collection.EnsureCollectionDeletedAsync();
        }
    }

    [Fact]
    public async Task A_tenant_equality_routes_every_query_to_that_tenant()
    {
        var collection = await Create();
        try
        {
            await collection.UpsertAsync([
                Record("a1", "acme", "vacation policy", 2023, 1), Record("a2", "acme", "expense policy", 2024, 0.5f),
                Record("g1", "globex", "vacation policy", 2024, 1), Record("g2", "globex", "vacation days", 2024, 0.9f),
            ]);
            var company = "acme";
            var hits = await collection.SearchAsync(Query, top: 10, new() { Filter = r => r.CompanyId == company }).ToListAsync();
            Assert.Equal(["a1", "a2"], hits.Select(h => h.Record.Key));
            Assert.All(hits, h => Assert.Equal("acme", h.Record.CompanyId));
            var filtered = await collection.SearchAsync(Query, top: 10, new() { Filter = r => r.Year == 2024 && "acme" == r.CompanyId }).ToListAsync();
            Assert.Equal("a2", Assert.Single(filtered).Record.Key);
            Assert.Equal(["g1", "g2"], await collection.GetAsync(r => r.CompanyId == "globex", top: 10).Select(r => r.Key).ToListAsync());
            var hybrid = await ((IKeywordHybridSearchable<TenantRecord>)collection)
                .HybridSearchAsync(Query, ["vacation"], top: 10, new() { Filter = r => r.CompanyId == "acme" }).ToListAsync();
            Assert.Equal(["a1", "a2"], hybrid.Select(h => h.Record.Key));
            Assert.Empty(await collection.SearchAsync(Query, top: 10, new() { Filter = r => r.CompanyId == "initech" }).ToListAsync());
            Assert.Empty(await collection.SearchAsync(Query, top: 10, new() { Filter = r => r.CompanyId == "acme" && r.CompanyId == "globex" }).ToListAsync());

            // Keys are unique in the collection: upserting a key under another tenant moves the record.
            await collection.UpsertAsync(Record("a1", "globex", "moved", 2025, 1));
            Assert.Equal("globex", (await collection.GetAsync("a1"))!.CompanyId);
            Assert.Equal(["a2"], await collection.GetAsync(r => r.CompanyId == "acme", top: 10).Select(r => r.Key).ToListAsync());
        }
        finally
        {
            await collection.EnsureCollectionDeletedAsync();
        }
    }

    [Fact]
    public async Task Records_without_a_valid_tenant_are_rejected()
    {
        var collection = await Create();
        try
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(() => collection.UpsertAsync(Record("x", null!, "t", 1, 1)));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => collection.UpsertAsync(Record("x", "", "t", 1, 1)));
            await collection.UpsertAsync(Record("a", "Acme", "t", 1, 1));
            // Tenants are case-sensitive and exact; one differing only in case from an existing tenant is refused.
            await Assert.ThrowsAnyAsync<ArgumentException>(() => collection.UpsertAsync(Record("b", "acme", "t", 1, 1)));
            Assert.Null(await collection.GetAsync("b"));
        }
        finally
        {
            await collection.EnsureCollectionDeletedAsync();
        }
    }

    /// <summary>Random upserts, moves, deletes, searches, filtered gets and hybrid searches over three tenants: every
    /// result belongs to the tenant asked for and equals the model's answer.</summary>
    [Property(MaxTest = 40)]
    public Property No_operation_sequence_returns_another_tenants_record()
    {
        string[] companies = ["acme", "globex", "initech"];
        // Uniform ints decoded into (kind, tenant, key, vector): FsCheck's own small ints would repeat one operation.
        var operations = from n in Gen.Choose(1, 60) from ops in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), n) select ops;
        return Prop.ForAll(operations.ToArbitrary(), ops =>
        {
            var collection = Create().GetAwaiter().GetResult();
            try
            {
                var model = new Dictionary<string, TenantRecord>(StringComparer.Ordinal);
                foreach (var op in ops)
                {
                    var kind = op % 6;
                    var company = companies[(op / 6) % 3];
                    var key = $"k{(op / 18) % 20}";
                    var x = (op / 360) % 100 / 100f;
                    switch (kind)
                    {
                        case 0:
                        case 1:
                            var record = Record(key, company, x < 0.5 ? "vacation policy" : "expense report", (op / 7) % 3 + 2023, x);
                            collection.UpsertAsync(record).GetAwaiter().GetResult();
                            model[key] = record;
                            break;
                        case 2:
                            collection.DeleteAsync(key).GetAwaiter().GetResult();
                            model.Remove(key);
                            break;
                        case 3:
                            var hits = collection.SearchAsync(Query, top: 50, new() { Filter = r => r.CompanyId == company }).ToListAsync().AsTask().GetAwaiter().GetResult();
                            Assert.All(hits, h => Assert.Equal(company, h.Record.CompanyId));
                            Assert.Equal(model.Values.Where(r => r.CompanyId == company).Select(r => r.Key).Order(), hits.Select(h => h.Record.Key).Order());
                            break;
                        case 4:
                            var year = (op / 7) % 3 + 2023;
                            var got = collection.GetAsync(r => r.CompanyId == company && r.Year == year, top: 50).ToListAsync().AsTask().GetAwaiter().GetResult();
                            Assert.Equal(model.Values.Where(r => r.CompanyId == company && r.Year == year).Select(r => r.Key).Order(), got.Select(r => r.Key).Order());
                            break;
                        default:
                            var hybrid = ((IKeywordHybridSearchable<TenantRecord>)collection)
                                .HybridSearchAsync(Query, ["vacation"], top: 50, new() { Filter = r => r.CompanyId == company }).ToListAsync().AsTask().GetAwaiter().GetResult();
                            Assert.All(hybrid, h => Assert.Equal(company, h.Record.CompanyId));
                            Assert.Equal(model.Values.Count(r => r.CompanyId == company), hybrid.Count);
                            break;
                    }
                }
                foreach (var company2 in companies)
                {
                    var all = collection.GetAsync(r => r.CompanyId == company2, top: 100).ToListAsync().AsTask().GetAwaiter().GetResult();
                    Assert.Equal(model.Values.Where(r => r.CompanyId == company2).Select(r => r.Key).Order(), all.Select(r => r.Key).Order());
                }
            }
            finally
            {
                collection.EnsureCollectionDeletedAsync().GetAwaiter().GetResult();
            }
        });
    }
}

/// <summary>A record for the filtered-top test.</summary>
public sealed class ManyRecord
{
    [VectorStoreKey] public int Key { get; set; }
    [VectorStoreData(IsIndexed = true)] public int Bucket { get; set; }
    [VectorStoreVector(8)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>
/// A filtered search returns <c>top</c> results whenever <c>top</c> records match — also through the approximate (IVF)
/// path and with a selective filter, where a post-filter (pgvector's failure mode) returns fewer.
/// </summary>
public abstract class FilteredTopSuite(VectorStoreFixture fixture)
{
    [Fact]
    public async Task A_selective_filter_still_returns_top_results()
    {
        var count = fixture.ApproximateSearchThreshold + 5_000;
        var collection = await fixture.CreateCollectionAsync<int, ManyRecord>("many");
        try
        {
            var random = new Random(42);
            var records = new List<ManyRecord>(count);
            for (var i = 0; i < count; i++)
            {
                var vector = new float[8];
                for (var d = 0; d < vector.Length; d++) vector[d] = (float)random.NextDouble() - 0.5f;
                // Bucket 7 holds 0.2 % of the records, spread over the whole space.
                records.Add(new ManyRecord { Key = i, Bucket = i % 500 == 0 ? 7 : i % 5, Vector = vector });
            }
            for (var start = 0; start < count; start += 5_000) await collection.UpsertAsync(records.Skip(start).Take(5_000));

            var matching = records.Count(r => r.Bucket == 7);
            for (var q = 0; q < 10; q++)
            {
                var query = new float[8];
                for (var d = 0; d < query.Length; d++) query[d] = (float)random.NextDouble() - 0.5f;
                foreach (var top in new[] { 10, matching })
                {
                    var results = await collection.SearchAsync(new ReadOnlyMemory<float>(query), top: top, new() { Filter = r => r.Bucket == 7 }).ToListAsync();
                    Assert.Equal(top, results.Count);
                    Assert.All(results, r => Assert.Equal(7, r.Record.Bucket));
                }
                var beyond = await collection.SearchAsync(new ReadOnlyMemory<float>(query), top: matching + 10, new() { Filter = r => r.Bucket == 7 }).ToListAsync();
                Assert.Equal(matching, beyond.Count);
            }
        }
        finally
        {
            await collection.EnsureCollectionDeletedAsync();
        }
    }
}
