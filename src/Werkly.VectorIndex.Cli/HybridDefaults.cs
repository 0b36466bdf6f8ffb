namespace Werkly.VectorIndex.Cli;

/// <summary>The fusion the <c>werkly</c> command uses for hybrid search unless told otherwise.</summary>
/// <remarks>
/// Chosen by evaluation on Cranfield with <c>werkly eval tests/data/cranfield --mode hybrid --sweep</c>
/// (docs/benchmarks/retrieval.md has the whole grid): the weighted combination of min-max normalised scores with
/// α = 0.5 scores the best nDCG@10 (0.4228) and MAP@100 of the grid, and its neighbours α = 0.4 to 0.6 stay within
/// 0.007, so it is a plateau rather than a spike fitted to one collection. Reciprocal rank fusion is flatter but lower
/// (0.401 to 0.417 over k = 1 to 200). α = 0.5 is also <see cref="FusionOptions"/>' own default, so the command and
/// the library rank alike.
/// </remarks>
public static class HybridDefaults
{
    /// <summary>The default fusion: see the remarks.</summary>
    public static FusionOptions Fusion { get; } = new()
    {
        Method = FusionMethod.WeightedScore,
        Alpha = 0.5,
    };
}
