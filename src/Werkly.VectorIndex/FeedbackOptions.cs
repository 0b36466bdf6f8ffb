namespace Werkly.VectorIndex;

/// <summary>
/// Pseudo-relevance feedback for hybrid search (<see cref="SearchQuery.Feedback"/>): the best fused hits of a first
/// pass are taken as relevant, both sides' queries are expanded from them, and a second pass is fused into the result.
/// </summary>
/// <remarks>
/// <para>The keyword query is expanded with relevance model 3 (RM3: Lavrenko and Croft 2001) over the feedback hits'
/// titles and texts, weighted 1/rank; the query vector with Rocchio's formula, q + β · mean(feedback vectors).
/// Feedback comes from the fused first pass rather than from each side's own top hits, so each side learns from what
/// both agreed on: on Cranfield this lifts BM25 from 0.379 to 0.44 nDCG@10 and the fused result by about 0.02
/// (docs/TUNING.md has the cross-validated figures, and what it costs on natural questions). The defaults are the
/// values cross-validation on Cranfield chose most often (3 documents, 20 terms, λ = 0.5, β = 1), with γ by the
/// one-standard-error rule.</para>
/// <para>It costs one more search per side (no extra embedding) plus analysing the feedback hits' texts: 2 to 3 times
/// a one-pass hybrid search (docs/BENCHMARKS.md), still small beside embedding the query.</para>
/// <para>The feedback hits are read from the same snapshot of the company as the first pass, and a filter applies to
/// both passes.</para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed record FeedbackOptions
{
    /// <summary>The defaults.</summary>
    public static FeedbackOptions Default { get; } = new();

    /// <summary>How many of the first pass's best fused hits are taken as relevant (1 to 100). Default 3.</summary>
    public int Documents { get; init; } = 3;

    /// <summary>How many expansion terms the keyword query gets (1 to 1,000). Default 20.</summary>
    public int ExpansionTerms { get; init; } = 20;

    /// <summary>λ: the original keyword query's share of the expanded query's weight (0 to 1; 1 disables keyword
    /// expansion). Default 0.5.</summary>
    public double OriginalQueryWeight { get; init; } = 0.5;

    /// <summary>β: how much of the feedback hits' mean vector is added to the (unit) query vector (0 to 10; 0 disables
    /// vector feedback). Default 1.</summary>
    public double VectorFeedbackWeight { get; init; } = 1.0;

    /// <summary>γ: the second pass's share of the result (0 to 1). The result fuses all four lists, each side's first
    /// pass weighted 1 − γ and its second pass γ, so the hits both passes agree on stay on top. Default 0.75: on
    /// Cranfield, cross-validation prefers 1, and 0.75 is the most conservative value within one paired standard error
    /// of it (0.4462 against 0.4502 nDCG@10, standard error 0.0042); 1 cost 2 of 46 first answers on the
    /// natural-question fixture (tests/data/realdocs), 0.75 none.</summary>
    public double SecondPassWeight { get; init; } = 0.75;

    /// <summary>Checks the ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it).</exception>
    public void Validate()
    {
        if (Documents is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(Documents), Documents, "Documents must be between 1 and 100.");
        if (ExpansionTerms is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(ExpansionTerms), ExpansionTerms, "ExpansionTerms must be between 1 and 1000.");
        if (!(OriginalQueryWeight is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(OriginalQueryWeight), OriginalQueryWeight, "OriginalQueryWeight must be between 0 and 1.");
        if (!(VectorFeedbackWeight is >= 0 and <= 10)) throw new ArgumentOutOfRangeException(nameof(VectorFeedbackWeight), VectorFeedbackWeight, "VectorFeedbackWeight must be between 0 and 10.");
        if (!(SecondPassWeight is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(SecondPassWeight), SecondPassWeight, "SecondPassWeight must be between 0 and 1.");
    }
}
