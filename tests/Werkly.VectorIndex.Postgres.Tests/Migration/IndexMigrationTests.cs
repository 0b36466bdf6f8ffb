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

    private static WerklyIndex Source(int perCompany, int documentsPerCompany = 0)
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
            // Documents as the ingest pipeline writes them (chunks "path#ordinal", heading paths in metadata), one of
            // them larger than a migration batch; keys before and after the plain records' keys.
            var documents = new List<DocumentUpdate>();
            for (var d = 0; d < documentsPerCompany; d++)
            {
                var id = d % 2 == 0 ? $"{company}-a/file-{d:D3}.md" : $"{company}-z/file-{d:D3}.md";
                var chunks = d == 1 ? 1_234 : 1 + d % 9;
                var chunkRecords = new List<VectorRecord>();
                for (var j = 0; j < chunks; j++)
                {
                    var vector = new float[Dimensions];
                    for (var k = 0; k < Dimensions; k++) vector[k] = (float)(random.NextDouble() - 0.5);
                    chunkRecords.Add(new VectorRecord($"{id}#{j}", vector, new Dictionary<string, MetadataValue>
                    {
                        ["ordinal"] = MetadataValue.FromInteger(j),
                        ["headings"] = MetadataValue.FromString($"Guide › Part {d} › Section {j}"),
                    })
                    { Text = $"chunk {j} of {id}", Title = d % 3 == 0 ? null : $"File {d}" });
                }
                documents.Add(new DocumentUpdate(id, $"hash-{company}-{d}-{random.Next()}", chunkRecords));
            }
            if (documents.Count > 0) index.ReplaceDocuments(company, documents);
        }
        return index;
    }

    /// <summary>Same documents (ids, content hashes, record counts) and the same keys in each.</summary>
    private static void AssertSameDocuments(WerklyIndex expected, WerklyIndex actual)
    {
        foreach (var company in expected.Companies)
        {
            var documents = expected.GetDocuments(company);
            Assert.Equal(documents, actual.GetDocuments(company));
            foreach (var document in documents)
                Assert.Equal(expected.GetDocumentKeys(company, document.DocumentId), actual.GetDocumentKeys(company, document.DocumentId));
        }
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

    [Fact]
    public async Task Embedded_to_Postgres_to_embedded_gives_identical_records_and_document_catalog()
    {
        using var source = Source(700, documentsPerCompany: 40);
        Assert.Equal(40, source.GetDocuments("acme").Count);
        var records = source.Count("acme") + source.Count("globex");
        Assert.Equal(records, await IndexMigration.ExportToPostgresAsync(source, _store, "catalog"));
        using var copy = new WerklyIndex(new WerklyIndexOptions { Dimensions = Dimensions, Metric = DistanceMetric.InnerProduct });
        Assert.Equal(records, await IndexMigration.ImportFromPostgresAsync(_store, "catalog", copy));
        AssertSameRecords(source, copy);
        AssertSameDocuments(source, copy);
    }

    [Fact]
    public async Task An_import_killed_midway_leaves_whole_documents_and_resumes_without_duplicates()
    {
        using var source = Source(1_500, documentsPerCompany: 30);
        await IndexMigration.ExportToPostgresAsync(source, _store, "killed");
        using var copy = new WerklyIndex(new WerklyIndexOptions { Dimensions = Dimensions, Metric = DistanceMetric.InnerProduct });
        using var cancel = new CancellationTokenSource();
        // Killed once the first records of documents have been written (the plain records come first).
        var progress = new SyncProgress(p => { if (p.Written >= 2_000) cancel.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => IndexMigration.ImportFromPostgresAsync(_store, "killed", copy, null, progress, cancel.Token));
        var partial = copy.GetDocuments("acme");
        Assert.NotEmpty(partial);
        Assert.True(partial.Count < 30, $"{partial.Count} documents after the kill");
        foreach (var document in partial) // every document there is whole: the interrupted run wrote none in part
        {
            Assert.True(source.TryGetDocument("acme", document.DocumentId, out var expected));
            Assert.Equal(expected, document);
        }

        var before = copy.Count("acme");
        Assert.True(before >= 2_000, $"{before} records before the kill");
        Assert.False(copy.ContainsCompany("globex"));
        long skipped = 0;
        var written = await IndexMigration.ImportFromPostgresAsync(_store, "killed", copy, null, new SyncProgress(p => skipped = Math.Max(skipped, p.Skipped)));
        Assert.Equal(source.Count("acme") + source.Count("globex") - before, written);
        Assert.Equal(before, skipped);
        AssertSameRecords(source, copy);
        AssertSameDocuments(source, copy);
        Assert.Equal(0, await IndexMigration.ImportFromPostgresAsync(_store, "killed", copy));
    }

    [Fact]
    public async Task Jsonl_round_trip_gives_identical_records_and_document_catalog()
    {
        using var source = Source(200, documentsPerCompany: 12);
        var writer = new StringWriter();
        var records = source.Count("acme") + source.Count("globex");
        Assert.Equal(records, await IndexMigration.ExportToJsonlAsync(source, writer));
        Assert.Contains("\"contentHash\":", writer.ToString(), StringComparison.Ordinal);
        using var copy = new WerklyIndex(new WerklyIndexOptions { Dimensions = Dimensions, Metric = DistanceMetric.InnerProduct });
        Assert.Equal(records, await IndexMigration.ImportFromJsonlAsync(new StringReader(writer.ToString()), copy));
        AssertSameRecords(source, copy);
        AssertSameDocuments(source, copy);
        // A rerun rewrites the same documents: nothing duplicated.
        Assert.Equal(records, await IndexMigration.ImportFromJsonlAsync(new StringReader(writer.ToString()), copy));
        AssertSameDocuments(source, copy);
        Assert.Equal(source.Count("acme"), copy.Count("acme"));
    }

    [Fact]
    public async Task Jsonl_lines_of_one_document_must_be_consecutive()
    {
        string Line(string key, string document) =>
            $"{{\"company\":\"acme\",\"key\":\"{key}\",\"vector\":[1,0,0,0,0,0,0,0],\"document\":\"{document}\",\"contentHash\":\"h\"}}";
        var jsonl = string.Join('\n', Line("a#0", "a"), Line("b#0", "b"), Line("a#1", "a"));
        using var copy = new WerklyIndex(new WerklyIndexOptions { Dimensions = Dimensions, Metric = DistanceMetric.InnerProduct });
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => IndexMigration.ImportFromJsonlAsync(new StringReader(jsonl), copy));
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pgvector_table_imports_rows_as_documents_or_grouped_by_a_document_column()
    {
        await using (var create = _dataSource.CreateCommand(
            "CREATE TABLE chunks (id text PRIMARY KEY, company_id text NOT NULL, source text, content text, embedding vector(8) NOT NULL); " +
            "INSERT INTO chunks SELECT 'c' || i, 'acme', CASE WHEN i % 4 = 0 THEN NULL ELSE 'doc-' || (i % 3) END, 'text ' || i, " +
            "array_fill(i::real, ARRAY[8])::vector FROM generate_series(1, 30) AS i"))
            await create.ExecuteNonQueryAsync();
        var table = new PgvectorTable("chunks", "company_id", "id", "embedding") { TextColumn = "content" };

        using var rows = new WerklyIndex(new WerklyIndexOptions { Dimensions = Dimensions });
        Assert.Equal(30, await IndexMigration.ImportFromPgvectorAsync(_dataSource, table, rows));
        Assert.Equal(30, rows.GetDocuments("acme").Count); // each row its own document, its key the id
        Assert.True(rows.TryGetDocument("acme", "c7", out var row));
        Assert.Equal(1, row.RecordCount);
        Assert.Equal(64, row.ContentHash.Length);

        using var grouped = new WerklyIndex(new WerklyIndexOptions { Dimensions = Dimensions });
        Assert.Equal(30, await IndexMigration.ImportFromPgvectorAsync(_dataSource, table with { DocumentColumn = "source" }, grouped));
        var documents = grouped.GetDocuments("acme");
        Assert.Equal(3 + 7, documents.Count); // doc-0, doc-1, doc-2 and the 7 rows without a source
        Assert.Equal(["c1", "c10", "c13", "c19", "c22", "c25", "c7"], grouped.GetDocumentKeys("acme", "doc-1"));
        Assert.Equal(0, await IndexMigration.ImportFromPgvectorAsync(_dataSource, table with { DocumentColumn = "source" }, grouped));
        Assert.Equal(documents, grouped.GetDocuments("acme"));
    }
}
