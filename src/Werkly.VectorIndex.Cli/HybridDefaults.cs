namespace Werkly.VectorIndex.Cli;

/// <summary>The fusion and feedback the <c>werkly</c> command uses for hybrid search unless told otherwise.</summary>
/// <remarks>
/// The library's own defaults (<see cref="FusionOptions"/>, <see cref="FeedbackOptions"/>), so the command and the
/// library rank alike; the command turns feedback on (the library leaves <see cref="SearchQuery.Feedback"/> off,
/// since it costs 2 to 3 times a one-pass search). How they were chosen — by cross-validation, not on the full Cranfield query set — is in
/// docs/TUNING.md (<c>werkly eval tests/data/cranfield --cross-validate</c> reproduces it).
/// </remarks>
internal static class HybridDefaults
{
    /// <summary>The default fusion: <see cref="FusionOptions"/>' defaults.</summary>
    public static FusionOptions Fusion { get; } = new();

    /// <summary>The pseudo-relevance feedback of <c>werkly search</c> and <c>werkly eval</c> hybrid searches:
    /// <see cref="FeedbackOptions.Default"/>.</summary>
    public static FeedbackOptions? Feedback { get; } = FeedbackOptions.Default;
}
