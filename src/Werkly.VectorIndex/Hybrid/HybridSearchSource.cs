using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Hybrid;

/// <summary>
/// An <see cref="IHybridSearchSource"/> over one company: its vectors in a <see cref="WerklyIndex"/> and its postings in
/// an <see cref="InvertedIndex"/>, with each record's text taken from a lookup or from the vector record's metadata
/// (<see cref="HybridIndex.TitleKey"/>, <see cref="HybridIndex.TextKey"/>).
/// </summary>
/// <remarks>Thread-safe as the two indexes are. The caller keeps both sides describing the same records.</remarks>
public sealed class HybridSearchSource : IHybridSearchSource
{
    private readonly WerklyIndex _vectors;
    private readonly string _companyId;
    private readonly InvertedIndex _keywords;
    private readonly Func<string, (string? Title, string? Body)?>? _texts;
    private readonly Bm25Options? _scoring;

    /// <summary>Creates the source.</summary>
    /// <param name="vectors">The vector side.</param>
    /// <param name="companyId">The company searched on the vector side.</param>
    /// <param name="keywords">The company's keyword side.</param>
    /// <param name="texts">A record's title and body by key (null when unknown), or null to read them from the vector
    /// record's metadata.</param>
    /// <param name="scoring">BM25 settings; null for the keyword index's defaults.</param>
    /// <exception cref="ArgumentNullException">An index or the company is null.</exception>
    public HybridSearchSource(WerklyIndex vectors, string companyId, InvertedIndex keywords,
        Func<string, (string? Title, string? Body)?>? texts = null, Bm25Options? scoring = null)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(companyId);
        ArgumentNullException.ThrowIfNull(keywords);
        _vectors = vectors;
        _companyId = companyId;
        _keywords = keywords;
        _texts = texts;
        _scoring = scoring;
    }

    /// <inheritdoc />
    public TextAnalyzer Analyzer => _keywords.Analyzer;

    /// <inheritdoc />
    public int Dimensions => _vectors.Dimensions;

    /// <inheritdoc />
    public IReadOnlyList<RankedHit> SearchVector(ReadOnlyMemory<float> vector, int candidates, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var hits = _vectors.Search(_companyId, vector.Span, candidates);
        var ranked = new RankedHit[hits.Length];
        for (var i = 0; i < hits.Length; i++) ranked[i] = new RankedHit(hits[i].Key, hits[i].Score);
        return ranked;
    }

    /// <inheritdoc />
    public IReadOnlyList<RankedHit> SearchKeywords(IReadOnlyList<WeightedTerm> terms, int candidates, CancellationToken cancellationToken) =>
        HybridSearch.ToRankedHits(_keywords.Search(terms, candidates, _scoring, cancellationToken));

    /// <inheritdoc />
    public bool TryGetVector(string key, Span<float> destination) => _vectors.TryGetVector(_companyId, key, destination);

    /// <inheritdoc />
    public bool TryGetText(string key, out string? title, out string? body)
    {
        (title, body) = (null, null);
        if (_texts is not null)
        {
            if (_texts(key) is not { } text) return false;
            (title, body) = text;
            return true;
        }
        if (!_vectors.TryGetMetadata(_companyId, key, out var metadata)) return false;
        if (metadata is not null)
        {
            if (metadata.TryGetValue(HybridIndex.TitleKey, out var t)) title = t.AsString();
            if (metadata.TryGetValue(HybridIndex.TextKey, out var b)) body = b.AsString();
        }
        return true;
    }
}
