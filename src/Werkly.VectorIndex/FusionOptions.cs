namespace Werkly.VectorIndex;

/// <summary>How the vector and keyword rankings of a hybrid search are combined into one.</summary>
/// <remarks>All score-based methods compute α · n(vector score) + (1 − α) · n(keyword score), where n normalises a
/// side's scores over that side's candidates for this query; they differ only in n. docs/TUNING.md compares them on
/// held-out queries.</remarks>
public enum FusionMethod
{
    /// <summary>
    /// Weighted combination of min-max normalized scores: α · vector + (1 − α) · keyword, where each side's scores are
    /// mapped to [0, 1] over that side's candidates (all equal scores map to 1) and a side that did not return a hit
    /// contributes 0. One outlier at either end stretches or squeezes the whole side.
    /// </summary>
    WeightedScore = 0,

    /// <summary>
    /// Reciprocal rank fusion (Cormack, Clarke and Büttcher 2009): 2α / (k + vector rank) + 2(1 − α) / (k + keyword rank),
    /// ranks counted from 1; a side that did not return a hit contributes 0. With α = 0.5 this is textbook RRF. It uses
    /// ranks only, so it needs no score calibration.
    /// </summary>
    ReciprocalRank = 1,

    /// <summary>
    /// Weighted combination of z-scores: each side's scores become (score − mean) / standard deviation over that side's
    /// candidates (all equal scores become 0). A hit a side did not return gets that side's lowest z-score, as if it
    /// ranked just below the side's last candidate. Fused scores can be negative.
    /// </summary>
    ZScore = 2,

    /// <summary>
    /// Distribution-based score fusion (DBSF, as in Qdrant): each side's scores are clipped to mean ± 3 standard
    /// deviations over that side's candidates and mapped linearly to [0, 1] (all equal scores map to 1); a side that did
    /// not return a hit contributes 0. Unlike min-max, a single outlier cannot squeeze the other candidates together.
    /// The default: the best fusion under cross-validation on Cranfield (docs/TUNING.md).
    /// </summary>
    DistributionBased = 3,
}

/// <summary>How a hybrid search fuses its two sides.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record FusionOptions
{
    /// <summary>The defaults.</summary>
    public static FusionOptions Default { get; } = new();

    /// <summary>How the two rankings are combined. Default <see cref="FusionMethod.DistributionBased"/>, chosen by
    /// cross-validation on Cranfield (docs/TUNING.md).</summary>
    public FusionMethod Method { get; init; } = FusionMethod.DistributionBased;

    /// <summary>Weight of the vector side, 0 to 1 (1 − α weighs the keyword side). Default 0.5: equal weight, the
    /// choice made without a test collection; cross-validation on Cranfield picks 0.5 to 0.6 and gains nothing held-out.</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>The k of reciprocal rank fusion (larger flattens the rank curve). Default 60; allowed 1 to 100,000.</summary>
    public int RrfK { get; init; } = 60;

    /// <summary>Checks the ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it).</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Method)) throw new ArgumentOutOfRangeException(nameof(Method), Method, "Unknown fusion method.");
        if (!(Alpha is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be between 0 and 1.");
        if (RrfK is < 1 or > 100_000) throw new ArgumentOutOfRangeException(nameof(RrfK), RrfK, "RrfK must be between 1 and 100000.");
    }
}
