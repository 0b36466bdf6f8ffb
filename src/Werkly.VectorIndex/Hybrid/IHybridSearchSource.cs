using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Hybrid;

/// <summary>
/// One company's two retrievers and stored records, as <see cref="HybridSearch.Search(HybridQuery, IHybridSearchSource, bool, CancellationToken)"/>
/// needs them: vector search by any vector, keyword search by weighted analyzed terms, and each record's vector and
/// text for pseudo-relevance feedback.
/// </summary>
/// <remarks>Implementations must be safe to call from two threads at once (the two sides may run in parallel) and
/// should answer all calls of one search from the same snapshot of the company.</remarks>
public interface IHybridSearchSource
{
    /// <summary>The analyzer of the keyword side (queries and feedback texts are analyzed with it).</summary>
    TextAnalyzer Analyzer { get; }

    /// <summary>The dimensions of the stored vectors.</summary>
    int Dimensions { get; }

    /// <summary>The best <paramref name="candidates"/> records by vector similarity to <paramref name="vector"/>, best first.</summary>
    IReadOnlyList<RankedHit> SearchVector(ReadOnlyMemory<float> vector, int candidates, CancellationToken cancellationToken);

    /// <summary>The best <paramref name="candidates"/> records by BM25 for the weighted terms, best first.</summary>
    IReadOnlyList<RankedHit> SearchKeywords(IReadOnlyList<WeightedTerm> terms, int candidates, CancellationToken cancellationToken);

    /// <summary>Copies a record's stored vector into <paramref name="destination"/> (of <see cref="Dimensions"/>
    /// floats); false when the record no longer exists.</summary>
    bool TryGetVector(string key, Span<float> destination);

    /// <summary>A record's keyword fields; false when the record no longer exists.</summary>
    bool TryGetText(string key, out string? title, out string? body);
}
