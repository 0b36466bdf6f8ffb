using System.Text.Json;
using Npgsql;
using Pgvector;
using Werkly.VectorIndex.Postgres;
using Werkly.VectorIndex.Postgres.Migration;
using Werkly.VectorIndex.Postgres.Tests.Support;

namespace Werkly.VectorIndex.Cli.Tests.Migration;

/// <summary><c>werkly export --to postgres</c> and <c>werkly import --from postgres</c> / <c>--from-pgvector</c>, run as the
/// tool against a PGlite server (Postgres 18 + pgvector) that the test starts: records survive the round trip, a rerun
/// resumes without duplicates, and search over the re-imported index returns what it returned before.</summary>
public sealed class PostgresMigrationTests : IAsyncLifetime, IDisposable
{
    private static readonly string[] Queries = ["How many vacation days do I get?", "hotel limit in Paris", "paid leave per year"];

    private readonly TempFolder _folder = new();
    private PgLiteServer _server = null!;

    public async Task InitializeAsync() => _server = await PgLiteServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _folder.Dispose();

    private ToolResult Run(params string[] args) => WerklyTool.Run(_folder.Path, args);

    private static string[] DocumentIds(JsonElement stats) =>
        [.. stats.GetProperty("companies")[0].GetProperty("document_ids").EnumerateArray().Select(d => d.GetString()!)];

    private static string[] Hits(JsonElement search) =>
        [.. search.GetProperty("hits").EnumerateArray().Select(h => $"{h.GetProperty("key").GetString()} {h.GetProperty("score").GetDouble():F6} {h.GetProperty("text").GetString()}")];

    [Fact]
    public void Export_to_postgres_resumes_and_import_back_searches_the_same()
    {
        Corpora.WriteAcme(_folder);
        Corpora.WriteGlobex(_folder);
        var source = _folder.Combine("source");
        Run("ingest", "acme", "--company", "acme", "--index", source, "--json").Json();
        Run("ingest", "globex", "--company", "globex", "--index", source, "--json").Json();
        var chunks = Run("stats", "--index", source, "--json").Json().GetProperty("chunks").GetInt64();
        Assert.True(chunks >= 5, $"{chunks} chunks"); // five documents, at least one chunk each

        var exported = Run("export", "--to", "postgres", _server.ConnectionString, "--collection", "docs", "--index", source, "--json").Json();
        Assert.Equal(chunks, exported.GetProperty("records_exported").GetInt64());

        // A rerun finds every record already there: nothing written, nothing duplicated.
        var rerun = Run("export", "--to", "postgres", _server.ConnectionString, "--collection", "docs", "--index", source);
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Contains("0 records exported.", rerun.Stdout, StringComparison.Ordinal);
        Assert.Contains("already there", rerun.Stderr, StringComparison.Ordinal);
        Assert.Equal(chunks, CountRows("docs"));

        var copy = _folder.Combine("copy");
        var imported = Run("import", "--from", "postgres", _server.ConnectionString, "--collection", "docs", "--index", copy, "--json").Json();
        Assert.Equal(chunks, imported.GetProperty("records_imported").GetInt64());
        var again = Run("import", "--from", "postgres", _server.ConnectionString, "--collection", "docs", "--index", copy, "--json").Json();
        Assert.Equal(0, again.GetProperty("records_imported").GetInt64());

        // The document catalog came along: the same documents (ids) per company, so stats, delete --document and
        // per-document search work on the copy, and a re-ingest of the same files embeds nothing.
        var sourceStats = Run("stats", "--index", source, "--json").Json();
        var copyStats = Run("stats", "--index", copy, "--json").Json();
        Assert.Equal(sourceStats.GetProperty("chunks").GetInt64(), copyStats.GetProperty("chunks").GetInt64());
        Assert.Equal(5, sourceStats.GetProperty("documents").GetInt64());
        Assert.Equal(sourceStats.GetProperty("documents").GetInt64(), copyStats.GetProperty("documents").GetInt64());
        foreach (var company in new[] { "acme", "globex" })
        {
            Assert.Equal(DocumentIds(Run("stats", "--company", company, "--index", source, "--json").Json()),
                DocumentIds(Run("stats", "--company", company, "--index", copy, "--json").Json()));
        }
        var reingest = Run("ingest", "acme", "--company", "acme", "--index", copy, "--json").Json();
        Assert.Equal(0, reingest.GetProperty("ingested").GetInt32());
        Assert.Equal(3, reingest.GetProperty("unchanged").GetInt32());
        Assert.Equal(0, reingest.GetProperty("chunks").GetInt32());

        foreach (var (company, query) in new[] { ("acme", Queries[0]), ("acme", Queries[1]), ("globex", Queries[2]) })
        {
            foreach (var mode in new[] { "vector", "hybrid" })
            {
                var before = Hits(Run("search", query, "--company", company, "--mode", mode, "--index", source, "--json").Json());
                var after = Hits(Run("search", query, "--company", company, "--mode", mode, "--index", copy, "--json").Json());
                Assert.NotEmpty(before);
                Assert.Equal(before, after);
            }
        }
    }

    [Fact]
    public void A_pgvector_table_of_1536_dimension_vectors_imports_shortened_to_512_and_resumes()
    {
        const int rows = 40;
        var random = new Random(7);
        using (var dataSource = _server.CreateDataSource())
        using (var connection = dataSource.OpenConnection())
        {
            using (var create = new NpgsqlCommand("CREATE TABLE openai_docs (id text PRIMARY KEY, company_id text NOT NULL, content text, embedding vector(1536))", connection))
                create.ExecuteNonQuery();
            for (var i = 0; i < rows; i++)
            {
                var vector = new float[1536];
                for (var d = 0; d < vector.Length; d++) vector[d] = (float)(random.NextDouble() - 0.5);
                using var insert = new NpgsqlCommand("INSERT INTO openai_docs VALUES ($1, $2, $3, $4)", connection);
                insert.Parameters.Add(new NpgsqlParameter { Value = $"doc-{i:D3}" });
                insert.Parameters.Add(new NpgsqlParameter { Value = i % 2 == 0 ? "acme" : "globex" });
                insert.Parameters.Add(new NpgsqlParameter { Value = $"passage {i}" });
                insert.Parameters.Add(new NpgsqlParameter { Value = new Vector(vector) });
                insert.ExecuteNonQuery();
            }
            // A row whose embedding is not computed yet: skipped, and the summary says so.
            using (var pending = new NpgsqlCommand("INSERT INTO openai_docs VALUES ('doc-pending', 'acme', 'not embedded yet', NULL)", connection))
                pending.ExecuteNonQuery();
        }

        var index = _folder.Combine("from-pgvector");
        string[] import = ["import", "--from-pgvector", _server.ConnectionString, "--table", "openai_docs", "--company-column", "company_id",
            "--vector-column", "embedding", "--text-column", "content", "--shorten", "512", "--index", index, "--json"];
        var first = Run(import).Json();
        Assert.Equal(rows, first.GetProperty("records_imported").GetInt64());
        Assert.Equal(1, first.GetProperty("rows_skipped_null").GetInt64());
        Assert.Equal(0, Run(import).Json().GetProperty("records_imported").GetInt64());
        Assert.Contains("1 rows skipped: their company, key or vector is NULL", Run(import[..^1]).Stdout, StringComparison.Ordinal);

        // werkly stats reads the 512-dimension index at its own dimensions (not the bundled model's 384): each row a document.
        var stats = Run("stats", "--index", index, "--json").Json();
        Assert.Equal(512, stats.GetProperty("dimensions").GetInt32());
        Assert.Equal(rows, stats.GetProperty("documents").GetInt64());
        Assert.Equal(rows, stats.GetProperty("chunks").GetInt64());

        // Reading works (keyword search); embedding a question with the 384-dimension model does not, with its own exit code.
        var keyword = Run("search", "passage 7", "--company", "globex", "--mode", "keyword", "--index", index, "--json").Json();
        Assert.Equal("doc-007", keyword.GetProperty("hits")[0].GetProperty("key").GetString());
        var byMeaning = Run("search", "passage 7", "--company", "globex", "--index", index, "--json");
        Assert.Equal(7, byMeaning.ExitCode);
        Assert.Contains("512-dimension", byMeaning.Stderr + byMeaning.Stdout, StringComparison.Ordinal);
        Assert.Contains("384-dimension", byMeaning.Stderr + byMeaning.Stdout, StringComparison.Ordinal);
        Assert.Contains("model_mismatch", byMeaning.Stdout, StringComparison.Ordinal);
        Corpora.WriteAcme(_folder);
        var ingest = Run("ingest", "acme", "--company", "acme", "--index", index);
        Assert.True(ingest.ExitCode == 7, ingest.ToString());
        Assert.Contains("512-dimension", ingest.Stderr, StringComparison.Ordinal);
        Assert.Equal(rows, Run("stats", "--index", index, "--json").Json().GetProperty("chunks").GetInt64()); // nothing written

        // The imported index, read back through a JSONL export: every row once, shortened to 512 dimensions and renormalised.
        var jsonl = _folder.Combine("from-pgvector.jsonl");
        Run("export", "--to", "jsonl", jsonl, "--index", index, "--json").Json();
        var lines = File.ReadAllLines(jsonl).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(rows, lines.Count);
        Assert.Equal(rows, lines.Select(l => l.GetProperty("key").GetString()).Distinct().Count());
        Assert.Equal(rows / 2, lines.Count(l => l.GetProperty("company").GetString() == "acme"));
        foreach (var line in lines)
        {
            var vector = line.GetProperty("vector").EnumerateArray().Select(v => v.GetDouble()).ToList();
            Assert.Equal(512, vector.Count);
            Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => v * v)), 4);
        }
    }

    private long CountRows(string collection)
    {
        using var dataSource = _server.CreateDataSource();
        using var connection = dataSource.OpenConnection();
        using var lookup = new NpgsqlCommand("SELECT table_name FROM werkly_collections WHERE name = $1", connection);
        lookup.Parameters.Add(new NpgsqlParameter { Value = collection });
        var table = (string)lookup.ExecuteScalar()!;
        using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\"", connection);
        return (long)count.ExecuteScalar()!;
    }

    [Fact]
    public void Jsonl_export_and_import_carry_the_document_catalog()
    {
        Corpora.WriteAcme(_folder);
        var source = _folder.Combine("source");
        Run("ingest", "acme", "--company", "acme", "--index", source, "--json").Json();
        var jsonl = _folder.Combine("acme.jsonl");
        var exported = Run("export", "--to", "jsonl", jsonl, "--index", source, "--json").Json().GetProperty("records_exported").GetInt64();
        var copy = _folder.Combine("copy");
        Assert.Equal(exported, Run("import", "--from", "jsonl", jsonl, "--index", copy, "--json").Json().GetProperty("records_imported").GetInt64());
        Assert.Equal(DocumentIds(Run("stats", "--company", "acme", "--index", source, "--json").Json()),
            DocumentIds(Run("stats", "--company", "acme", "--index", copy, "--json").Json()));
        var reingest = Run("ingest", "acme", "--company", "acme", "--index", copy, "--json").Json();
        Assert.Equal(0, reingest.GetProperty("ingested").GetInt32());
        Assert.Equal(0, reingest.GetProperty("chunks").GetInt32());
        var deleted = Run("delete", "--company", "acme", "--document", DocumentIds(Run("stats", "--company", "acme", "--index", copy, "--json").Json())[0], "--index", copy);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
    }

    [Fact]
    public async Task A_killed_import_resumes_after_its_last_batch_without_duplicates()
    {
        // 12 documents of 1,000 chunks in Postgres: an import writes (and makes durable) a batch of whole documents at a time.
        const int documents = 12, chunks = 1_000;
        var random = new Random(42);
        using (var source = new WerklyIndex(new WerklyIndexOptions { Dimensions = 384 }))
        {
            var updates = new List<DocumentUpdate>();
            for (var d = 0; d < documents; d++)
            {
                var records = new List<VectorRecord>();
                for (var c = 0; c < chunks; c++)
                {
                    var vector = new float[384];
                    for (var i = 0; i < vector.Length; i++) vector[i] = (float)(random.NextDouble() - 0.5);
                    records.Add(new VectorRecord($"docs/file-{d:D2}.md#{c}", vector) { Text = $"chunk {c} of file {d}" });
                }
                updates.Add(new DocumentUpdate($"docs/file-{d:D2}.md", $"hash-{d}", records));
            }
            source.ReplaceDocuments("acme", updates);
            await using var dataSource = _server.CreateDataSource();
            using var store = new PostgresVectorStore(dataSource);
            await IndexMigration.ExportToPostgresAsync(source, store, "big");
        }

        var copy = _folder.Combine("killed");
        using (var import = WerklyTool.Start(_folder.Path, "import", "--from", "postgres", _server.ConnectionString, "--collection", "big", "--index", copy))
        {
            // Killed (SIGKILL: no cleanup, no final commit) as soon as it reports its first durable batch.
            while (await import.StandardError.ReadLineAsync() is { } line && !line.Contains("records written", StringComparison.Ordinal))
            {
            }
            import.Kill(entireProcessTree: true);
            await import.WaitForExitAsync();
            Assert.NotEqual(0, import.ExitCode); // killed, not finished
        }

        var resumed = Run("import", "--from", "postgres", _server.ConnectionString, "--collection", "big", "--index", copy);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("already there", resumed.Stderr, StringComparison.Ordinal);
        var imported = long.Parse(resumed.Stdout.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(imported, 1, documents * chunks - 1_000);
        var stats = Run("stats", "--company", "acme", "--index", copy, "--json").Json();
        Assert.Equal(documents * chunks, stats.GetProperty("chunks").GetInt64());
        Assert.Equal(documents, stats.GetProperty("documents").GetInt64());
        Assert.Equal(0, Run("import", "--from", "postgres", _server.ConnectionString, "--collection", "big", "--index", copy, "--json").Json()
            .GetProperty("records_imported").GetInt64());
    }
}
