using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Tests.Text;

public class InvertedIndexTests
{
    private static string[] Keys(IReadOnlyList<KeywordHit> hits) => hits.Select(h => h.Key).ToArray();

    [Fact]
    public void Finds_documents_by_stemmed_terms_in_title_or_body()
    {
        using var index = new InvertedIndex();
        index.Upsert("a", "Wing flutter", "Flutter of swept wings at supersonic speeds.");
        index.Upsert("b", null, "Heat transfer in laminar boundary layers.");
        index.Upsert("c", "Boundary layers", "Transition of the boundary layer on a flat plate.");
        Assert.Equal(["c", "b"], Keys(index.Search("boundary layer", 10)));
        Assert.Equal(["a"], Keys(index.Search("fluttering wing", 10)));
        Assert.Empty(index.Search("the of and", 10));
        Assert.Empty(index.Search("hypersonic", 10));
    }

    [Fact]
    public void Scores_match_the_BM25_formula()
    {
        using var index = new InvertedIndex();
        index.Upsert("a", null, "alpha beta beta");
        index.Upsert("b", null, "gamma");
        // idf = ln(1 + (2 - 1 + 0.5) / (1 + 0.5)), avgdl = 2, len = 3, tf = 2, k1 = 1.2, b = 0.75.
        var idf = Math.Log(1 + 1.5 / 1.5);
        var expected = idf * 2 * 2.2 / (2 + 1.2 * (1 - 0.75 + 0.75 * 3 / 2.0));
        var hit = Assert.Single(index.Search("beta", 10));
        Assert.Equal(expected, hit.Score, 12);
        var titleOnly = new Bm25Options { BodyWeight = 0 };
        Assert.Empty(index.Search("beta", 10, titleOnly));
    }

    [Fact]
    public void Updates_and_deletes_are_visible_at_once()
    {
        using var index = new InvertedIndex();
        index.Upsert("k", null, "apples");
        Assert.Equal(["k"], Keys(index.Search("apple", 5)));
        index.Upsert("k", null, "oranges");
        Assert.Empty(index.Search("apple", 5));
        Assert.Equal(["k"], Keys(index.Search("orange", 5)));
        Assert.Equal(1, index.Count);
        Assert.True(index.Delete("k"));
        Assert.False(index.Delete("k"));
        Assert.Empty(index.Search("orange", 5));
        Assert.Equal(0, index.Count);
        Assert.False(index.Contains("k"));
    }

    [Fact]
    public void Scores_after_updates_equal_a_fresh_index_of_the_survivors()
    {
        var random = new Random(7);
        var words = Enumerable.Range(0, 40).Select(i => "w" + i).ToArray();
        string Text() => string.Join(' ', Enumerable.Range(0, random.Next(1, 12)).Select(_ => words[random.Next(words.Length)]));
        using var churned = new InvertedIndex();
        var live = new Dictionary<string, (string Title, string Body)>();
        for (var step = 0; step < 3000; step++)
        {
            var key = "k" + random.Next(300);
            if (random.Next(4) == 0)
            {
                churned.Delete(key);
                live.Remove(key);
            }
            else
            {
                var doc = (Text(), Text());
                churned.Upsert(key, doc.Item1, doc.Item2);
                live[key] = doc;
            }
        }
        using var fresh = new InvertedIndex();
        foreach (var (key, doc) in live) fresh.Upsert(key, doc.Title, doc.Body);
        Assert.Equal(fresh.Count, churned.Count);
        for (var q = 0; q < 50; q++)
        {
            var query = Text();
            Assert.Equal(fresh.SearchExhaustive(query, 20), churned.Search(query, 20));
        }
    }

    [Fact]
    public void Ties_are_broken_by_key()
    {
        using var index = new InvertedIndex();
        foreach (var key in new[] { "d", "b", "a", "c" }) index.Upsert(key, null, "same text");
        Assert.Equal(["a", "b", "c"], Keys(index.Search("same", 3)));
    }

    [Fact]
    public void Bad_arguments_throw_typed_exceptions()
    {
        using var index = new InvertedIndex();
        Assert.Throws<InvalidIdentifierException>(() => index.Upsert("", null, "x"));
        Assert.Throws<InvalidIdentifierException>(() => index.Upsert(new string('k', 513), null, "x"));
        Assert.Throws<InvalidIdentifierException>(() => index.Upsert("a\nb", null, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search("x", 0));
        Assert.Throws<ArgumentNullException>(() => index.Search((string)null!, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search("x", 1, new Bm25Options { B = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search("x", 1, new Bm25Options { K1 = double.NaN }));
        Assert.Throws<OperationCanceledException>(() =>
        {
            for (var i = 0; i < 5000; i++) index.Upsert("k" + i, null, "common words here");
            index.Search("common words", 10, null, new CancellationToken(canceled: true));
        });
    }

    [Fact]
    public async Task Concurrent_searches_during_writes_see_consistent_results()
    {
        using var index = new InvertedIndex();
        for (var i = 0; i < 500; i++) index.Upsert("base" + i, null, "stable term " + i);
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            var searches = 0;
            while (!stop.IsCancellationRequested || searches < 10)
            {
                var hits = index.Search("stable", 10);
                Assert.Equal(10, hits.Count);
                Assert.All(hits, h => Assert.StartsWith("base", h.Key));
                searches++;
            }
        })).ToArray();
        for (var i = 0; i < 2000; i++)
        {
            index.Upsert("churn" + (i % 50), null, "volatile words " + i);
            if (i % 3 == 0) index.Delete("churn" + (i % 50));
        }
        stop.Cancel();
        await Task.WhenAll(readers);
    }
}

public class InvertedIndexScaleTests
{
    [Fact]
    public void Long_queries_and_long_documents_are_handled()
    {
        using var index = new InvertedIndex();
        var words = Enumerable.Range(0, 20_000).Select(i => "term" + i).ToArray();
        index.Upsert("huge", "big", string.Join(' ', words));
        for (var i = 0; i < 200; i++) index.Upsert("d" + i, null, $"term{i * 7} term{i * 13} filler");
        var query = string.Join(' ', words.Reverse());
        var hits = index.Search(query, 50);
        Assert.Equal(index.SearchExhaustive(query, 50), hits);
        Assert.Equal(50, hits.Count);
        Assert.Contains(hits, h => h.Key == "huge");
    }
}
