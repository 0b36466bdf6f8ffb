namespace Werkly.VectorIndex.Text;

/// <summary>A document used as pseudo-relevance feedback: its text fields and how much it counts.</summary>
/// <param name="Title">The title field, or null.</param>
/// <param name="Body">The body field, or null.</param>
/// <param name="Weight">Its weight among the feedback documents (positive; for example 1/rank).</param>
internal readonly record struct FeedbackDocument(string? Title, string? Body, double Weight);

/// <summary>Query expansion from pseudo-relevant documents with relevance model 3 (RM3: Lavrenko and Croft 2001;
/// Abdul-Jaleel et al. 2004, as Anserini and Lucene's query-expansion modules implement it).</summary>
/// <remarks>
/// <para>The relevance model weights each term t by Σ<sub>d</sub> w<sub>d</sub> · tf(t, d) / |d| over the feedback
/// documents d (title and body analyzed together); the <c>terms</c> heaviest terms (ties by ordinal order) are kept
/// and normalised to sum 1. The expanded query is λ · (original query, each term weighted by count / query length)
/// + (1 − λ) · (relevance model), so the original terms keep λ of the mass whatever the expansion adds.</para>
/// <para>Pure function of its inputs: thread-safe and deterministic.</para>
/// </remarks>
internal static class RelevanceFeedback
{
    /// <summary>Expands <paramref name="query"/> with terms of <paramref name="documents"/>.</summary>
    /// <param name="analyzer">The keyword index's analyzer (query and documents must be analyzed as the index was).</param>
    /// <param name="query">The original query text.</param>
    /// <param name="documents">The feedback documents; none gives the original query's terms only.</param>
    /// <param name="terms">How many expansion terms to take from the feedback (1 to 1,000).</param>
    /// <param name="originalWeight">λ, the share of the original query in the expanded one (0 to 1; 1 disables expansion).</param>
    /// <returns>The weighted analyzed terms, original terms first (query order), then expansion terms by weight.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="terms"/> or <paramref name="originalWeight"/> is out of
    /// range, or a document weight is not positive and finite.</exception>
    public static WeightedTerm[] Expand(TextAnalyzer analyzer, string query, IReadOnlyList<FeedbackDocument> documents,
        int terms, double originalWeight)
    {
        ArgumentNullException.ThrowIfNull(analyzer);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentOutOfRangeException.ThrowIfLessThan(terms, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(terms, 1000);
        if (!(originalWeight is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(originalWeight), originalWeight, "The original query's weight must be between 0 and 1.");

        var original = WeightedTerm.FromText(analyzer, query);

        var model = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var document in documents)
        {
            if (!(document.Weight > 0) || double.IsInfinity(document.Weight))
                throw new ArgumentOutOfRangeException(nameof(documents), document.Weight, "Feedback document weights must be positive and finite.");
            var analyzed = analyzer.Analyze(document.Title);
            var body = analyzer.Analyze(document.Body);
            var length = analyzed.Count + body.Count;
            if (length == 0) continue;
            var share = document.Weight / length;
            foreach (var term in analyzed.Concat(body)) model[term] = model.GetValueOrDefault(term) + share;
        }

        var expansion = model.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(terms).ToList();
        var expansionMass = expansion.Sum(p => p.Value);
        var queryLength = original.Sum(t => t.Weight);
        var lambda = expansionMass > 0 ? originalWeight : 1.0; // nothing to expand with: the query alone
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (term, count) in original)
        {
            weights[term] = lambda * count / queryLength;
            order.Add(term);
        }
        if (lambda < 1)
        {
            foreach (var (term, mass) in expansion)
            {
                if (!weights.ContainsKey(term)) order.Add(term);
                weights[term] = weights.GetValueOrDefault(term) + (1 - lambda) * mass / expansionMass;
            }
        }
        return [.. order.Where(t => weights[t] > 0).Select(t => new WeightedTerm(t, weights[t]))];
    }
}
