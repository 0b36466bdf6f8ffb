namespace Werkly.VectorIndex;

/// <summary>Which retrieval a <see cref="SearchQuery"/> runs.</summary>
public enum SearchMode
{
    /// <summary>Vector and keyword retrieval, fused (<see cref="SearchQuery.Fusion"/>).</summary>
    Hybrid,

    /// <summary>Vector similarity only; scores are the vector index's (see <see cref="SearchHit.Score"/>).</summary>
    Vector,

    /// <summary>BM25 over titles and texts only; scores are BM25 scores.</summary>
    Keyword,
}

/// <summary>Which stored fields each <see cref="SearchResult"/> carries besides its key, score and document id.</summary>
[Flags]
public enum RecordFields
{
    /// <summary>Key, score and document id only.</summary>
    None = 0,

    /// <summary>The record's title and text.</summary>
    Text = 1,

    /// <summary>The record's metadata (reserved <c>werkly:</c> keys left out).</summary>
    Metadata = 2,

    /// <summary>The record's stored vector (unit length under cosine).</summary>
    Vector = 4,

    /// <summary>Everything.</summary>
    All = Text | Metadata | Vector,
}

/// <summary>
/// A search within one company: by vector, by keywords, or both fused; with a filter, paging and the fields each result
/// should carry. Run it with <see cref="WerklyIndex.Search(string, SearchQuery, CancellationToken)"/>.
/// </summary>
/// <remarks>Immutable and thread-safe. Either <see cref="Text"/> or <see cref="Vector"/> must be set: keyword search needs
/// the text; vector search needs the vector, or the text and a <see cref="WerklyIndexOptions.QueryEmbedder"/>.</remarks>
public sealed record SearchQuery
{
    /// <summary>Largest page size.</summary>
    public const int MaxTop = 10_000;

    /// <summary>Which retrieval to run. Default <see cref="SearchMode.Hybrid"/>.</summary>
    public SearchMode Mode { get; init; } = SearchMode.Hybrid;

    /// <summary>The query text: the keyword side, and the vector side when <see cref="Vector"/> is not given.</summary>
    public string? Text { get; init; }

    /// <summary>A precomputed query embedding of the index's dimensions; null lets the index embed <see cref="Text"/>.</summary>
    public ReadOnlyMemory<float>? Vector { get; init; }

    /// <summary>How many results to return after <see cref="Skip"/> (1 to <see cref="MaxTop"/>). Default 10.</summary>
    public int Top { get; init; } = 10;

    /// <summary>How many results to skip (paging). Default 0.</summary>
    public int Skip { get; init; }

    /// <summary>
    /// Only records for which this returns true are returned, on both sides: a filtered search still returns
    /// <see cref="Top"/> results whenever that many matching records exist (unlike a post-filter). Called under the
    /// company's read lock: keep it fast and side-effect free, and never call back into the index from it.
    /// </summary>
    public RecordFilter? Filter { get; init; }

    /// <summary>Lists the vector side probes, overriding the company's calibrated default.</summary>
    public int? Probes { get; init; }

    /// <summary>Candidates per result the vector side of a quantized company re-ranks exactly, overriding the company's
    /// calibrated factor (see <see cref="SearchOptions.RerankFactor"/>).</summary>
    public int? RerankFactor { get; init; }

    /// <summary>How a hybrid search fuses its sides. Default <see cref="FusionOptions.Default"/>.</summary>
    public FusionOptions Fusion { get; init; } = FusionOptions.Default;

    /// <summary>Pseudo-relevance feedback for a hybrid search: both sides' queries are expanded from the best fused hits
    /// of a first pass and a second pass is fused into the result (see <see cref="FeedbackOptions"/>); null (the default)
    /// for one pass. Hybrid mode only.</summary>
    public FeedbackOptions? Feedback { get; init; }

    /// <summary>
    /// The lowest score a result may have, or null (the default) to return <see cref="Top"/> results whenever there are
    /// that many candidates. Applied before paging, so a page may hold fewer results. It compares
    /// <see cref="SearchResult.Score"/>: the fused score of a hybrid search — relative to the query's candidates; with
    /// <see cref="FusionMethod.DistributionBased"/> and <see cref="FusionMethod.WeightedScore"/> in [0, 1], 1 meaning
    /// best on both sides — the similarity of a vector search, the BM25 score of a keyword search.
    /// </summary>
    public double? MinScore { get; init; }

    /// <summary>One result per document (its best record, with the document's score) instead of one per record; null
    /// (the default) for records. See <see cref="DocumentGrouping"/>.</summary>
    public DocumentGrouping? GroupByDocument { get; init; }

    /// <summary>How many candidates each side of a hybrid search retrieves before fusion (and how many records a
    /// single-sided search ranks when <see cref="GroupByDocument"/> is set); null means max(100, Skip + Top). A record
    /// outside both sides' candidates cannot appear, so raise it for deep pages.</summary>
    public int? CandidatesPerSide { get; init; }

    /// <summary>The stored fields each result carries. Default <see cref="RecordFields.None"/>.</summary>
    public RecordFields Include { get; init; }

    /// <summary>Whether each result carries a <see cref="ScoreBreakdown"/> of its sides. Default false.</summary>
    public bool Explain { get; init; }

    /// <summary>The number of candidates each side retrieves.</summary>
    internal int EffectiveCandidatesPerSide => CandidatesPerSide ?? Math.Max(100, Skip + Top);

    /// <summary>How many records a single-sided search ranks: the page, or the candidates when they are grouped.</summary>
    internal int SingleSideCandidates => GroupByDocument is null ? Skip + Top : EffectiveCandidatesPerSide;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it).</exception>
    /// <exception cref="ArgumentException">Neither text nor vector is given, the text is missing for keyword search, the
    /// vector holds a NaN or infinite component, or feedback is asked of a search that is not hybrid.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Mode)) throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "Unknown search mode.");
        if (Top is < 1 or > MaxTop) throw new ArgumentOutOfRangeException(nameof(Top), Top, $"Top must be between 1 and {MaxTop}.");
        if (Skip is < 0 or > 100_000) throw new ArgumentOutOfRangeException(nameof(Skip), Skip, "Skip must be between 0 and 100000.");
        if (Probes is < 1) throw new ArgumentOutOfRangeException(nameof(Probes), Probes, "Probes must be at least 1.");
        if (RerankFactor is < 1 or > SearchOptions.MaxRerankFactor)
            throw new ArgumentOutOfRangeException(nameof(RerankFactor), RerankFactor, $"RerankFactor must be between 1 and {SearchOptions.MaxRerankFactor}.");
        ArgumentNullException.ThrowIfNull(Fusion);
        Fusion.Validate();
        Feedback?.Validate();
        GroupByDocument?.Validate();
        if (Feedback is not null && Mode != SearchMode.Hybrid)
            throw new ArgumentException($"Feedback needs a hybrid search; this one is {Mode.ToString().ToLowerInvariant()}.", nameof(Feedback));
        if (MinScore is { } floor && !double.IsFinite(floor))
            throw new ArgumentOutOfRangeException(nameof(MinScore), floor, "MinScore must be a finite number.");
        if (CandidatesPerSide is { } candidates && (candidates < Skip + Top || candidates > 100_000))
            throw new ArgumentOutOfRangeException(nameof(CandidatesPerSide), candidates,
                $"CandidatesPerSide must be at least Skip + Top ({Skip + Top}) and at most 100000.");
        if ((Include & ~RecordFields.All) != 0)
            throw new ArgumentOutOfRangeException(nameof(Include), Include, "Unknown field flag.");
        if (Mode != SearchMode.Vector && string.IsNullOrWhiteSpace(Text))
            throw new ArgumentException($"A {Mode.ToString().ToLowerInvariant()} search needs the query text.", nameof(Text));
        if (Mode == SearchMode.Vector && Vector is null && string.IsNullOrWhiteSpace(Text))
            throw new ArgumentException("A vector search needs the query vector or a text to embed.", nameof(Vector));
        if (Text is not null && Identifiers.IndexOfLoneSurrogate(Text) is var at and >= 0)
            throw new ArgumentException($"The query text holds a lone surrogate at index {at}.", nameof(Text));
        if (Vector is { } vector)
        {
            if (vector.IsEmpty) throw new ArgumentException("The query vector is empty.", nameof(Vector));
            var span = vector.Span;
            for (var i = 0; i < span.Length; i++)
            {
                if (!float.IsFinite(span[i]))
                    throw new ArgumentException($"The query vector has a non-finite component {span[i]} at index {i}.", nameof(Vector));
            }
        }
    }
}
