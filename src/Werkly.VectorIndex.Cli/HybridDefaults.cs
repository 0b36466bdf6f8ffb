using Werkly.VectorIndex.Hybrid;

namespace Werkly.VectorIndex.Cli;

/// <summary>The fusion the <c>werkly</c> command uses for hybrid search unless told otherwise.</summary>
/// <remarks>
/// The library's own defaults (<see cref="FusionOptions"/>, <see cref="FeedbackOptions"/>), so the command and the
/// library rank alike. How they were chosen — by cross-validation, not on the full Cranfield query set — is in
/// docs/TUNING.md (<c>werkly eval tests/data/cranfield --cross-validate</c> reproduces it).
/// </remarks>
public static class HybridDefaults
{
    /// <summary>The default fusion: <see cref="FusionOptions"/>' defaults.</summary>
    public static FusionOptions Fusion { get; } = new();

    /// <summary>The default pseudo-relevance feedback of evaluated hybrid searches: <see cref="FeedbackOptions"/>' defaults.</summary>
    public static FeedbackOptions? Feedback { get; } = new();
}
