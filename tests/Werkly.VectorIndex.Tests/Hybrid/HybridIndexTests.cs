using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Tests.Storage;

namespace Werkly.VectorIndex.Tests.Hybrid;

public class HybridIndexTests
{
    private const int Dimensions = 64;

    /// <summary>A deterministic stand-in for an embedding model: hashed bag of lower-cased words.</summary>
    private static ValueTask<ReadOnlyMemory<float>> EmbedAsync(string text, CancellationToken _) => ValueTask.FromResult(Embed(text));

    private static ReadOnlyMemory<float> Embed(string text)
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

    private static WerklyIndexOptions Options => new() { Dimensions = Dimensions, QueryEmbedder = EmbedAsync };

    private static VectorRecord Record(string key, string text, string? title = null, IReadOnlyDictionary<string, MetadataValue>? metadata = null) =>
        new(key, Embed(text), metadata) { Title = title, Text = text };

    private static SearchQuery Query(string text, SearchMode mode = SearchMode.Hybrid, int top = 10) => new() { Text = text, Mode = mode, Top = top };

    private static readonly VectorRecord[] Handbook =
    [
        Record("vacation#0", "Employees receive 25 vacation days per year. Unused vacation days carry over until March.", "Vacation policy", new Dictionary<string, MetadataValue> { ["document"] = "vacation.md" }),
        Record("expenses#0", "Submit expense reports within 30 days with receipts attached.", "Expenses"),
        Record("security#0", "Report phishing e-mails to security@example.com immediately.", "Information security"),
        Record("laptop#0", "Every new hire receives a laptop on the first day.", "IT equipment"),
    ];

    [Theory]
    [InlineData(SearchMode.Hybrid)]
    [InlineData(SearchMode.Vector)]
    [InlineData(SearchMode.Keyword)]
    public void Every_mode_finds_the_matching_record_and_projects_text_and_metadata(SearchMode mode)
    {
        using var index = new WerklyIndex(Options);
        index.Apply("acme", Handbook, []);
        var hits = index.Search("acme", Query("how many vacation days per year", mode, top: 3) with
        {
            Include = RecordFields.Text | RecordFields.Metadata,
            Explain = true,
        });
        Assert.Equal("vacation#0", hits[0].Key);
        Assert.StartsWith("Employees receive 25", hits[0].Text);
        Assert.Equal("Vacation policy", hits[0].Title);
        Assert.Equal("vacation.md", hits[0].Metadata!["document"].AsString());
        Assert.DoesNotContain(hits[0].Metadata!.Keys, k => k.StartsWith("werkly:", StringComparison.Ordinal));
        Assert.NotNull(hits[0].Explanation);
        if (mode != SearchMode.Keyword) Assert.Equal(1, hits[0].Explanation!.VectorRank);
        if (mode != SearchMode.Vector) Assert.Equal(1, hits[0].Explanation!.KeywordRank);
    }

    [Fact]
    public void Companies_never_see_each_other_and_deletes_show_at_once()
    {
        using var index = new WerklyIndex(Options);
        index.Apply("acme", Handbook, []);
        index.Apply("globex", [Record("g#0", "Globex vacation rules: 30 days")], []);
        var query = Query("vacation days");
        Assert.All(index.Search("globex", query), h => Assert.StartsWith("g#", h.Key));
        Assert.DoesNotContain(index.Search("acme", query), h => h.Key.StartsWith("g#", StringComparison.Ordinal));
        Assert.True(index.Delete("acme", "vacation#0"));
        foreach (var mode in Enum.GetValues<SearchMode>())
            Assert.DoesNotContain(index.Search("acme", query with { Mode = mode }), h => h.Key == "vacation#0");
        Assert.Throws<CompanyNotFoundException>(() => index.Search("initech", query));
    }

    [Fact]
    public void A_reopened_index_rebuilds_keyword_search_from_the_stored_texts()
    {
        using var temp = new TempDirectory("hybrid");
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            index.Apply("acme", Handbook, []);
            index.Commit();
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            var hits = index.Search("acme", Query("phishing", SearchMode.Keyword));
            Assert.Equal("security#0", Assert.Single(hits).Key);
            index.Apply("acme", [Record("phishing#1", "Phishing drills run every quarter.")], ["security#0"]);
            Assert.Equal("phishing#1", Assert.Single(index.Search("acme", Query("phishing", SearchMode.Keyword))).Key);
        }
    }

    [Fact]
    public void Bad_input_is_refused_with_a_clear_error()
    {
        using var index = new WerklyIndex(Options);
        var reserved = Record("x", "text", metadata: new Dictionary<string, MetadataValue> { ["werkly:text"] = "spoof" });
        Assert.Throws<ArgumentException>(() => index.Apply("acme", [reserved], []));
        Assert.Throws<InvalidIdentifierException>(() => index.Apply("bad company", Handbook, []));
        Assert.False(index.ContainsCompany("acme")); // a refused write creates nothing
        using var noEmbedder = new WerklyIndex(Options with { QueryEmbedder = null });
        noEmbedder.Apply("acme", Handbook, []);
        var ex = Assert.Throws<ArgumentException>(() => noEmbedder.Search("acme", Query("vacation")));
        Assert.Contains("QueryEmbedder", ex.Message);
        Assert.NotEmpty(noEmbedder.Search("acme", Query("vacation") with { Vector = Embed("vacation") }));
        Assert.NotEmpty(noEmbedder.Search("acme", Query("vacation", SearchMode.Keyword)));
    }
}
