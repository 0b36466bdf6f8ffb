using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Hybrid;
using Werkly.VectorIndex.Tests.Storage;

namespace Werkly.VectorIndex.Tests.Hybrid;

public class HybridIndexTests
{
    private const int Dimensions = 64;

    /// <summary>A deterministic stand-in for an embedding model: hashed bag of lower-cased words.</summary>
    private static ReadOnlyMemory<float> Embed(string text, CancellationToken _ = default)
    {
        var v = new float[Dimensions];
        foreach (var word in text.ToLowerInvariant().Split([' ', '.', ',', '?'], StringSplitOptions.RemoveEmptyEntries))
        {
            uint h = 2166136261;
            foreach (var c in word) h = (h ^ c) * 16777619;
            v[h % Dimensions] += 1;
        }
        v[0] += 0.01f;
        return v;
    }

    private static HybridIndexOptions Options => new() { Vector = new VectorIndexOptions { Dimensions = Dimensions }, QueryEmbedder = Embed };

    private static HybridRecord Record(string key, string text, string? title = null, IReadOnlyDictionary<string, MetadataValue>? metadata = null) =>
        new(key, Embed(text), title, text, metadata);

    private static readonly HybridRecord[] Handbook =
    [
        Record("vacation#0", "Employees receive 25 vacation days per year. Unused vacation days carry over until March.", "Vacation policy", new Dictionary<string, MetadataValue> { ["document"] = "vacation.md" }),
        Record("expenses#0", "Submit expense reports within 30 days with receipts attached.", "Expenses"),
        Record("security#0", "Report phishing e-mails to security@example.com immediately.", "Information security"),
        Record("laptop#0", "Every new hire receives a laptop on the first day.", "IT equipment"),
    ];

    [Theory]
    [InlineData(HybridSearchMode.Hybrid)]
    [InlineData(HybridSearchMode.Vector)]
    [InlineData(HybridSearchMode.Keyword)]
    public void Every_mode_finds_the_matching_record_and_projects_text_and_metadata(HybridSearchMode mode)
    {
        using var index = new HybridIndex(Options);
        index.Apply("acme", Handbook, []);
        var hits = index.Search("acme", new HybridQuery("how many vacation days per year")
        {
            Include = HybridProjection.Text | HybridProjection.Metadata,
            Fusion = new FusionOptions { Top = 3, Explain = true },
        }, mode);
        Assert.Equal("vacation#0", hits[0].Key);
        Assert.StartsWith("Employees receive 25", hits[0].Text);
        Assert.Equal("vacation.md", hits[0].Metadata!["document"].AsString());
        Assert.DoesNotContain(hits[0].Metadata!.Keys, k => k.StartsWith("werkly:", StringComparison.Ordinal));
        Assert.NotNull(hits[0].Explanation);
        if (mode != HybridSearchMode.Keyword) Assert.Equal(1, hits[0].Explanation!.VectorRank);
        if (mode != HybridSearchMode.Vector) Assert.Equal(1, hits[0].Explanation!.KeywordRank);
    }

    [Fact]
    public void Companies_never_see_each_other_and_deletes_show_at_once()
    {
        using var index = new HybridIndex(Options);
        index.Apply("acme", Handbook, []);
        index.Apply("globex", [Record("g#0", "Globex vacation rules: 30 days")], []);
        var query = new HybridQuery("vacation days") { Fusion = new FusionOptions { Top = 10 } };
        Assert.All(index.Search("globex", query), h => Assert.StartsWith("g#", h.Key));
        Assert.DoesNotContain(index.Search("acme", query), h => h.Key.StartsWith("g#", StringComparison.Ordinal));
        Assert.True(index.Delete("acme", "vacation#0"));
        foreach (var mode in Enum.GetValues<HybridSearchMode>())
            Assert.DoesNotContain(index.Search("acme", query, mode), h => h.Key == "vacation#0");
        Assert.Throws<CompanyNotFoundException>(() => index.Search("initech", query));
    }

    [Fact]
    public void A_reopened_index_rebuilds_keyword_search_from_the_stored_texts()
    {
        using var temp = new TempDirectory("hybrid");
        using (var index = HybridIndex.Open(temp.Path, Options))
        {
            index.Apply("acme", Handbook, []);
            index.Commit();
        }
        using (var index = HybridIndex.Open(temp.Path, Options))
        {
            var hits = index.Search("acme", new HybridQuery("phishing"), HybridSearchMode.Keyword);
            Assert.Equal("security#0", Assert.Single(hits).Key);
            index.Apply("acme", [Record("phishing#1", "Phishing drills run every quarter.")], ["security#0"]);
            Assert.Equal("phishing#1", Assert.Single(index.Search("acme", new HybridQuery("phishing"), HybridSearchMode.Keyword)).Key);
        }
    }

    [Fact]
    public void Bad_input_is_refused_with_a_clear_error()
    {
        using var index = new HybridIndex(Options);
        var reserved = Record("x", "text", metadata: new Dictionary<string, MetadataValue> { ["werkly:text"] = "spoof" });
        Assert.Throws<ArgumentException>(() => index.Apply("acme", [reserved], []));
        Assert.Throws<InvalidIdentifierException>(() => index.Apply("bad company", Handbook, []));
        using var noEmbedder = new HybridIndex(Options with { QueryEmbedder = null });
        noEmbedder.Apply("acme", Handbook, []);
        var ex = Assert.Throws<ArgumentException>(() => noEmbedder.Search("acme", new HybridQuery("vacation")));
        Assert.Contains("QueryEmbedder", ex.Message);
        Assert.NotEmpty(noEmbedder.Search("acme", new HybridQuery("vacation") { Vector = Embed("vacation") }));
        Assert.NotEmpty(noEmbedder.Search("acme", new HybridQuery("vacation"), HybridSearchMode.Keyword));
    }
}
