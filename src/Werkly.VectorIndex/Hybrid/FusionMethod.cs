namespace Werkly.VectorIndex.Hybrid;

/// <summary>How the vector and keyword rankings are combined into one.</summary>
public enum FusionMethod
{
    /// <summary>
    /// Weighted combination of min-max normalized scores: α · vector + (1 − α) · keyword, where each side's scores are
    /// mapped to [0, 1] over that side's candidates (all equal scores map to 1) and a side that did not return a hit
    /// contributes 0.
    /// </summary>
    WeightedScore = 0,

    /// <summary>
    /// Reciprocal rank fusion (Cormack, Clarke and Büttcher 2009): 2α / (k + vector rank) + 2(1 − α) / (k + keyword rank),
    /// ranks counted from 1; a side that did not return a hit contributes 0. With α = 0.5 this is textbook RRF. It uses
    /// ranks only, so it needs no score calibration.
    /// </summary>
    ReciprocalRank = 1,
}
