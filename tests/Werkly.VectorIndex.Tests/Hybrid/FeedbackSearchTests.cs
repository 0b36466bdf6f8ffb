using Werkly.VectorIndex.Hybrid;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Tests.Hybrid;

public sealed class FeedbackSearchTests : IDisposable
{
    private readonly WerklyIndex _vectors = new(new VectorIndexOptions { Dimensions = 2 });
    private readonly InvertedIndex _keywords = new();
    private readonly Dictionary<string, string> _texts = new()
    {
        ["d1"] = "cats purr softly",
        ["d2"] = "cats and kittens purr",
        ["d3"] = "kittens sleep all day",
        ["d4"] = "dogs bark at night",
    };

    public FeedbackSearchTests()
    {
        float[][] vectors = [[1, 0], [0.9f, 0.1f], [0.2f, 1], [-1, 0.1f]];
        var i = 0;
        foreach (var (key, text) in _texts)
        {
            _vectors.Upsert("c", key, vectors[i++]);
            _keywords.Upsert(key, null, text);
        }
    }

    public void Dispose()
    {
        _vectors.Dispose();
        _keywords.Dispose();
    }

    [Fact]
    public void Without_feedback_the_source_path_ranks_like_the_retriever_path()
    {
        var source = new HybridSearchSource(_vectors, "c", _keywords, key => (null, _texts[key]));
        var query = new HybridQuery("cats") { Vector = new float[] { 1, 0 }, Fusion = new FusionOptions { Method = FusionMethod.DistributionBased, Top = 4 } };
        var bySource = HybridSearch.Search(query, source);
        HybridRetriever vector = (n, ct) => source.SearchVector(query.Vector!.Value, n, ct);
        var byRetrievers = HybridSearch.Search(query, vector, HybridSearch.Keyword(_keywords, query.Text));
        Assert.Equal(byRetrievers.Select(h => (h.Key, h.Score)), bySource.Select(h => (h.Key, h.Score)));
    }

    [Fact]
    public void Feedback_expands_the_keyword_query_with_the_best_hits_terms_and_moves_the_query_vector()
    {
        var source = new RecordingSource(new HybridSearchSource(_vectors, "c", _keywords, key => (null, _texts[key])));
        var query = new HybridQuery("cats")
        {
            Vector = new float[] { 1, 0 },
            Fusion = new FusionOptions { Method = FusionMethod.DistributionBased, Top = 4, Explain = true },
            Feedback = new FeedbackOptions { Documents = 2, ExpansionTerms = 5, OriginalQueryWeight = 0.5, VectorFeedbackWeight = 1, SecondPassWeight = 1 },
        };
        var withFeedback = HybridSearch.Search(query, source);

        // First pass: "cats" matches d1 and d2 only; they are the two feedback hits. Their terms (cat, purr, softli,
        // kitten) expand the query, so the second keyword pass also finds d3 through "kitten".
        Assert.Equal(2, source.KeywordQueries.Count);
        Assert.Equal(["cat"], source.KeywordQueries[0].Select(t => t.Term));
        Assert.Contains("kitten", source.KeywordQueries[1].Select(t => t.Term));
        // Relevance model over d1 (weight 1: cat, purr, softli) and d2 (weight 1/2: cat, kitten, purr): cat 1/3 + 1/6 = 0.5,
        // purr 0.5, softli 1/3, kitten 1/6; mass 1.5. cat = λ · 1 + (1 − λ) · 0.5/1.5 = 0.5 + 1/6 = 2/3.
        Assert.Equal(2.0 / 3, source.KeywordQueries[1].Single(t => t.Term == "cat").Weight, 12);
        Assert.Equal(0.5 * (1.0 / 6) / 1.5, source.KeywordQueries[1].Single(t => t.Term == "kitten").Weight, 12);
        Assert.NotNull(withFeedback.Single(h => h.Key == "d3").Explanation!.KeywordRank);
        var without = HybridSearch.Search(query with { Feedback = null }, source);
        Assert.Null(without.Single(h => h.Key == "d3").Explanation!.KeywordRank);

        // Rocchio: q/|q| + β · mean(d1, d2) = (1, 0) + ((1, 0) + (0.994, 0.110)) / 2, d2 normalised by the index.
        Assert.Equal(3, source.VectorQueries.Count); // two passes with feedback, then one without
        var moved = source.VectorQueries[1];
        Assert.Equal(1 + (1 + 0.9 / Math.Sqrt(0.82)) / 2, moved[0], 5);
        Assert.Equal(0.1 / Math.Sqrt(0.82) / 2, moved[1], 5);
    }

    [Fact]
    public void Feedback_through_fixed_retrievers_is_refused_and_a_query_without_vector_is_rejected()
    {
        var query = new HybridQuery("cats") { Vector = new float[] { 1, 0 }, Feedback = new FeedbackOptions() };
        Assert.Throws<NotSupportedException>(() => HybridSearch.Search(query, (_, _) => [], (_, _) => []));
        var source = new HybridSearchSource(_vectors, "c", _keywords);
        Assert.Throws<ArgumentException>(() => HybridSearch.Search(new HybridQuery("cats"), source));
        Assert.Throws<ArgumentException>(() => HybridSearch.Search(new HybridQuery("cats") { Vector = new float[] { 1, 0, 0 } }, source));
        Assert.Throws<ArgumentOutOfRangeException>(() => HybridSearch.Search(query with { Feedback = new FeedbackOptions { Documents = 0 } }, source));
    }

    private sealed class RecordingSource(IHybridSearchSource inner) : IHybridSearchSource
    {
        public List<WeightedTerm[]> KeywordQueries { get; } = [];

        public List<float[]> VectorQueries { get; } = [];

        public TextAnalyzer Analyzer => inner.Analyzer;

        public int Dimensions => inner.Dimensions;

        public IReadOnlyList<RankedHit> SearchVector(ReadOnlyMemory<float> vector, int candidates, CancellationToken cancellationToken)
        {
            VectorQueries.Add(vector.ToArray());
            return inner.SearchVector(vector, candidates, cancellationToken);
        }

        public IReadOnlyList<RankedHit> SearchKeywords(IReadOnlyList<WeightedTerm> terms, int candidates, CancellationToken cancellationToken)
        {
            KeywordQueries.Add([.. terms]);
            return inner.SearchKeywords(terms, candidates, cancellationToken);
        }

        public bool TryGetVector(string key, Span<float> destination) => inner.TryGetVector(key, destination);

        public bool TryGetText(string key, out string? title, out string? body) => inner.TryGetText(key, out title, out body);
    }
}
