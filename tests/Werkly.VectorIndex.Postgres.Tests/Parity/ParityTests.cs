using Microsoft.Extensions.VectorData;
using Werkly.VectorIndex.Postgres.Tests.Support;
using Werkly.VectorIndex.VectorData;

namespace Werkly.VectorIndex.Postgres.Tests.Parity;

/// <summary>A 64-dimension record for the parity fixture.</summary>
public sealed class ParityRecord
{
    [VectorStoreKey] public int Key { get; set; }
    [VectorStoreData(IsIndexed = true)] public int Cluster { get; set; }
    [VectorStoreVector(ParityTests.Dimensions)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>
/// The same 20,000-record fixture in both backends: the exact top-10 (flat embedded, probes = lists on Postgres) is the
/// same for 200 queries, and at the default probes both reach recall@10 ≥ 0.95 against it.
/// </summary>
public sealed class ParityTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public const int Dimensions = 64;
    private const int Records = 20_000;
    private const int Queries = 200;
    private const int K = 10;

    private static (List<ParityRecord> Records, List<float[]> Queries) Fixture()
    {
        // 200 Gaussian clusters (IVF-friendly, like real embeddings), queries drawn from the same clusters.
        var random = new Random(20_000);
        var centres = new float[200][];
        for (var c = 0; c < centres.Length; c++)
        {
            centres[c] = new float[Dimensions];
            for (var d = 0; d < Dimensions; d++) centres[c][d] = (float)(random.NextDouble() * 2 - 1);
        }
        float[] Point(int cluster)
        {
            var v = new float[Dimensions];
            for (var d = 0; d < Dimensions; d++) v[d] = centres[cluster][d] + (float)(Gaussian(random) * 0.35);
            return v;
        }
        var records = new List<ParityRecord>(Records);
        for (var i = 0; i < Records; i++)
        {
            var cluster = random.Next(centres.Length);
            records.Add(new ParityRecord { Key = i, Cluster = cluster, Vector = Point(cluster) });
        }
        var queries = new List<float[]>(Queries);
        for (var q = 0; q < Queries; q++) queries.Add(Point(random.Next(centres.Length)));
        return (records, queries);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public async Task Exact_top10_is_the_same_on_both_backends_and_default_probes_reach_recall_095_on_both()
    {
        var (records, queries) = Fixture();

        using var embedded = new WerklyVectorStore((string?)null);
        var flatDefinition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty(nameof(ParityRecord.Key), typeof(int)),
                new VectorStoreDataProperty(nameof(ParityRecord.Cluster), typeof(int)) { IsIndexed = true },
                new VectorStoreVectorProperty(nameof(ParityRecord.Vector), typeof(ReadOnlyMemory<float>), Dimensions) { IndexKind = IndexKind.Flat },
            ],
        };
        var embeddedExact = embedded.GetCollection<int, ParityRecord>("exact", flatDefinition);
        var embeddedIvf = embedded.GetCollection<int, ParityRecord>("ivf");
        foreach (var collection in new[] { embeddedExact, embeddedIvf })
        {
            await collection.EnsureCollectionExistsAsync();
            await collection.UpsertAsync(records);
        }

        await using var server = await PgLiteServer.StartAsync();
        await using var dataSource = server.CreateDataSource();
        using var postgres = new PostgresVectorStore(dataSource);
        var postgresDefault = postgres.GetCollection<int, ParityRecord>("parity");
        await postgresDefault.EnsureCollectionExistsAsync();
        for (var start = 0; start < records.Count; start += 5_000) await postgresDefault.UpsertAsync(records.Skip(start).Take(5_000).ToList());
        var postgresExact = postgres.GetCollection<int, ParityRecord>("parity", new PostgresCollectionOptions { Probes = 32_768 });

        var (lists, probes) = await IndexStateAsync(dataSource);
        Assert.Equal(20, lists); // rows / 1000, as the embedded engine chooses
        Assert.InRange(probes, 1, lists - 1);

        double embeddedHits = 0, postgresHits = 0;
        for (var q = 0; q < queries.Count; q++)
        {
            var query = new ReadOnlyMemory<float>(queries[q]);
            var exact = await Keys(embeddedExact, query);
            Assert.Equal(exact, await Keys(postgresExact, query));
            embeddedHits += (await Keys(embeddedIvf, query)).Intersect(exact).Count();
            postgresHits += (await Keys(postgresDefault, query)).Intersect(exact).Count();
        }
        var embeddedRecall = embeddedHits / (K * queries.Count);
        var postgresRecall = postgresHits / (K * queries.Count);
        output.WriteLine($"recall@10 at default probes: embedded {embeddedRecall:F4}, Postgres {postgresRecall:F4} ({probes} of {lists} lists probed)");
        Assert.True(embeddedRecall >= 0.95, $"embedded recall@10 {embeddedRecall:F3}");
        Assert.True(postgresRecall >= 0.95, $"Postgres recall@10 {postgresRecall:F3} at {probes} of {lists} probes");
    }

    private static async Task<List<int>> Keys(VectorStoreCollection<int, ParityRecord> collection, ReadOnlyMemory<float> query) =>
        await collection.SearchAsync(query, K).Select(r => r.Record.Key).ToListAsync();

    private static async Task<(int Lists, int Probes)> IndexStateAsync(Npgsql.NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT lists, probes FROM public.werkly_partitions WHERE collection = 'parity'");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt32(0), reader.GetInt32(1));
    }
}
