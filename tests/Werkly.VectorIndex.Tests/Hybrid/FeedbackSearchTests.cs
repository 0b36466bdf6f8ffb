using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Tests.Hybrid;

/// <summary>Pseudo-relevance feedback (<see cref="SearchQuery.Feedback"/>) through the index's own hybrid search.</summary>
public sealed class FeedbackSearchTests : IDisposable
{
    private static readonly (string Key, string Text, float[] Vector)[] Records =
    [
        ("d1", "cats purr softly", [1, 0]),
        ("d2", "cats and kittens purr", [0.9f, 0.1f]),
        ("d3", "kittens sleep all day", [0.2f, 1]),
        ("d4", "dogs bark at night", [-1, 0.1f]),
    ];

    private readonly WerklyIndex _index = new(new WerklyIndexOptions { Dimensions = 2 });

    public FeedbackSearchTests() =>
        _index.Upsert("c", [.. Records.Select(r => new VectorRecord(r.Key, r.Vector) { Text = r.Text })]);

    public void Dispose() => _index.Dispose();

    private static SearchQuery Query(FeedbackOptions? feedback) => new()
    {
        Text = "cats",
        Vector = new float[] { 1, 0 },
        Top = 4,
        Explain = true,
        Fusion = new FusionOptions { Method = FusionMethod.DistributionBased },
        Feedback = feedback,
    };

    [Fact]
    public void Keyword_feedback_finds_documents_through_the_best_hits_terms()
    {
        // First pass: "cats" matches d1 and d2 only; with two feedback documents their terms (cat, purr, softli, kitten)
        // expand the keyword query, so the second keyword pass also finds d3 through "kitten".
        var feedback = new FeedbackOptions { Documents = 2, ExpansionTerms = 5, VectorFeedbackWeight = 0, SecondPassWeight = 1 };
        var without = _index.Search("c", Query(null));
        Assert.Null(without.Single(h => h.Key == "d3").Explanation!.KeywordRank);
        var with = _index.Search("c", Query(feedback));
        Assert.Equal(3, with.Single(h => h.Key == "d3").Explanation!.KeywordRank);
        // The expanded query is exactly RM3's: searching it directly gives the second pass's keyword scores.
        using var keywords = new InvertedIndex();
        keywords.UpsertRange([.. Records.Select(r => new KeywordDocument(r.Key, null, r.Text))]);
        var expanded = RelevanceFeedback.Expand(keywords.Analyzer, "cats",
            [new FeedbackDocument(null, "cats purr softly", 1), new FeedbackDocument(null, "cats and kittens purr", 0.5)], 5, 0.5);
        var direct = keywords.Search(expanded, 10);
        foreach (var hit in direct)
            Assert.Equal(hit.Score, with.Single(h => h.Key == hit.Key).Explanation!.KeywordScore!.Value, 12);
    }

    [Fact]
    public void Vector_feedback_searches_with_the_rocchio_vector()
    {
        // λ = 1 turns keyword expansion off; γ = 1 keeps the second pass alone. Rocchio: q/|q| + β · mean(d1, d2), the
        // stored vectors being unit length under cosine.
        var feedback = new FeedbackOptions { Documents = 2, OriginalQueryWeight = 1, VectorFeedbackWeight = 0.5, SecondPassWeight = 1 };
        var with = _index.Search("c", Query(feedback));
        var d2 = new[] { 0.9 / Math.Sqrt(0.82), 0.1 / Math.Sqrt(0.82) };
        var rocchio = new[] { (float)(1 + 0.5 * (1 + d2[0]) / 2), (float)(0.5 * d2[1] / 2) };
        var direct = _index.Search("c", new SearchQuery { Mode = SearchMode.Vector, Vector = rocchio, Top = 4 });
        foreach (var hit in direct)
            Assert.Equal(hit.Score, with.Single(h => h.Key == hit.Key).Explanation!.VectorScore!.Value, 6);
        // The keyword side is the first pass's: "cats" still matches d1 and d2 only.
        Assert.Equal(2, with.Count(h => h.Explanation!.KeywordRank is not null));
    }

    [Fact]
    public void Feedback_honours_the_filter_and_is_refused_outside_hybrid_search()
    {
        var feedback = new FeedbackOptions { Documents = 2, SecondPassWeight = 1 };
        var filtered = _index.Search("c", Query(feedback) with { Filter = (key, _) => key != "d3" });
        Assert.DoesNotContain(filtered, h => h.Key == "d3");
        Assert.Throws<ArgumentException>(() => _index.Search("c", Query(feedback) with { Mode = SearchMode.Vector }));
        Assert.Throws<ArgumentException>(() => _index.Search("c", Query(feedback) with { Mode = SearchMode.Keyword }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _index.Search("c", Query(new FeedbackOptions { Documents = 0 })));
        Assert.Throws<ArgumentOutOfRangeException>(() => _index.Search("c", Query(new FeedbackOptions { SecondPassWeight = 1.5 })));
    }

    [Fact]
    public void Default_feedback_ranks_deterministically_and_keeps_first_pass_agreement()
    {
        var first = _index.Search("c", Query(FeedbackOptions.Default));
        var second = _index.Search("c", Query(FeedbackOptions.Default));
        Assert.Equal(first.Select(h => (h.Key, h.Score)), second.Select(h => (h.Key, h.Score)));
        Assert.Equal("d1", first[0].Key); // best on both sides in both passes
        Assert.Equal("d4", first[^1].Key);
    }
}
