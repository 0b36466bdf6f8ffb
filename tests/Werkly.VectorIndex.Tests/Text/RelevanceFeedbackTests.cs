using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Tests.Text;

public class RelevanceFeedbackTests
{
    [Fact]
    public void Rm3_weights_terms_by_their_share_of_each_weighted_feedback_document()
    {
        // D1 (weight 1): "heat" + "heat transfer flow" → heat ×2, transfer, flow; length 4.
        // D2 (weight 0.5): "wing flow" → wing, flow; length 2.
        // Relevance model: heat 1·2/4 = 0.5; flow 1·1/4 + 0.5·1/2 = 0.5; transfer 0.25; wing 0.25.
        // Three terms: flow and heat (0.5, ordinal order), then transfer (ties with wing, ordinal). Mass 1.25.
        // λ = 0.5, query "heat flow": heat = 0.5·1/2 + 0.5·0.5/1.25 = 0.45; flow = 0.45; transfer = 0.5·0.25/1.25 = 0.1.
        var terms = RelevanceFeedback.Expand(TextAnalyzer.English, "heat flow",
            [new FeedbackDocument("heat", "heat transfer flow", 1), new FeedbackDocument(null, "wing flow", 0.5)], terms: 3, originalWeight: 0.5);
        Assert.Equal(["heat", "flow", "transfer"], terms.Select(t => t.Term));
        Assert.Equal([0.45, 0.45, 0.1], terms.Select(t => Math.Round(t.Weight, 12)));
        Assert.Equal(1.0, terms.Sum(t => t.Weight), 12);
    }

    [Fact]
    public void Without_feedback_or_with_lambda_one_the_query_is_unchanged()
    {
        var alone = RelevanceFeedback.Expand(TextAnalyzer.English, "heat heat flow", [], 10, 0.5);
        Assert.Equal([new WeightedTerm("heat", 2.0 / 3), new WeightedTerm("flow", 1.0 / 3)], alone);
        var lambdaOne = RelevanceFeedback.Expand(TextAnalyzer.English, "heat heat flow", [new FeedbackDocument(null, "wing", 1)], 10, 1);
        Assert.Equal(alone, lambdaOne);
        Assert.Throws<ArgumentOutOfRangeException>(() => RelevanceFeedback.Expand(TextAnalyzer.English, "q", [new FeedbackDocument(null, "x", 0)], 10, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => RelevanceFeedback.Expand(TextAnalyzer.English, "q", [], 0, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => RelevanceFeedback.Expand(TextAnalyzer.English, "q", [], 10, 1.5));
    }

    [Fact]
    public void Weighted_terms_of_a_text_search_exactly_like_the_text()
    {
        using var index = new InvertedIndex();
        index.UpsertRange(Cranfield.Dataset.Corpus.Select(d => new KeywordDocument(d.Id, d.Title, d.Text)));
        foreach (var query in Cranfield.Dataset.Queries.Take(40))
        {
            var byText = index.Search(query.Text, 50);
            var byTerms = index.Search(WeightedTerm.FromText(index.Analyzer, query.Text), 50);
            Assert.Equal(byText, byTerms);
        }
        // A weight multiplies the term's contribution; a term given twice adds its weights.
        var once = index.Search([new WeightedTerm("flutter", 1)], 5);
        var twice = index.Search([new WeightedTerm("flutter", 1.5), new WeightedTerm("flutter", 0.5)], 5);
        Assert.Equal(once.Select(h => h.Key), twice.Select(h => h.Key));
        for (var i = 0; i < once.Length; i++) Assert.Equal(2 * once[i].Score, twice[i].Score, 9);
        Assert.Throws<ArgumentException>(() => index.Search([new WeightedTerm("flutter", 0)], 5));
        Assert.Throws<ArgumentException>(() => index.Search([new WeightedTerm("", 1)], 5));
    }
}
