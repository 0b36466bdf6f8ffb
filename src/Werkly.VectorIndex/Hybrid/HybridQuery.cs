namespace Werkly.VectorIndex.Hybrid;

/// <summary>Which stored fields a hybrid hit carries besides its key and score.</summary>
[Flags]
public enum HybridProjection
{
    /// <summary>Key and score only.</summary>
    None = 0,

    /// <summary>The record's text.</summary>
    Text = 1,

    /// <summary>The record's metadata map.</summary>
    Metadata = 2,

    /// <summary>The record's vector.</summary>
    Vector = 4,
}

/// <summary>Fusion and paging settings, the part of a <see cref="HybridQuery"/> that <see cref="ScoreFusion"/> needs.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record FusionOptions
{
    /// <summary>Largest page size.</summary>
    public const int MaxTop = 10_000;

    /// <summary>How the two rankings are combined. Default <see cref="FusionMethod.DistributionBased"/>, chosen by
    /// cross-validation on Cranfield (docs/TUNING.md).</summary>
    public FusionMethod Method { get; init; } = FusionMethod.DistributionBased;

    /// <summary>Weight of the vector side, 0 to 1 (1 − α weighs the keyword side). Default 0.5: equal weight, the
    /// choice made without a test collection; cross-validation on Cranfield picks 0.5 to 0.6.</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>The k of reciprocal rank fusion (larger flattens the rank curve). Default 60; allowed 1 to 100,000.</summary>
    public int RrfK { get; init; } = 60;

    /// <summary>How many fused hits to skip (paging). Default 0.</summary>
    public int Skip { get; init; }

    /// <summary>How many fused hits to return after <see cref="Skip"/> (1 to <see cref="MaxTop"/>). Default 10.</summary>
    public int Top { get; init; } = 10;

    /// <summary>Whether each hit carries a <see cref="HybridExplanation"/>. Default false.</summary>
    public bool Explain { get; init; }

    /// <summary>
    /// The lowest fused score a hit may have, or null (the default) to return <see cref="Top"/> hits whenever there are
    /// that many candidates. Applied before paging, so a page may hold fewer hits. Fused scores are relative to the
    /// query's candidates (see <see cref="FusionMethod"/>): with <see cref="FusionMethod.DistributionBased"/> and
    /// <see cref="FusionMethod.WeightedScore"/> they lie in [0, 1], 1 meaning best on both sides.
    /// </summary>
    public double? MinScore { get; init; }

    /// <summary>Checks the ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it).</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Method)) throw new ArgumentOutOfRangeException(nameof(Method), Method, "Unknown fusion method.");
        if (!(Alpha is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be between 0 and 1.");
        if (RrfK is < 1 or > 100_000) throw new ArgumentOutOfRangeException(nameof(RrfK), RrfK, "RrfK must be between 1 and 100000.");
        if (Skip < 0) throw new ArgumentOutOfRangeException(nameof(Skip), Skip, "Skip must not be negative.");
        if (Top is < 1 or > MaxTop) throw new ArgumentOutOfRangeException(nameof(Top), Top, $"Top must be between 1 and {MaxTop}.");
        if (MinScore is { } floor && !double.IsFinite(floor)) throw new ArgumentOutOfRangeException(nameof(MinScore), floor, "MinScore must be a finite number.");
    }
}

/// <summary>
/// A hybrid search within one company: the query text for keyword search, optionally a precomputed query vector
/// (otherwise the index embeds the text), how to fuse, which page to return and what each hit should carry.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record HybridQuery
{
    /// <summary>Creates a query.</summary>
    /// <param name="text">The query text (keyword side, and the vector side when <see cref="Vector"/> is not given).</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public HybridQuery(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
    }

    /// <summary>The query text.</summary>
    public string Text { get; }

    /// <summary>A precomputed query embedding; null lets the index embed <see cref="Text"/>.</summary>
    public ReadOnlyMemory<float>? Vector { get; init; }

    /// <summary>Fusion method, α, RRF k, paging and explain.</summary>
    public FusionOptions Fusion { get; init; } = new();

    /// <summary>Pseudo-relevance feedback: expand both sides' queries from the best fused hits of a first pass, and
    /// fuse a second pass; null (the default) for one pass. Honoured by <see cref="HybridSearch.Search(HybridQuery, IHybridSearchSource, bool, CancellationToken)"/>.</summary>
    public FeedbackOptions? Feedback { get; init; }

    /// <summary>How many candidates each side retrieves before fusion; null means max(100, Skip + Top).
    /// A hit outside both sides' candidates cannot appear, so raise it for deep pages.</summary>
    public int? CandidatesPerSide { get; init; }

    /// <summary>The stored fields each hit should carry. Default <see cref="HybridProjection.None"/>.</summary>
    public HybridProjection Include { get; init; }

    /// <summary>The number of candidates each side retrieves.</summary>
    public int EffectiveCandidatesPerSide => CandidatesPerSide ?? Math.Max(100, Fusion.Skip + Fusion.Top);

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it).</exception>
    /// <exception cref="ArgumentException">The vector is empty or has a NaN or infinite component.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Fusion);
        Fusion.Validate();
        Feedback?.Validate();
        if (CandidatesPerSide is { } candidates && (candidates < Fusion.Skip + Fusion.Top || candidates > 100_000))
            throw new ArgumentOutOfRangeException(nameof(CandidatesPerSide), candidates,
                $"CandidatesPerSide must be at least Skip + Top ({Fusion.Skip + Fusion.Top}) and at most 100000.");
        if ((Include & ~(HybridProjection.Text | HybridProjection.Metadata | HybridProjection.Vector)) != 0)
            throw new ArgumentOutOfRangeException(nameof(Include), Include, "Unknown projection flag.");
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
