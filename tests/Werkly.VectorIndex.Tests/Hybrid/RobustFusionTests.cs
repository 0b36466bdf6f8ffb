using Werkly.VectorIndex.Hybrid;

namespace Werkly.VectorIndex.Tests.Hybrid;

/// <summary>The fusion methods of issue 14 against hand-computed values (population statistics over each side's
/// candidates), the score floor, many-list fusion and the two-pass fusion of pseudo-relevance feedback.</summary>
public class RobustFusionTests
{
    // vector: a 0.9, b 0.8, c 0.5 — mean 0.7333…, population sd 0.169967;
    // keyword: c 12, d 6, a 2 — mean 6.6667, population sd 4.109609.
    private static readonly RankedHit[] Vector = [new("a", 0.9), new("b", 0.8), new("c", 0.5)];
    private static readonly RankedHit[] Keyword = [new("c", 12.0), new("d", 6.0), new("a", 2.0)];

    [Fact]
    public void Z_scores_give_an_absent_hit_the_sides_lowest_z()
    {
        // z vector: a 0.980581, b 0.392232, c −1.372813; z keyword: c 1.297771, d −0.162221, a −1.135550.
        // b has no keyword hit: it gets the keyword side's lowest z (−1.135550); d gets the vector side's (−1.372813).
        // α = 0.5: c = (−1.372813 + 1.297771)/2 = −0.037521; a = (0.980581 − 1.135550)/2 = −0.077485;
        //          b = (0.392232 − 1.135550)/2 = −0.371659; d = (−1.372813 − 0.162221)/2 = −0.767517.
        var hits = ScoreFusion.Fuse(Vector, Keyword, new FusionOptions { Method = FusionMethod.ZScore });
        Assert.Equal(["c", "a", "b", "d"], hits.Select(h => h.Key));
        Assert.Equal(-0.037520788460594, hits[0].Score, 12);
        Assert.Equal(-0.077484636112209, hits[1].Score, 12);
        Assert.Equal(-0.371658838819485, hits[2].Score, 12);
        Assert.Equal(-0.767517183549026, hits[3].Score, 12);
        Assert.Equal(0.5 * -1.135549947915338, hits[2].Breakdown.KeywordContribution, 12);
        Assert.Null(hits[2].Breakdown.KeywordRank);
    }

    [Fact]
    public void Distribution_based_fusion_maps_mean_plus_minus_three_sd_to_zero_and_one()
    {
        // vector: low = 0.733333 − 3 · 0.169967 = 0.223431, span 6 · 0.169967 = 1.019804:
        //   a (0.9 − 0.223431)/1.019804 = 0.663430, b 0.565372, c 0.271198.
        // keyword: low = 6.666667 − 12.328828 = −5.662161, span 24.657655: c 0.716295, d 0.472963, a 0.310742.
        // α = 0.5, absent = 0: c = 0.493747, a = 0.487086, b = 0.282686, d = 0.236482.
        var hits = ScoreFusion.Fuse(Vector, Keyword, new FusionOptions { Method = FusionMethod.DistributionBased });
        Assert.Equal(["c", "a", "b", "d"], hits.Select(h => h.Key));
        Assert.Equal(0.493746535256568, hits[0].Score, 12);
        Assert.Equal(0.487085893981298, hits[1].Score, 12);
        Assert.Equal(0.282686022523031, hits[2].Score, 12);
        Assert.Equal(0.236481548239103, hits[3].Score, 12);
    }

    [Fact]
    public void One_outlier_squeezes_min_max_but_not_distribution_based_fusion()
    {
        // 20 vector hits: one at 100, nineteen at 1. Mean 5.95, population sd 21.576550, so mean + 3 sd = 70.68 < 100:
        // the outlier is clipped to 1, and the others sit at (1 − (5.95 − 64.729649)) / 129.459299 = 0.461764, not 0.
        RankedHit[] vector = [new("outlier", 100), .. Enumerable.Range(0, 19).Select(i => new RankedHit($"d{i:00}", 1))];
        var dbsf = ScoreFusion.Fuse(vector, [], new FusionOptions { Method = FusionMethod.DistributionBased, Alpha = 1 });
        Assert.Equal(1.0, dbsf[0].Score, 12);
        Assert.All(dbsf.Skip(1), h => Assert.Equal(0.461764044354906, h.Score, 12));
        var minMax = ScoreFusion.Fuse(vector, [], new FusionOptions { Method = FusionMethod.WeightedScore, Alpha = 1 });
        Assert.All(minMax.Skip(1), h => Assert.Equal(0, h.Score));
    }

    [Fact]
    public void Equal_scores_map_to_one_for_dbsf_and_zero_for_z()
    {
        RankedHit[] same = [new("x", 3), new("y", 3)];
        Assert.All(ScoreFusion.Fuse(same, [], new FusionOptions { Method = FusionMethod.DistributionBased, Alpha = 1 }), h => Assert.Equal(1, h.Score));
        Assert.All(ScoreFusion.Fuse(same, [], new FusionOptions { Method = FusionMethod.ZScore, Alpha = 1 }), h => Assert.Equal(0, h.Score));
    }

    [Fact]
    public void Min_score_drops_results_below_the_floor_before_paging()
    {
        // Min-max, α = 0.5 (see ScoreFusionTests): doc1 and doc3 match "invoice"; all three have vectors.
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 2 });
        index.Upsert("acme", [
            new VectorRecord("doc1", new float[] { 0.6f, 0.8f }) { Text = "quarterly invoice totals" },
            new VectorRecord("doc2", new float[] { 1, 0.1f }) { Text = "payroll run for march" },
            new VectorRecord("doc3", new float[] { 0, 1 }) { Text = "invoice reminder" },
        ]);
        var query = new SearchQuery { Text = "invoice", Vector = new float[] { 1, 0 }, Fusion = new FusionOptions { Method = FusionMethod.WeightedScore } };
        var all = index.Search("acme", query);
        var floor = all[1].Score;
        var above = index.Search("acme", query with { MinScore = floor });
        Assert.Equal(all.Where(h => h.Score >= floor).Select(h => h.Key), above.Select(h => h.Key));
        Assert.True(above.Count < all.Count);
        Assert.Equal(above.Skip(1).Select(h => h.Key), index.Search("acme", query with { MinScore = floor, Skip = 1 }).Select(h => h.Key));
        Assert.Empty(index.Search("acme", query with { MinScore = 2 }));
        // Single-sided searches compare their own scores: cosine for vector, BM25 for keyword.
        Assert.All(index.Search("acme", query with { Mode = SearchMode.Vector, MinScore = 0.5 }), h => Assert.True(h.Score >= 0.5));
        Assert.Equal(["doc2"], index.Search("acme", query with { Mode = SearchMode.Vector, MinScore = 0.9 }).Select(h => h.Key));
        Assert.Throws<ArgumentOutOfRangeException>(() => (query with { MinScore = double.NaN }).Validate());
    }

    [Fact]
    public void Fusing_many_lists_with_two_of_them_equals_the_two_sided_fusion()
    {
        foreach (var method in Enum.GetValues<FusionMethod>())
        {
            var two = ScoreFusion.Fuse(Vector, Keyword, new FusionOptions { Method = method, Alpha = 0.3 });
            var many = ScoreFusion.FuseLists([Vector, Keyword], [0.3, 0.7], method);
            Assert.Equal(two.Select(h => h.Key), many.Select(h => h.Key));
            for (var i = 0; i < two.Count; i++) Assert.Equal(two[i].Score, many[i].Score, 12);
        }
        // A zero weight ignores its list's scores but still admits its hits (as absent elsewhere).
        var third = ScoreFusion.FuseLists([Vector, Keyword, [new RankedHit("e", 1)]], [0.5, 0.5, 0], FusionMethod.WeightedScore);
        Assert.Equal(0, third.Single(h => h.Key == "e").Score);
        Assert.Throws<ArgumentException>(() => ScoreFusion.FuseLists([Vector], [0.5, 0.5], FusionMethod.WeightedScore));
        Assert.Throws<ArgumentException>(() => ScoreFusion.FuseLists([Vector], [-1], FusionMethod.WeightedScore));
        Assert.Throws<ArgumentException>(() => ScoreFusion.FuseLists([[new RankedHit("a", 1), new RankedHit("a", 2)]], [1], FusionMethod.WeightedScore));
    }

    [Fact]
    public void Two_passes_weigh_each_pass_and_explain_the_second()
    {
        RankedHit[] secondVector = [new("b", 0.9), new("a", 0.7)];
        RankedHit[] secondKeyword = [new("b", 5.0), new("c", 1.0)];
        var options = new FusionOptions { Method = FusionMethod.WeightedScore, Alpha = 0.5 };
        // Min-max per list. First pass: vector a 1, b 0.75, c 0; keyword c 1, d 0.4, a 0.
        // Second pass: vector b 1, a 0; keyword b 1, c 0.
        // γ = 0.5: a = 0.5·(0.5·1 + 0.5·0) + 0.5·(0.5·0 + 0.5·0) = 0.25; b = 0.5·(0.375 + 0.5) + 0.5·(0 + 0.5) = 0.6875;
        //          c = 0.5·(0 + 0) + 0.5·(0.5 + 0) = 0.25; d = 0.5·0 + 0.5·(0.5·0.4) = 0.1.
        var hits = ScoreFusion.FuseTwoPasses(Vector, Keyword, secondVector, secondKeyword, 0.5, options);
        Assert.Equal(["b", "a", "c", "d"], hits.Select(h => h.Key));
        Assert.Equal([0.6875, 0.25, 0.25, 0.1], hits.Select(h => Math.Round(h.Score, 12)));
        Assert.Equal(1, hits[0].Breakdown.VectorRank);   // second pass
        Assert.Equal(0.4375, hits[0].Breakdown.VectorContribution, 12);
        Assert.Equal(0.25, hits[0].Breakdown.KeywordContribution, 12);
        // γ = 1 is the second pass alone.
        Assert.Equal(ScoreFusion.Fuse(secondVector, secondKeyword, options).Select(h => (h.Key, h.Score)),
            ScoreFusion.FuseTwoPasses(Vector, Keyword, secondVector, secondKeyword, 1, options).Select(h => (h.Key, h.Score)));
    }
}
