namespace Werkly.VectorIndex.Text;

/// <summary>An analyzed query term with its weight, as produced by query expansion
/// (<see cref="RelevanceFeedback.Expand"/>) and searched by <see cref="InvertedIndex.Search(IReadOnlyList{WeightedTerm}, int, Bm25Options?, CancellationToken)"/>.</summary>
/// <param name="Term">The term as the index's analyzer produces it (lower-cased, stemmed), not a surface word.</param>
/// <param name="Weight">Its weight in the query: it multiplies the term's BM25 contribution, like a repeat count.</param>
public readonly record struct WeightedTerm(string Term, double Weight);
