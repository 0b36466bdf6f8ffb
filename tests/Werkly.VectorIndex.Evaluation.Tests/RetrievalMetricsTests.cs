namespace Werkly.VectorIndex.Evaluation.Tests;

/// <summary>
/// The metrics against values worked out by hand (the arithmetic is in the comments), on a fixture that has graded
/// gains with ties, a judged non-relevant document, unjudged documents, fewer than k results, relevant documents
/// beyond each cut-off, a query whose judgments hold no relevant document, an unjudged query and tied scores.
/// </summary>
public sealed class RetrievalMetricsTests
{
    private const double Tolerance = 1e-12;

    // log2 values used below: log2(3) = 1.584962500721156, log2(5) = 2.321928094887362, log2(6) = 2.584962500721156.

    // q1: four relevant documents with gains 3, 2, 2, 1 (d2 and d5 tie at 2), one judged non-relevant (d4, gain 0).
    private static readonly Dictionary<string, int> Q1 = new() { ["d1"] = 3, ["d2"] = 2, ["d3"] = 1, ["d4"] = 0, ["d5"] = 2 };

    // Six results only (fewer than k = 10); x1 and x2 are unjudged; d2 is never found.
    private static readonly string[] Q1Ranking = ["d4", "d1", "x1", "d5", "d3", "x2"];

    [Fact]
    public void Ndcg_at_10_with_graded_gains_tied_gains_and_fewer_than_10_results()
    {
        // DCG: rank 2 d1 3/log2(3) = 1.892789260714372; rank 4 d5 2/log2(5) = 0.861353116146786;
        //      rank 5 d3 1/log2(6) = 0.386852807234542; ranks 1 (gain 0), 3 and 6 (unjudged) add 0. Sum 3.140995184095700.
        // Ideal: gains 3, 2, 2, 1 at ranks 1-4: 3/1 + 2/log2(3) + 2/2 + 1/log2(5) = 3 + 1.261859507142915 + 1 + 0.430676558073393
        //        = 5.692536065216308 (the two gains of 2 tie; either order gives the same ideal).
        // nDCG@10 = 3.140995184095700 / 5.692536065216308 = 0.551774314314572.
        Assert.Equal(0.551774314314572, RetrievalMetrics.Ndcg(Q1Ranking, Q1, 10), Tolerance);
    }

    [Fact]
    public void Ndcg_cut_off_counts_only_the_top_k_on_both_sides()
    {
        // k = 2: DCG = 0 (d4) + 3/log2(3) = 1.892789260714372; ideal = 3 + 2/log2(3) = 4.261859507142915.
        // nDCG@2 = 0.444122866448798.
        Assert.Equal(0.444122866448798, RetrievalMetrics.Ndcg(Q1Ranking, Q1, 2), Tolerance);
    }

    [Fact]
    public void Average_precision_divides_by_all_relevant_documents_found_or_not()
    {
        // Relevant at ranks 2, 4, 5: precisions 1/2, 2/4, 3/5; sum 1.6; four relevant judged (d2 never found): 1.6/4 = 0.4.
        Assert.Equal(0.4, RetrievalMetrics.AveragePrecision(Q1Ranking, Q1, 100), Tolerance);
    }

    [Fact]
    public void Recall_and_precision_with_fewer_than_k_results()
    {
        // Recall@100: 3 of 4 relevant = 0.75. P@10: 3 relevant / 10 (k, not the 6 returned) = 0.3.
        Assert.Equal(0.75, RetrievalMetrics.Recall(Q1Ranking, Q1, 100), Tolerance);
        Assert.Equal(0.3, RetrievalMetrics.Precision(Q1Ranking, Q1, 10), Tolerance);
        // P@4: d1 and d5 in the top 4: 2/4 = 0.5.
        Assert.Equal(0.5, RetrievalMetrics.Precision(Q1Ranking, Q1, 4), Tolerance);
    }

    [Fact]
    public void A_query_without_relevant_documents_scores_zero_everywhere()
    {
        var judgments = new Dictionary<string, int> { ["d1"] = 0, ["d2"] = -1 };
        string[] ranking = ["d1", "d2", "d3"];
        Assert.Equal(0, RetrievalMetrics.Ndcg(ranking, judgments, 10));
        Assert.Equal(0, RetrievalMetrics.AveragePrecision(ranking, judgments, 100));
        Assert.Equal(0, RetrievalMetrics.Recall(ranking, judgments, 100));
        Assert.Equal(0, RetrievalMetrics.Precision(ranking, judgments, 10));
    }

    [Fact]
    public void An_empty_ranking_scores_zero()
    {
        Assert.Equal(0, RetrievalMetrics.Ndcg([], Q1, 10));
        Assert.Equal(0, RetrievalMetrics.AveragePrecision([], Q1, 100));
        Assert.Equal(0, RetrievalMetrics.Recall([], Q1, 100));
        Assert.Equal(0, RetrievalMetrics.Precision([], Q1, 10));
    }

    [Fact]
    public void Tied_scores_are_ranked_by_document_id_descending_as_trec_eval_does()
    {
        // d2 and d3 tie at 0.5: trec_eval orders equal scores by docno descending, so d3 comes before d2.
        var ranking = RetrievalMetrics.RankByScore([new("d2", 0.5), new("d1", 0.9), new("d3", 0.5)]);
        Assert.Equal(["d1", "d3", "d2"], ranking);

        // Only d2 is relevant (gain 1), now at rank 3. nDCG@10 = (1/log2(4)) / (1/log2(2)) = 0.5;
        // AP@100 = (1/3) / 1 = 0.333…; Recall@100 = 1; P@10 = 1/10.
        var judgments = new Dictionary<string, int> { ["d2"] = 1 };
        var scores = RetrievalMetrics.Score("q4", ranking, judgments);
        Assert.Equal(new QueryScores("q4", 0.5, 1.0 / 3, 1, 0.1), scores);
    }

    [Fact]
    public void Relevant_documents_beyond_each_cut_off_do_not_count()
    {
        // a at rank 11 (outside nDCG@10 and P@10, inside AP@100 and Recall@100), b at rank 101 (outside all).
        var ranking = Enumerable.Range(1, 10).Select(i => $"x{i}").Append("a")
            .Concat(Enumerable.Range(11, 89).Select(i => $"x{i}")).Append("b").ToArray();
        Assert.Equal("a", ranking[10]);
        Assert.Equal("b", ranking[100]);
        var judgments = new Dictionary<string, int> { ["a"] = 1, ["b"] = 1 };
        // nDCG@10 0; AP@100 = (1/11) / 2 = 0.0454…; Recall@100 = 1/2; P@10 = 0.
        Assert.Equal(new QueryScores("q5", 0, 1.0 / 22, 0.5, 0), RetrievalMetrics.Score("q5", ranking, judgments));
    }

    [Fact]
    public void Evaluate_averages_over_judged_queries_including_those_without_relevant_documents()
    {
        var dataset = new BeirDataset(
            corpus: [],
            queries: [new("q1", "one"), new("q2", "two"), new("q3", "unjudged"), new("q4", "four"), new("q5", "five")],
            judgments: new Dictionary<string, IReadOnlyDictionary<string, int>>
            {
                ["q1"] = Q1,
                ["q2"] = new Dictionary<string, int> { ["d1"] = 0 },
                ["q4"] = new Dictionary<string, int> { ["d2"] = 1 },
                ["q5"] = new Dictionary<string, int> { ["a"] = 1, ["b"] = 1 },
            });
        var rankings = new Dictionary<string, string[]>
        {
            ["q1"] = Q1Ranking,
            ["q2"] = ["d1"],
            ["q4"] = ["d1", "d3", "d2"],
            ["q5"] = [.. Enumerable.Range(1, 10).Select(i => $"x{i}"), "a"],
        };
        var asked = new List<string>();
        var perQuery = RetrievalMetrics.EvaluatePerQuery(dataset, q =>
        {
            asked.Add(q.Id);
            return rankings[q.Id];
        });
        Assert.Equal(["q1", "q2", "q4", "q5"], asked); // q3 has no judgments: not run, not averaged
        Assert.Equal(["q1", "q2", "q4", "q5"], perQuery.Select(s => s.QueryId));

        // Means over 4 queries (q2 contributes 0 to each):
        // nDCG@10:    (0.551774314314572 + 0 + 0.5 + 0) / 4     = 0.262943578578643
        // MAP@100:    (0.4 + 0 + 0.333333333333333 + 0.045454545454545) / 4 = 0.194696969696970
        // Recall@100: (0.75 + 0 + 1 + 0.5) / 4                  = 0.5625
        // P@10:       (0.3 + 0 + 0.1 + 0) / 4                   = 0.1
        var mean = RetrievalMetrics.Mean(perQuery);
        Assert.Equal(4, mean.Queries);
        Assert.Equal(0.262943578578643, mean.Ndcg10, Tolerance);
        Assert.Equal(0.194696969696970, mean.Map100, Tolerance);
        Assert.Equal(0.5625, mean.Recall100, Tolerance);
        Assert.Equal(0.1, mean.Precision10, Tolerance);
        Assert.Equal(mean, RetrievalMetrics.Evaluate(dataset, q => rankings[q.Id]));
    }

    [Fact]
    public void Bad_input_is_rejected_with_a_named_problem()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RetrievalMetrics.Ndcg(Q1Ranking, Q1, 0));
        var twice = Assert.Throws<ArgumentException>(() => RetrievalMetrics.Precision(["d1", "x", "d1"], Q1, 10));
        Assert.Contains("'d1' twice", twice.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => RetrievalMetrics.Recall([null!], Q1, 10));
        Assert.Throws<ArgumentException>(() => RetrievalMetrics.RankByScore([new("a", double.NaN)]));
        Assert.Equal(new RetrievalScores(0, 0, 0, 0, 0), RetrievalMetrics.Mean([]));
    }
}
