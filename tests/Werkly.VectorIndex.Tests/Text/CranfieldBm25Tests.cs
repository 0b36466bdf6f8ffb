using Werkly.VectorIndex.Evaluation;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Tests.Text;

public class CranfieldBm25Tests
{
    private static InvertedIndex Build(bool twoFields)
    {
        var index = new InvertedIndex();
        index.UpsertRange(Cranfield.Dataset.Corpus.Select(d => twoFields
            ? new KeywordDocument(d.Id, d.Title, d.Text)
            : new KeywordDocument(d.Id, null, d.Title + "\n" + d.Text)));
        return index;
    }

    private static RetrievalScores Evaluate(InvertedIndex index) =>
        RetrievalMetrics.Evaluate(Cranfield.Dataset, q => index.Search(q.Text, 100).Select(h => h.Key).ToList());

    [Fact]
    public void Bm25_with_title_and_body_reaches_nDCG10_of_at_least_037()
    {
        using var index = Build(twoFields: true);
        Assert.Equal(1400, index.Count);
        var scores = Evaluate(index);
        Assert.Equal(225, scores.Queries);
        Assert.True(scores.Ndcg10 >= 0.37, $"nDCG@10 {scores.Ndcg10:F4}");
    }

    [Fact]
    public void Matches_Lucene_BM25_within_001_nDCG10_with_one_and_with_two_fields()
    {
        foreach (var twoFields in new[] { false, true })
        {
            using var ours = Build(twoFields);
            using var lucene = new LuceneBm25(Cranfield.Dataset.Corpus, twoFields);
            var our = Evaluate(ours);
            var their = RetrievalMetrics.Evaluate(Cranfield.Dataset, q => lucene.Search(q.Text, 100));
            Assert.True(Math.Abs(our.Ndcg10 - their.Ndcg10) <= 0.01,
                $"twoFields={twoFields}: ours {our.Ndcg10:F4}, Lucene {their.Ndcg10:F4}");
            Assert.True(Math.Abs(our.Map100 - their.Map100) <= 0.01, $"MAP@100 ours {our.Map100:F4}, Lucene {their.Map100:F4}");
        }
    }

    [Fact]
    public void Pruned_search_equals_exhaustive_search_on_every_Cranfield_query()
    {
        using var index = Build(twoFields: true);
        foreach (var query in Cranfield.Dataset.Queries)
        {
            foreach (var top in new[] { 1, 10, 100 })
                Assert.Equal(index.SearchExhaustive(query.Text, top), index.Search(query.Text, top));
        }
    }
}
