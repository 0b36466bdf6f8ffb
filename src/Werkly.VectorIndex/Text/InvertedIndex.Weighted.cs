namespace Werkly.VectorIndex.Text;

internal sealed partial class InvertedIndex
{
    /// <summary>Returns the <paramref name="top"/> best documents for a weighted query of analyzed terms, by BM25 with
    /// each term's contribution multiplied by its weight, best first, ties broken by ordinal key order.</summary>
    /// <param name="terms">Analyzed terms (as <see cref="Analyzer"/> produces them) and their weights; a term given
    /// twice has its weights added. Searching the analyzed terms of a text, each weighted by its count, ranks and scores
    /// exactly as <see cref="Search(string, int, Bm25Options?, CancellationToken)"/> does.</param>
    /// <param name="top">How many hits to return at most (1 to <see cref="MaxTop"/>).</param>
    /// <param name="scoring">Scoring for this call; null uses <see cref="KeywordOptions.Scoring"/>.</param>
    /// <param name="accept">Only documents whose key it takes are returned (see the filtered text search), or null.</param>
    /// <param name="cancellationToken">Checked while postings are traversed.</param>
    /// <returns>The hits; fewer than <paramref name="top"/> when fewer documents match any term.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="terms"/> is null.</exception>
    /// <exception cref="ArgumentException">A term is null or empty, or a weight is not a positive finite number.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> or a scoring option is out of range.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public KeywordHit[] Search(IReadOnlyList<WeightedTerm> terms, int top, Bm25Options? scoring = null, Func<string, bool>? accept = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var merged = new List<(string Term, double Weight)>(terms.Count);
        var positions = new Dictionary<string, int>(terms.Count, StringComparer.Ordinal);
        for (var i = 0; i < terms.Count; i++)
        {
            var (term, weight) = terms[i];
            if (string.IsNullOrEmpty(term)) throw new ArgumentException($"terms[{i}] has no term.", nameof(terms));
            if (!(weight > 0) || double.IsInfinity(weight))
                throw new ArgumentException($"terms[{i}] ('{term}') has weight {weight}; weights must be positive and finite.", nameof(terms));
            if (positions.TryGetValue(term, out var index)) merged[index] = (term, merged[index].Weight + weight);
            else
            {
                positions.Add(term, merged.Count);
                merged.Add((term, weight));
            }
        }
        return Run(merged, top, scoring, exhaustive: false, accept, cancellationToken);
    }
}
