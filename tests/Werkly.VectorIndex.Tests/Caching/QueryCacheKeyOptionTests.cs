using Werkly.VectorIndex.Tests.Storage;

namespace Werkly.VectorIndex.Tests.Caching;

/// <summary>Every SearchQuery option that changes the result is part of the cache key (MinScore, GroupByDocument and Feedback were not).</summary>
public class QueryCacheKeyOptionTests
{
    private const int Dimensions = 16;

    private static float[] V(int seed) => TestData.Unit(TestData.Gaussian(new Random(seed), Dimensions));

    private static void Fill(WerklyIndex index)
    {
        // 30 documents of 10 chunks each: grouping by document changes the page.
        index.ReplaceDocuments("acme", [.. Enumerable.Range(0, 30).Select(d => new DocumentUpdate($"d{d}", "h",
            [.. Enumerable.Range(0, 10).Select(c => d * 10 + c).Select(i => new VectorRecord($"k{i}", V(i))
            {
                Title = $"doc {i}",
                Text = $"word{i % 7} common text {i}",
            })]))]);
    }

    public static TheoryData<string> Variants => new() { "MinScore", "GroupByDocument", "Feedback" };

    [Theory]
    [MemberData(nameof(Variants))]
    public void A_query_differing_only_in_a_result_changing_option_is_not_answered_from_the_cache(string variant)
    {
        var options = new WerklyIndexOptions { Dimensions = Dimensions, FlatSearchThreshold = 200 };
        using var cached = new WerklyIndex(options with { QueryCacheBytes = 4 << 20 });
        using var plain = new WerklyIndex(options);
        Fill(cached);
        Fill(plain);
        var baseQuery = new SearchQuery { Mode = SearchMode.Hybrid, Text = "word3 common", Vector = V(1000), Top = 10 };
        var other = variant switch
        {
            "MinScore" => baseQuery with { MinScore = 1e9 },                    // nothing reaches it: expect no results
            "GroupByDocument" => baseQuery with { GroupByDocument = new DocumentGrouping { Scoring = DocumentScoring.SumOfTopChunks, ChunksPerDocument = 5 } },
            _ => baseQuery with { Feedback = FeedbackOptions.Default with { VectorFeedbackWeight = 10, OriginalQueryWeight = 0 } },
        };
        var expected = plain.Search("acme", other).Select(r => (r.Key, r.Score)).ToArray();
        Assert.NotEqual(plain.Search("acme", baseQuery).Select(r => (r.Key, r.Score)), expected); // the option matters

        cached.Search("acme", baseQuery);                    // fills the cache
        var actual = cached.Search("acme", other).Select(r => (r.Key, r.Score)).ToArray();
        Assert.Equal(expected, actual);                      // fails: the base query's entry is returned
    }
}
