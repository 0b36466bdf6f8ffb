namespace Werkly.VectorIndex.Hybrid;

/// <summary>How the vector and keyword rankings are combined into one.</summary>
/// <remarks>All score-based methods compute α · n(vector score) + (1 − α) · n(keyword score), where n normalises a
/// side's scores over that side's candidates for this query; they differ only in n. docs/TUNING.md compares them.</remarks>
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
    /// </summary>
    DistributionBased = 3,
}
