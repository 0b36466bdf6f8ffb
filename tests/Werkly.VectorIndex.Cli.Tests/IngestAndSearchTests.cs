using System.Text.Json;

namespace Werkly.VectorIndex.Cli.Tests;

/// <summary>Two companies ingested once into one index (by running the tool), then searched and inspected.</summary>
public sealed class IngestedIndexFixture : IDisposable
{
    internal TempFolder Folder { get; } = new();

    internal string IndexPath => Folder.Combine("index");

    internal JsonElement AcmeIngest { get; }

    public IngestedIndexFixture()
    {
        Corpora.WriteAcme(Folder);
        Corpora.WriteGlobex(Folder);
        AcmeIngest = WerklyTool.Run(Folder.Path, "ingest", "acme", "--company", "acme", "--index", IndexPath, "--json").Json();
        WerklyTool.Run(Folder.Path, "ingest", "globex", "--company", "globex", "--index", IndexPath, "--json").Json();
    }

    public void Dispose() => Folder.Dispose();
}

public sealed class IngestAndSearchTests(IngestedIndexFixture fixture) : IClassFixture<IngestedIndexFixture>
{
    private ToolResult Run(params string[] args) => WerklyTool.Run(fixture.Folder.Path, args);

    [Fact]
    public void Ingest_json_reports_every_document_and_its_chunks()
    {
        var json = fixture.AcmeIngest;
        Assert.Equal("acme", json.GetProperty("company").GetString());
        Assert.Equal(3, json.GetProperty("documents").GetInt32());
        Assert.Equal(3, json.GetProperty("ingested").GetInt32());
        Assert.Equal(0, json.GetProperty("failed").GetInt32());
        Assert.True(json.GetProperty("chunks").GetInt64() >= 3);
        Assert.Equal(3, json.GetProperty("company_documents").GetInt32());
        Assert.True(json.GetProperty("embedding_s").GetDouble() > 0);
    }

    [Fact]
    public void Search_json_is_one_object_with_document_paths_relative_to_the_ingested_folder()
    {
        var json = Run("search", "How many vacation days do I get?", "--company", "acme", "--index", fixture.IndexPath, "--json").Json();
        Assert.Equal(["company", "mode", "took_ms", "hits"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("acme", json.GetProperty("company").GetString());
        Assert.Equal("hybrid", json.GetProperty("mode").GetString());
        Assert.True(json.GetProperty("took_ms").GetDouble() > 0);
        var hits = json.GetProperty("hits").EnumerateArray().ToList();
        Assert.InRange(hits.Count, 1, 5);
        foreach (var hit in hits)
        {
            Assert.Equal(["key", "document", "score", "text"], hit.EnumerateObject().Select(p => p.Name));
            Assert.Contains(hit.GetProperty("document").GetString(), Corpora.AcmeDocuments);
            Assert.StartsWith(hit.GetProperty("document").GetString() + "#", hit.GetProperty("key").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal("policies/vacation.md", hits[0].GetProperty("document").GetString());
        Assert.Contains("28 vacation days", hits[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        var scores = hits.Select(h => h.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
    }

    [Theory]
    [InlineData("hybrid")]
    [InlineData("vector")]
    [InlineData("keyword")]
    public void No_hit_crosses_companies_in_any_mode(string mode)
    {
        // Globex has its own leave policy, but Acme's vacation page is the better match: it must still never appear.
        var json = Run("search", "vacation days per year", "--company", "globex", "--index", fixture.IndexPath, "--mode", mode, "--top", "10", "--json").Json();
        Assert.Equal(mode, json.GetProperty("mode").GetString());
        var documents = json.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("document").GetString()).ToList();
        Assert.NotEmpty(documents);
        Assert.All(documents, d => Assert.Contains(d, Corpora.GlobexDocuments));
        Assert.Equal("handbook/time-off.md", documents[0]);
    }

    [Fact]
    public void Explain_adds_each_sides_rank_and_score()
    {
        var json = Run("search", "hotel limit in Paris", "--company", "acme", "--index", fixture.IndexPath, "--explain", "--top", "2", "--json").Json();
        var top = json.GetProperty("hits")[0];
        Assert.Equal("policies/travel.md", top.GetProperty("document").GetString());
        var explanation = top.GetProperty("explanation");
        Assert.Equal(1, explanation.GetProperty("keyword_rank").GetInt32());
        Assert.True(explanation.GetProperty("keyword_score").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Number, explanation.GetProperty("vector_rank").ValueKind);
    }

    [Fact]
    public void Human_readable_search_prints_sources_scores_and_timing()
    {
        var result = Run("search", "Wi-Fi password", "--company", "acme", "--index", fixture.IndexPath, "--top", "1");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("faq.txt", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("ms", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"1\. \d\.\d{4}", result.Stdout);
    }

    [Fact]
    public void Stats_json_lists_both_companies_with_their_documents_and_chunks()
    {
        var json = Run("stats", "--index", fixture.IndexPath, "--json").Json();
        Assert.Equal(384, json.GetProperty("dimensions").GetInt32());
        Assert.True(json.GetProperty("size_bytes").GetInt64() > 0);
        var companies = json.GetProperty("companies").EnumerateArray().ToDictionary(c => c.GetProperty("company").GetString()!);
        Assert.Equal(["acme", "globex"], companies.Keys.Order());
        Assert.Equal(3, companies["acme"].GetProperty("documents").GetInt32());
        Assert.Equal(2, companies["globex"].GetProperty("documents").GetInt32());
        Assert.Equal(5, json.GetProperty("documents").GetInt32());
        Assert.True(companies["globex"].GetProperty("chunks").GetInt32() >= 2);

        var acme = Run("stats", "--index", fixture.IndexPath, "--company", "acme", "--json").Json();
        var only = Assert.Single(acme.GetProperty("companies").EnumerateArray());
        Assert.Equal(Corpora.AcmeDocuments, only.GetProperty("document_ids").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public void Ingesting_the_same_folder_again_skips_every_document()
    {
        var json = Run("ingest", "globex", "--company", "globex", "--index", fixture.IndexPath, "--json").Json();
        Assert.Equal(0, json.GetProperty("ingested").GetInt32());
        Assert.Equal(2, json.GetProperty("unchanged").GetInt32());
        Assert.Equal(0, json.GetProperty("chunks").GetInt64());
    }
}
