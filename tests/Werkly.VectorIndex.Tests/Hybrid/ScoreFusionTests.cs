using Werkly.VectorIndex.Hybrid;

namespace Werkly.VectorIndex.Tests.Hybrid;

public class ScoreFusionTests
{
    private static readonly RankedHit[] Vector = [new("a", 0.9), new("b", 0.8), new("c", 0.5)];
    private static readonly RankedHit[] Keyword = [new("c", 12.0), new("d", 6.0), new("a", 2.0)];

    [Fact]
    public void Weighted_score_fusion_min_max_normalizes_each_side()
    {
        var hits = ScoreFusion.Fuse(Vector, Keyword, new FusionOptions { Method = FusionMethod.WeightedScore, Alpha = 0.5 });
        // vector: a=1, b=0.75, c=0; keyword: c=1, d=0.4, a=0.
        Assert.Equal(["a", "c", "b", "d"], hits.Select(h => h.Key));
        Assert.Equal(0.5, hits[0].Score, 12);
        Assert.Equal(0.5, hits[1].Score, 12);
        Assert.Equal(0.375, hits[2].Score, 12);
        Assert.Equal(0.2, hits[3].Score, 12);
        var b = hits[2].Breakdown;
        Assert.Equal(2, b.VectorRank);
        Assert.Equal(0.8, b.VectorScore);
        Assert.Null(b.KeywordRank);
        Assert.Null(b.KeywordScore);
        Assert.Equal(0.375, b.VectorContribution, 12);
        Assert.Equal(0, b.KeywordContribution);
        Assert.Equal(FusionMethod.WeightedScore, b.Method);
    }

    [Fact]
    public void Alpha_one_is_pure_vector_and_zero_pure_keyword()
    {
        Assert.Equal(["a", "b", "c", "d"], ScoreFusion.Fuse(Vector, Keyword, new FusionOptions { Method = FusionMethod.WeightedScore, Alpha = 1 }).Select(h => h.Key));
        Assert.Equal(["c", "d", "a", "b"], ScoreFusion.Fuse(Vector, Keyword, new FusionOptions { Method = FusionMethod.WeightedScore, Alpha = 0 }).Select(h => h.Key));
    }

    [Fact]
    public void Reciprocal_rank_fusion_uses_ranks_with_k60()
    {
        var hits = ScoreFusion.Fuse(Vector, Keyword, new FusionOptions { Method = FusionMethod.ReciprocalRank });
        var expected = new Dictionary<string, double>
        {
            ["a"] = 1.0 / 61 + 1.0 / 63,
            ["b"] = 1.0 / 62,
            ["c"] = 1.0 / 63 + 1.0 / 61,
            ["d"] = 1.0 / 62,
        };
        Assert.Equal(["a", "c", "b", "d"], hits.Select(h => h.Key));
        foreach (var hit in hits) Assert.Equal(expected[hit.Key], hit.Score, 15);
        Assert.Equal(3, hits[1].Breakdown.VectorRank);
        Assert.Equal(1, hits[1].Breakdown.KeywordRank);
        Assert.Equal(12.0, hits[1].Breakdown.KeywordScore);
    }

    [Fact]
    public void Equal_scores_on_one_side_normalize_to_one_and_ties_order_by_key()
    {
        var hits = ScoreFusion.Fuse([new("z", 3), new("y", 3)], [], new FusionOptions { Method = FusionMethod.WeightedScore, Alpha = 0.5 });
        Assert.Equal(["y", "z"], hits.Select(h => h.Key));
        Assert.All(hits, h => Assert.Equal(0.5, h.Score));
        Assert.Empty(ScoreFusion.Fuse([], []));
    }

    [Fact]
    public void Bad_input_is_rejected_with_a_message_naming_it()
    {
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => ScoreFusion.Fuse([new("a", 1), new("a", 0.5)], [])).Message);
        Assert.Contains("non-finite", Assert.Throws<ArgumentException>(() => ScoreFusion.Fuse([], [new("a", double.NaN)])).Message);
        Assert.Throws<ArgumentException>(() => ScoreFusion.Fuse([new(null!, 1)], []));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScoreFusion.Fuse([], [], new FusionOptions { Alpha = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScoreFusion.Fuse([], [], new FusionOptions { RrfK = 0 }));
        Assert.Throws<ArgumentNullException>(() => ScoreFusion.Fuse(null!, []));
    }

    [Fact]
    public void Search_queries_validate_their_settings()
    {
        new SearchQuery { Text = "text" }.Validate();
        Assert.Equal(100, new SearchQuery { Text = "q" }.EffectiveCandidatesPerSide);
        Assert.Equal(250, new SearchQuery { Text = "q", Skip = 200, Top = 50 }.EffectiveCandidatesPerSide);
        Assert.Throws<ArgumentException>(() => new SearchQuery().Validate()); // neither text nor vector
        Assert.Throws<ArgumentException>(() => new SearchQuery { Mode = SearchMode.Keyword, Vector = new float[] { 1 } }.Validate());
        new SearchQuery { Mode = SearchMode.Vector, Vector = new float[] { 1 } }.Validate();
        Assert.Throws<ArgumentException>(() => new SearchQuery { Text = "q", Vector = new float[] { 1, float.NaN } }.Validate());
        Assert.Throws<ArgumentException>(() => new SearchQuery { Text = "q", Vector = Array.Empty<float>() }.Validate());
        Assert.Throws<ArgumentException>(() => new SearchQuery { Text = "q\ud800" }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SearchQuery { Text = "q", CandidatesPerSide = 5, Top = 10 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SearchQuery { Text = "q", Include = (RecordFields)64 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SearchQuery { Text = "q", Skip = -1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SearchQuery { Text = "q", Top = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SearchQuery { Text = "q", Top = SearchQuery.MaxTop + 1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SearchQuery { Text = "q", Fusion = new FusionOptions { Alpha = 2 } }.Validate());
    }
}

public class HybridSearchTests
{
    private static WerklyIndex Index()
    {
        var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 2 });
        index.Apply("acme", [
            new VectorRecord("doc1", new float[] { 0.6f, 0.8f }) { Title = "Invoices", Text = "quarterly invoice totals" },
            new VectorRecord("doc2", new float[] { 1, 0.1f }) { Text = "payroll run for march" },
            new VectorRecord("doc3", new float[] { 0, 1 }) { Text = "invoice reminder" },
        ], []);
        return index;
    }

    [Fact]
    public void A_hybrid_search_fuses_exactly_what_each_side_returns_alone()
    {
        using var index = Index();
        var query = new SearchQuery { Text = "invoice", Vector = new float[] { 1, 0 }, Top = 3, Explain = true, CandidatesPerSide = 50, Fusion = new FusionOptions { Method = FusionMethod.ReciprocalRank } };
        var vector = index.Search("acme", query with { Mode = SearchMode.Vector, Top = 50 });
        var keyword = index.Search("acme", query with { Mode = SearchMode.Keyword, Top = 50 });
        var fused = ScoreFusion.Fuse([.. vector.Select(h => new RankedHit(h.Key, h.Score))], [.. keyword.Select(h => new RankedHit(h.Key, h.Score))], query.Fusion);
        var hybrid = index.Search("acme", query);
        Assert.Equal(fused.Select(h => (h.Key, h.Score)), hybrid.Select(h => (h.Key, h.Score)));
        Assert.Equal("doc1", hybrid[0].Key); // vector rank 2 + keyword rank 1
        Assert.Equal(2, hybrid[0].Explanation!.VectorRank);
        Assert.Equal(1, hybrid[0].Explanation!.KeywordRank);
        Assert.Equal(3, hybrid.Count);
    }

    [Fact]
    public void Paging_skips_and_takes_in_fused_order()
    {
        using var index = Index();
        var query = new SearchQuery { Text = "invoice", Vector = new float[] { 1, 0 }, Top = 100 };
        var all = index.Search("acme", query);
        var page = index.Search("acme", query with { Skip = 1, Top = 2 });
        Assert.Equal(all.Skip(1).Take(2).Select(h => h.Key), page.Select(h => h.Key));
        Assert.Empty(index.Search("acme", query with { Skip = 10 }));
        Assert.Null(page[0].Explanation);
        Assert.Null(page[0].Text);
    }
}
