using Werkly.VectorIndex.Hybrid;

namespace Werkly.VectorIndex.Cli;

/// <summary>The fusion the <c>werkly</c> command uses for hybrid search unless told otherwise.</summary>
/// <remarks>
/// Chosen by evaluation on Cranfield with <c>werkly eval tests/data/cranfield --mode hybrid --sweep</c>
/// (docs/benchmarks/retrieval.md has the grid): reciprocal rank fusion with k = 60 and equal weights sits on a broad
/// plateau of the grid. Rank fusion needs no score calibration, so it does not depend on how BM25 scores of a
/// particular corpus are spread, which makes it the safer default for unseen companies than a tuned α.
/// </remarks>
public static class HybridDefaults
{
    /// <summary>The default fusion: see the remarks.</summary>
    public static FusionOptions Fusion { get; } = new()
    {
        Method = FusionMethod.ReciprocalRank,
        Alpha = 0.5,
        RrfK = 60,
    };
}
