using Werkly.VectorIndex.Hybrid;

namespace Werkly.VectorIndex.Tests.Hybrid;

public class ScoreFusionTests
{
    private static readonly RankedHit[] Vector = [new("a", 0.9), new("b", 0.8), new("c", 0.5)];
    private static readonly RankedHit[] Keyword = [new("c", 12.0), new("d", 6.0), new("a", 2.0)];

    [Fact]
    public void Weighted_score_fusion_min_max_normalizes_each_side()
    {
        var hits = ScoreFusion.Fuse(Vector, Keyword, new FusionOptions { Method = FusionMethod.WeightedScore, Alpha = 0.5, Explain = true });
        // vector: a=1, b=0.75, c=0; keyword: c=1, d=0.4, a=0.
        Assert.Equal(["a", "c", "b", "d"], hits.Select(h => h.Key));
        Assert.Equal(0.5, hits[0].Score, 12);
        Assert.Equal(0.5, hits[1].Score, 12);
        Assert.Equal(0.375, hits[2].Score, 12);
        Assert.Equal(0.2, hits[3].Score, 12);
        var b = hits[2].Explanation!;
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
        var hits = ScoreFusion.Fuse(Vector, Keyword, new FusionOptions { Method = FusionMethod.ReciprocalRank, Explain = true });
        var expected = new Dictionary<string, double>
        {
            ["a"] = 1.0 / 61 + 1.0 / 63,
            ["b"] = 1.0 / 62,
            ["c"] = 1.0 / 63 + 1.0 / 61,
            ["d"] = 1.0 / 62,
        };
        Assert.Equal(["a", "c", "b", "d"], hits.Select(h => h.Key));
        foreach (var hit in hits) Assert.Equal(expected[hit.Key], hit.Score, 15);
        Assert.Equal(3, hits[1].Explanation!.VectorRank);
        Assert.Equal(1, hits[1].Explanation!.KeywordRank);
        Assert.Equal(12.0, hits[1].Explanation!.KeywordScore);
    }

    [Fact]
    public void Paging_skips_and_takes_in_fused_order()
    {
        var all = ScoreFusion.Fuse(Vector, Keyword, new FusionOptions { Top = 100 });
        var page = ScoreFusion.Fuse(Vector, Keyword, new FusionOptions { Skip = 1, Top = 2 });
        Assert.Equal(all.Skip(1).Take(2), page);
        Assert.Empty(ScoreFusion.Fuse(Vector, Keyword, new FusionOptions { Skip = 10 }));
        Assert.Null(page[0].Explanation);
        Assert.Null(page[0].Text);
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
        Assert.Throws<ArgumentOutOfRangeException>(() => ScoreFusion.Fuse([], [], new FusionOptions { Skip = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScoreFusion.Fuse([], [], new FusionOptions { Top = 0 }));
        Assert.Throws<ArgumentNullException>(() => ScoreFusion.Fuse(null!, []));
    }

    [Fact]
    public void Hybrid_query_validates_its_settings()
    {
        new HybridQuery("text").Validate();
        Assert.Equal(100, new HybridQuery("q").EffectiveCandidatesPerSide);
        Assert.Equal(250, new HybridQuery("q") { Fusion = new FusionOptions { Skip = 200, Top = 50 } }.EffectiveCandidatesPerSide);
        Assert.Throws<ArgumentNullException>(() => new HybridQuery(null!));
        Assert.Throws<ArgumentException>(() => new HybridQuery("q") { Vector = new float[] { 1, float.NaN } }.Validate());
        Assert.Throws<ArgumentException>(() => new HybridQuery("q") { Vector = Array.Empty<float>() }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new HybridQuery("q") { CandidatesPerSide = 5, Fusion = new FusionOptions { Top = 10 } }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new HybridQuery("q") { Include = (HybridProjection)64 }.Validate());
    }
}

public class HybridSearchTests
{
    [Fact]
    public void Runs_both_sides_with_the_candidate_count_and_fuses_them()
    {
        using var keyword = new Werkly.VectorIndex.Text.InvertedIndex();
        keyword.Upsert("doc1", "Invoices", "quarterly invoice totals");
        keyword.Upsert("doc2", null, "payroll run for march");
        keyword.Upsert("doc3", null, "invoice reminder");
        var asked = new List<int>();
        HybridRetriever vector = (candidates, _) =>
        {
            lock (asked) asked.Add(candidates);
            return [new RankedHit("doc2", 0.9), new RankedHit("doc1", 0.7)];
        };
        var query = new HybridQuery("invoice") { Fusion = new FusionOptions { Method = FusionMethod.ReciprocalRank, Top = 3, Explain = true }, CandidatesPerSide = 50 };
        var sequential = HybridSearch.Search(query, vector, HybridSearch.Keyword(keyword, query.Text));
        var parallel = HybridSearch.Search(query, vector, HybridSearch.Keyword(keyword, query.Text), parallel: true);
        Assert.Equal([50, 50], asked);
        Assert.Equal(sequential.Select(h => (h.Key, h.Score)), parallel.Select(h => (h.Key, h.Score)));
        Assert.Equal("doc1", sequential[0].Key); // vector rank 2 + keyword rank 1
        Assert.Equal(2, sequential[0].Explanation!.VectorRank);
        Assert.Equal(1, sequential[0].Explanation!.KeywordRank);
        Assert.Equal(3, sequential.Count);
    }
}
