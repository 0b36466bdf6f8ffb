using Npgsql;
using Pgvector;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Postgres.Migration;
using Werkly.VectorIndex.Postgres.Tests.Support;

namespace Werkly.VectorIndex.Postgres.Tests.Migration;

/// <summary>Moves between the embedded index, Postgres, a pgvector table and JSONL: records intact, resumable, no duplicates.</summary>
public sealed class IndexMigrationTests : IAsyncLifetime, IDisposable
{
    private const int Dimensions = 8;
    private PgLiteServer _server = null!;
    private NpgsqlDataSource _dataSource = null!;
    private PostgresVectorStore _store = null!;

    public async Task InitializeAsync()
    {
        _server = await PgLiteServer.StartAsync();
        _dataSource = _server.CreateDataSource();
        _store = new PostgresVectorStore(_dataSource);
    }

    public void Dispose() => _store?.Dispose();

    public async Task DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await _server.DisposeAsync();
    }

    private sealed class SyncProgress(Action<MigrationProgress> report) : IProgress<MigrationProgress>
    {
        public void Report(MigrationProgress value) => report(value);
    }

    private static WerklyIndex Source(int perCompany)
    {
        // Inner product: vectors are stored as written, so "intact" means bit-for-bit.
        var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = Dimensions, Metric = DistanceMetric.InnerProduct });
        var random = new Random(12);
        foreach (var company in new[] { "acme", "globex" })
        {
            var records = new List<VectorRecord>();
            for (var i = 0; i < perCompany; i++)
            {
                var vector = new float[Dimensions];
                for (var d = 0; d < Dimensions; d++) vector[d] = (float)(random.NextDouble() - 0.5);
                var metadata = new Dictionary<string, MetadataValue>
                {
                    ["year"] = MetadataValue.FromInteger(2000 + i % 25),
                    ["score"] = MetadataValue.FromNumber(random.NextDouble()),
                    ["price"] = MetadataValue.FromDecimal(12.50m + i),
                    ["draft"] = MetadataValue.FromBoolean(i % 2 == 0),
                    ["published"] = MetadataValue.FromDate(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(i)),
                    ["tags"] = MetadataValue.FromStringList(["a", $"t{i % 7}"]),
                };
                records.Add(new VectorRecord($"{company}-doc-{i:D5}", vector, i % 5 == 0 ? null : metadata)
                {
                    Text = i % 3 == 0 ? null : $"vacation policy number {i} for {company}",
                    Title = i % 4 == 0 ? null : $"Title {i}",
                });
            }
            index.Apply(company, records, []);
        }
        return index;
    }

    private static void AssertSameRecords(WerklyIndex expected, WerklyIndex actual)
    {
        Assert.Equal(expected.Companies.Order(), actual.Companies.Order());
        foreach (var company in expected.Companies)
        {
            Assert.Equal(expected.GetKeys(company).Order(StringComparer.Ordinal), actual.GetKeys(company).Order(StringComparer.Ordinal));
            foreach (var key in expected.GetKeys(company))
            {
                Assert.True(expected.TryGetRecord(company, key, out var a));
                Assert.True(actual.TryGetRecord(company, key, out var b));
                Assert.Equal(a.Text, b.Text);
                Assert.Equal(a.Title, b.Title);
                Assert.Equal(a.Metadata?.OrderBy(m => m.Key), b.Metadata?.OrderBy(m => m.Key));
                var va = new float[Dimensions];
                var vb = new float[Dimensions];
                Assert.True(expected.TryGetVector(company, key, va));
                Assert.True(actual.TryGetVector(company, key, vb));
                Assert.Equal(va, vb);
            }
        }
    }

    [Fact]
    public async Task Embedded_to_Postgres_to_embedded_gives_identical_records()
    {
        using var source = Source(1_200);
        Assert.Equal(2_400, await IndexMigration.ExportToPostgresAsync(source, _store, "docs"));
        using var copy = new WerklyIndex(new WerklyIndexOptions { Dimensions = Dimensions, Metric = DistanceMetric.InnerProduct });
        Assert.Equal(2_400, await IndexMigration.ImportFromPostgresAsync(_store, "docs", copy));
        AssertSameRecords(source, copy);
    }

    [Fact]
    public async Task An_export_killed_midway_resumes_without_duplicates()
    {
        using var source = Source(2_500);
        using var cancel = new CancellationTokenSource();
        // Killed after the second batch of the first company has committed.
        var progress = new SyncProgress(p => { if (p.Written >= 2_000) cancel.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => IndexMigration.ExportToPostgresAsync(source, _store, "resume", null, progress, cancel.Token));

        long skipped = 0;
        var written = await IndexMigration.ExportToPostgresAsync(source, _store, "resume", null, new SyncProgress(p => skipped = Math.Max(skipped, p.Skipped)));
        Assert.Equal(5_000 - 2_000, written);
        Assert.Equal(2_000, skipped);
        await using (var count = _dataSource.CreateCommand(
            $"SELECT count(*), count(DISTINCT werkly_key) FROM {IndexMigration.DocumentCollection(_store, "resume", Dimensions, DistanceMetric.InnerProduct).TableName}"))
        {
            await using var reader = await count.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(5_000, reader.GetInt64(0));
            Assert.Equal(5_000, reader.GetInt64(1));
        }

        using var copy = new WerklyIndex(new WerklyIndexOptions { Dimensions = Dimensions, Metric = DistanceMetric.InnerProduct });
        await IndexMigration.ImportFromPostgresAsync(_store, "resume", copy);
        AssertSameRecords(source, copy);
    }

    [Fact]
    public async Task A_pgvector_table_of_1536_dimension_vectors_imports_shortened_to_512()
    {
        const int rows = 300;
        var random = new Random(1536);
        var vectors = new Vector[rows];
        for (var i = 0; i < rows; i++)
        {
            var v = new float[1536];
            for (var d = 0; d < v.Length; d++) v[d] = (float)(random.NextDouble() - 0.5);
            vectors[i] = new Vector(v);
        }
        await using (var create = _dataSource.CreateCommand(
            "CREATE TABLE documents (id bigint PRIMARY KEY, company_id text NOT NULL, content text, embedding vector(1536) NOT NULL)"))
            await create.ExecuteNonQueryAsync();
        await using (var create = _dataSource.CreateCommand(
            "INSERT INTO documents SELECT i, CASE WHEN i % 2 = 0 THEN 'acme' ELSE 'globex' END, 'text ' || i, e FROM unnest($1::vector[]) WITH ORDINALITY AS t(e, i)"))
        {
            create.Parameters.Add(new NpgsqlParameter { Value = vectors });
            await create.ExecuteNonQueryAsync();
        }
        var table = new PgvectorTable("public.documents", "company_id", "id", "embedding") { TextColumn = "content", Shorten = true };

        using var refused = new WerklyIndex(new WerklyIndexOptions { Dimensions = 512 });
        await Assert.ThrowsAsync<ArgumentException>(() => IndexMigration.ImportFromPgvectorAsync(_dataSource, table with { Shorten = false }, refused));

        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 512 });
        Assert.Equal(rows, await IndexMigration.ImportFromPgvectorAsync(_dataSource, table, index));
        Assert.Equal(rows / 2, index.Count("acme"));
        Assert.Equal(rows / 2, index.Count("globex"));
        Assert.True(index.TryGetRecord("globex", "1", out var first));
        Assert.Equal("text 1", first.Text);
        var stored = new float[512];
        Assert.True(index.TryGetVector("globex", "1", stored));
        var expected = EmbeddingShortening.Shorten(vectors[0].ToArray(), 512);
        for (var d = 0; d < 512; d++) Assert.Equal(expected[d], stored[d], 1e-6f);

        // Run again: everything is already there; nothing is written twice.
        Assert.Equal(0, await IndexMigration.ImportFromPgvectorAsync(_dataSource, table, index));
        Assert.Equal(rows / 2, index.Count("acme"));
    }

    [Fact]
    public async Task Jsonl_round_trip_gives_identical_records()
    {
        using var source = Source(300);
        var writer = new StringWriter();
        Assert.Equal(600, await IndexMigration.ExportToJsonlAsync(source, writer));
        using var copy = new WerklyIndex(new WerklyIndexOptions { Dimensions = Dimensions, Metric = DistanceMetric.InnerProduct });
        Assert.Equal(600, await IndexMigration.ImportFromJsonlAsync(new StringReader(writer.ToString()), copy));
        AssertSameRecords(source, copy);
    }
}
