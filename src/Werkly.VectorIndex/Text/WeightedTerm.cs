namespace Werkly.VectorIndex.Text;

/// <summary>An analyzed query term with its weight, as produced by query expansion
/// (<see cref="RelevanceFeedback.Expand"/>) and searched by <see cref="InvertedIndex.Search(IReadOnlyList{WeightedTerm}, int, Bm25Options?, Func{string, bool}?, CancellationToken)"/>.</summary>
/// <param name="Term">The term as the index's analyzer produces it (lower-cased, stemmed), not a surface word.</param>
/// <param name="Weight">Its weight in the query: it multiplies the term's BM25 contribution, like a repeat count.</param>
internal readonly record struct WeightedTerm(string Term, double Weight)
{
    /// <summary>The analyzed terms of <paramref name="text"/>, each weighted by its count, in first-occurrence order:
    /// the query <see cref="InvertedIndex.Search(string, int, Bm25Options?, CancellationToken)"/> runs for that text.</summary>
    /// <param name="analyzer">The keyword index's analyzer.</param>
    /// <param name="text">The query text (null gives no terms).</param>
    /// <exception cref="ArgumentNullException"><paramref name="analyzer"/> is null.</exception>
    public static WeightedTerm[] FromText(TextAnalyzer analyzer, string? text)
    {
        ArgumentNullException.ThrowIfNull(analyzer);
        var terms = new List<WeightedTerm>();
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var term in analyzer.Analyze(text))
        {
            if (positions.TryGetValue(term, out var i)) terms[i] = terms[i] with { Weight = terms[i].Weight + 1 };
            else
            {
                positions.Add(term, terms.Count);
                terms.Add(new WeightedTerm(term, 1));
            }
        }
        return [.. terms];
    }
}
