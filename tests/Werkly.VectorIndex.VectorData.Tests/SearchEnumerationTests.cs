using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.VectorData.ConformanceSuite;
using Werkly.VectorIndex.VectorData.Engine;

namespace Werkly.VectorIndex.VectorData.Tests;

/// <summary>
/// The search path without an async state machine (a search by vector runs on the first MoveNextAsync of a plain
/// enumerator) behaves as an async iterator does; the lease that keeps an engine alive under a search; the bulk check of
/// a query vector accepts and rejects exactly what the component-by-component check does.
/// </summary>
public sealed class SearchEnumerationTests : IDisposable
{
    private static readonly WerklyCollectionOptions Tenanted = new() { TenantProperty = nameof(TenantRecord.CompanyId) };
    private readonly WerklyVectorStore _store = new((string?)null);

    private async Task<VectorStoreCollection<string, TenantRecord>> Collection()
    {
        var collection = _store.GetCollection<string, TenantRecord>("docs", Tenanted);
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(Enumerable.Range(0, 12).Select(i => new TenantRecord
        {
            Key = $"k{i:D2}", CompanyId = i % 3 == 0 ? "globex" : "acme", Text = $"text {i}", Year = 2000 + i,
            Vector = new([1, i / 12f, 0.5f, 0.25f]),
        }));
        return collection;
    }

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task Nothing_runs_until_enumerated_and_failures_come_as_faulted_tasks()
    {
        var collection = await Collection();
        // Bad arguments, an untenanted filter, a wrong vector: SearchAsync itself returns, MoveNextAsync faults.
        var badTop = collection.SearchAsync(new ReadOnlyMemory<float>([1, 0, 0, 0]), top: 0);
        var noTenant = collection.SearchAsync(new float[] { 1, 0, 0, 0 }, top: 3, new() { Filter = r => r.Year > 2000 });
        var wrongLength = collection.SearchAsync(new Embedding<float>(new float[] { 1, 0 }), top: 3, new() { Filter = r => r.CompanyId == "acme" });

        var enumerator = badTop.GetAsyncEnumerator();
        var move = enumerator.MoveNextAsync();
        Assert.True(move.IsFaulted);
        Assert.Equal("top", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => move.AsTask())).ParamName);
        Assert.False(await enumerator.MoveNextAsync()); // finished after the failure
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await noTenant.ToListAsync());
        var ex = await Assert.ThrowsAsync<DimensionMismatchException>(async () => await wrongLength.ToListAsync());
        Assert.Equal("searchValue", ex.ParamName);
    }

    [Fact]
    public async Task Each_enumeration_is_a_search_of_its_own()
    {
        var collection = await Collection();
        var results = collection.SearchAsync(new ReadOnlyMemory<float>([1, 1, 0.5f, 0.25f]), top: 3, new() { Filter = r => r.CompanyId == "acme", Skip = 1 });
        var first = await results.Select(r => (r.Record.Key, r.Score)).ToListAsync();
        Assert.Equal(3, first.Count);
        Assert.All(first, r => Assert.NotEqual(0, int.Parse(r.Key[1..], System.Globalization.CultureInfo.InvariantCulture) % 3));

        // Two enumerators of one sequence, interleaved, each see the whole page.
        await using var a = results.GetAsyncEnumerator();
        await using var b = results.GetAsyncEnumerator();
        var fromA = new List<string>();
        var fromB = new List<string>();
        while (true)
        {
            var movedA = await a.MoveNextAsync();
            var movedB = await b.MoveNextAsync();
            Assert.Equal(movedA, movedB);
            if (!movedA) break;
            fromA.Add(a.Current.Record.Key);
            fromB.Add(b.Current.Record.Key);
        }
        Assert.Equal(first.Select(r => r.Key), fromA);
        Assert.Equal(fromA, fromB);

        // A write between two enumerations is seen by the second: a new best record (skipped) moves the page by one.
        await collection.UpsertAsync(new TenantRecord { Key = "best", CompanyId = "acme", Text = "", Year = 1, Vector = new([1, 1, 0.5f, 0.25f]) });
        var after = await results.Select(r => r.Record.Key).ToListAsync();
        Assert.DoesNotContain("best", after);
        Assert.Equal(first.Take(2).Select(r => r.Key), after.Skip(1));
    }

    [Fact]
    public async Task Both_cancellation_tokens_stop_the_enumeration()
    {
        var collection = await Collection();
        var query = new ReadOnlyMemory<float>([1, 0, 0, 0]);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await collection.SearchAsync(query, 5, new() { Filter = r => r.CompanyId == "acme" }, cancelled.Token).ToListAsync());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var hit in collection.SearchAsync(query, 5, new() { Filter = r => r.CompanyId == "acme" }).WithCancellation(cancelled.Token))
                GC.KeepAlive(hit);
        });

        // Cancelled after the first result: the rest is not mapped.
        using var midway = new CancellationTokenSource();
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var hit in collection.SearchAsync(query, 5, new() { Filter = r => r.CompanyId == "acme" }).WithCancellation(midway.Token))
            {
                seen++;
                await midway.CancelAsync();
            }
        });
        Assert.Equal(1, seen);
    }

    [Fact]
    public async Task A_lease_holds_the_engine_until_released_and_a_closed_entry_refuses_new_ones()
    {
        var collection = (WerklyCollection<string, TenantRecord>)await Collection();
        var entry = collection.EntryForBenchmarks();
        var outer = entry.Enter();
        var inner = entry.Enter(); // leases nest
        var closing = Task.Run(entry.Dispose);
        // Closing begins: new leases are refused while the running ones still reach a live engine.
        while (true)
        {
            try
            {
                entry.Enter().Dispose();
            }
            catch (InvalidOperationException)
            {
                break;
            }
            await Task.Yield();
        }
        Assert.False(closing.IsCompleted);
        Assert.Equal(12, entry.Engine.Count);
        inner.Dispose();
        Assert.Equal(12, entry.Engine.Count);
        Assert.False(closing.IsCompleted);
        outer.Dispose();
        await closing;
        Assert.Throws<ObjectDisposedException>(() => entry.Engine.Count);
        Assert.Throws<InvalidOperationException>(() => entry.Read(e => e.Count));
        entry.Dispose(); // a second close does nothing
    }

    [Fact]
    public void The_bulk_vector_check_decides_as_the_exact_one()
    {
        // Cosine: tiny components whose squares underflow in float still give a direction; zero, NaN and ∞ are refused.
        EngineCollection.ValidateVector([1e-30f, 0, -1e-30f], 3, DistanceMetric.Cosine, "v");
        Assert.Contains("zero vector", Assert.Throws<InvalidVectorException>(() => EngineCollection.ValidateVector([0f, 0, 0], 3, DistanceMetric.Cosine, "v")).Message, StringComparison.Ordinal);
        Assert.Contains("Component 2", Assert.Throws<InvalidVectorException>(() => EngineCollection.ValidateVector([1f, 2, float.NaN], 3, DistanceMetric.Cosine, "v")).Message, StringComparison.Ordinal);
        Assert.Contains("Component 0", Assert.Throws<InvalidVectorException>(() => EngineCollection.ValidateVector([float.NegativeInfinity, 2, 3], 3, DistanceMetric.InnerProduct, "v")).Message, StringComparison.Ordinal);
        // Finite components whose squares overflow float: fine under cosine, refused by norm under dot product.
        var huge = Enumerable.Repeat(1e20f, 8).ToArray();
        EngineCollection.ValidateVector(huge, 8, DistanceMetric.Cosine, "v");
        Assert.Throws<InvalidVectorException>(() => EngineCollection.ValidateVector(huge, 8, DistanceMetric.InnerProduct, "v"));
        // Squared norms between float.MaxValue / 8 (the bulk bound) and / 4 (the exact one) go to the exact check and pass;
        // just above float.MaxValue / 4 they are refused.
        var below = (float)Math.Sqrt(float.MaxValue / 4.0 / 2 * 0.99);
        var above = (float)Math.Sqrt(float.MaxValue / 4.0 / 2 * 1.01);
        EngineCollection.ValidateVector([below, below], 2, DistanceMetric.SquaredL2, "v");
        Assert.Throws<InvalidVectorException>(() => EngineCollection.ValidateVector([above, above], 2, DistanceMetric.SquaredL2, "v"));
        Assert.Throws<DimensionMismatchException>(() => EngineCollection.ValidateVector([1f, 2], 3, DistanceMetric.Cosine, "v"));
    }
}
