using System.Globalization;

namespace Werkly.VectorIndex.Cli.Tests;

/// <summary>The search options of issue 14 (--fusion, --alpha, --feedback, --min-score, --per-document, --model), through the tool.</summary>
public sealed class SearchOptionsTests(IngestedIndexFixture fixture) : IClassFixture<IngestedIndexFixture>
{
    private ToolResult Search(params string[] args) =>
        WerklyTool.Run(fixture.Folder.Path, ["search", "Where are vacation days and holidays explained?", "--company", "acme", "--index", fixture.IndexPath, "--json", .. args]);

    [Fact]
    public void Min_score_returns_fewer_hits_than_top_when_the_rest_score_lower()
    {
        var all = Search("--top", "5").Json().GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("score").GetDouble()).ToList();
        Assert.True(all.Count >= 2, $"{all.Count} hits");
        var floor = (all[1] + 1e-6).ToString("R", CultureInfo.InvariantCulture);
        var kept = Search("--top", "5", "--min-score", floor).Json().GetProperty("hits").EnumerateArray().ToList();
        Assert.Single(kept);
        Assert.Equal(all[0], kept[0].GetProperty("score").GetDouble(), 6);
    }

    [Fact]
    public void Per_document_lists_each_document_once()
    {
        var chunks = Search("--top", "10").Json().GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("document").GetString()).ToList();
        var documents = Search("--top", "10", "--per-document").Json().GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("document").GetString()).ToList();
        Assert.Equal(documents.Distinct().Count(), documents.Count);
        Assert.Equal(chunks.Distinct().Take(documents.Count), documents); // max aggregation keeps the order of each document's best chunk
        var summed = Search("--top", "2", "--per-document", "sum2").Json().GetProperty("hits").EnumerateArray().ToList();
        Assert.InRange(summed.Count, 1, 2);
    }

    [Fact]
    public void Fusion_and_alpha_choose_how_the_sides_combine()
    {
        var keywordOnly = Search("--fusion", "weighted", "--alpha", "0", "--feedback", "off", "--top", "3").Json().GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("key").GetString()).ToList();
        var keyword = WerklyTool.Run(fixture.Folder.Path, "search", "Where are vacation days and holidays explained?", "--company", "acme", "--index", fixture.IndexPath,
            "--json", "--mode", "keyword", "--top", "3").Json().GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("key").GetString()).ToList();
        Assert.Equal(keyword, keywordOnly.Take(keyword.Count)); // α = 0 in one pass ranks the keyword side's hits first, in its order
        Assert.NotEmpty(Search("--fusion", "rrf", "--rrf-k", "10", "--explain").Json().GetProperty("hits").EnumerateArray());
    }

    [Fact]
    public void Bad_search_options_are_usage_errors()
    {
        foreach (var args in new[] { new[] { "--fusion", "average" }, ["--alpha", "1.5"], ["--model", "no-such-model"], ["--per-document", "sum0"], ["--rrf-k", "0"], ["--feedback", "maybe"] })
        {
            var result = Search(args);
            Assert.True(result.ExitCode == 2, $"{string.Join(' ', args)}: {result}");
        }
    }
}
