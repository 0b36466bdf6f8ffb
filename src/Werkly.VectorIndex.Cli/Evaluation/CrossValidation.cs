using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.Cli.Evaluation;

/// <summary>A family of settings whose free parameters are tuned by cross-validation.</summary>
/// <param name="Name">What the family is, for the report.</param>
/// <param name="Candidates">The grid; a family of one candidate has nothing to tune.</param>
/// <param name="OneStandardErrorRule">Choose with the one-standard-error rule (candidates listed from the most
/// conservative) instead of taking the best; see <see cref="QuerySplit.CrossValidate"/>.</param>
internal sealed record CandidateFamily(string Name, IReadOnlyList<EvaluationSettings> Candidates, bool OneStandardErrorRule = false);

/// <summary>The cross-validated outcome of one family.</summary>
/// <param name="Name">The family.</param>
/// <param name="Candidates">Size of its grid.</param>
/// <param name="HeldOut">Held-out nDCG@10, mean over the splits: every query scored by the candidate chosen on the other half.</param>
/// <param name="HeldOutStandardDeviation">Standard deviation of the held-out figure over the splits.</param>
/// <param name="InSampleBest">The best candidate's nDCG@10 on all queries (what tuning on the test queries would report).</param>
/// <param name="Chosen">The candidate chosen most often over all halves of all splits.</param>
/// <param name="ChosenCount">How many of the 2 × splits choices picked it.</param>
/// <param name="ChosenScores">Its metrics on all queries.</param>
/// <param name="MedianSearchTime">Its median search time per query (embedding the query excluded).</param>
internal sealed record FamilyResult(string Name, int Candidates, double HeldOut, double HeldOutStandardDeviation, double InSampleBest,
    EvaluationSettings Chosen, int ChosenCount, RetrievalScores ChosenScores, TimeSpan MedianSearchTime);

/// <summary>
/// The cross-validated comparison behind the defaults (issue 14): each family's parameters are chosen on one half of
/// the queries and scored on the other half, both ways, over several random splits; the report is the held-out figure,
/// never the tuned one.
/// </summary>
internal static class CrossValidation
{
    private static readonly double[] FineAlphas = [.. Enumerable.Range(0, 21).Select(i => i / 20.0)];
    private static readonly double[] CoarseAlphas = [0.3, 0.4, 0.5, 0.6, 0.7];
    private static readonly int[] RrfKs = [1, 5, 10, 20, 30, 60, 100, 200];
    private static readonly int[] FeedbackDocuments = [3, 5, 10];
    private static readonly double[] FeedbackLambdas = [0.5, 0.7];
    private static readonly double[] FeedbackBetas = [0.5, 1.0];
    private static readonly double[] FeedbackGammas = [0.5, 0.75, 1.0];
    private static readonly int[] FeedbackTerms = [10, 20];
    private static readonly FusionMethod[] ScoreMethods = [FusionMethod.WeightedScore, FusionMethod.DistributionBased, FusionMethod.ZScore];

    /// <summary>The families <c>werkly eval --cross-validate</c> compares, for <paramref name="models"/> loaded models.</summary>
    public static IReadOnlyList<CandidateFamily> StandardFamilies(int models)
    {
        var hybrid = new EvaluationSettings { Mode = EvaluationMode.Hybrid, Feedback = null };
        var families = new List<CandidateFamily> { new("bm25", [new EvaluationSettings { Mode = EvaluationMode.Bm25, Feedback = null }]) };
        for (var m = 0; m < models; m++)
            families.Add(new($"vector (model {m})", [new EvaluationSettings { Mode = EvaluationMode.Vector, VectorSide = m, Feedback = null }]));
        foreach (var method in ScoreMethods)
        {
            var name = EvaluationSettings.MethodName(method);
            families.Add(new($"{name}, α = 0.5 (untuned)", [hybrid with { Fusion = new FusionOptions { Method = method, Alpha = 0.5 } }]));
            families.Add(new($"{name}, α tuned (0 to 1 by 0.05)", [.. FineAlphas.Select(a => hybrid with { Fusion = new FusionOptions { Method = method, Alpha = a } })]));
        }
        families.Add(new("rrf, k = 60, α = 0.5 (untuned)", [hybrid with { Fusion = new FusionOptions { Method = FusionMethod.ReciprocalRank } }]));
        families.Add(new("rrf, k and α tuned", [..
            from k in RrfKs
            from a in CoarseAlphas
            select hybrid with { Fusion = new FusionOptions { Method = FusionMethod.ReciprocalRank, RrfK = k, Alpha = a } }]));
        var dbsf = new FusionOptions { Method = FusionMethod.DistributionBased, Alpha = 0.5 };
        families.Add(new("dbsf α = 0.5 + feedback, the defaults (γ = 0.75 chosen on all of Cranfield: not held-out)", [hybrid with { Fusion = dbsf, Feedback = new FeedbackOptions() }]));
        families.Add(new("dbsf + feedback, α, documents, terms, λ, β, γ tuned", [..
            from a in CoarseAlphas
            from docs in FeedbackDocuments
            from terms in FeedbackTerms
            from lambda in FeedbackLambdas
            from beta in FeedbackBetas
            from gamma in FeedbackGammas
            select hybrid with
            {
                Fusion = dbsf with { Alpha = a },
                Feedback = new FeedbackOptions { Documents = docs, ExpansionTerms = terms, OriginalQueryWeight = lambda, VectorFeedbackWeight = beta, SecondPassWeight = gamma },
            }]));
        families.Add(new("dbsf α = 0.5 + feedback, second-pass weight γ tuned", [.. FeedbackGammas.Select(g => hybrid with
            { Fusion = dbsf, Feedback = new FeedbackOptions { Documents = 3, ExpansionTerms = 20, SecondPassWeight = g } })]));
        families.Add(new("dbsf α = 0.5 + feedback, γ by the one-standard-error rule (how the default was chosen)", [.. FeedbackGammas.Select(g => hybrid with
            { Fusion = dbsf, Feedback = new FeedbackOptions { Documents = 3, ExpansionTerms = 20, SecondPassWeight = g } })], OneStandardErrorRule: true));
        families.Add(new("dbsf + keyword feedback only (β = 0), α tuned", [.. CoarseAlphas.Select(a => hybrid with
            { Fusion = dbsf with { Alpha = a }, Feedback = new FeedbackOptions { VectorFeedbackWeight = 0 } })]));
        families.Add(new("dbsf + vector feedback only (λ = 1), α tuned", [.. CoarseAlphas.Select(a => hybrid with
            { Fusion = dbsf with { Alpha = a }, Feedback = new FeedbackOptions { OriginalQueryWeight = 1 } })]));
        if (models >= 2)
        {
            for (var m = 1; m < models; m++)
                families.Add(new($"model {m} + bm25, dbsf α = 0.5 + feedback defaults", [hybrid with { Fusion = dbsf, Feedback = new FeedbackOptions(), VectorSide = m }]));
        }
        return families;
    }

    /// <summary>Cross-validates <paramref name="family"/> over <paramref name="splits"/> random two-fold splits (seeds 1 to
    /// <paramref name="splits"/>). <paramref name="cache"/> keeps per-query scores between families that share candidates.</summary>
    public static FamilyResult Run(BeirEvaluation evaluation, CandidateFamily family, int splits,
        Dictionary<EvaluationSettings, (IReadOnlyDictionary<string, double> Ndcg, RetrievalScores Mean, TimeSpan Median)> cache,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentOutOfRangeException.ThrowIfLessThan(splits, 1);
        var scored = family.Candidates.Select(c => Score(evaluation, c, cache, cancellationToken)).ToArray();
        var perQuery = scored.Select(s => s.Ndcg).ToArray();
        var heldOut = new double[splits];
        var choices = new int[family.Candidates.Count];
        for (var seed = 1; seed <= splits; seed++)
        {
            var result = QuerySplit.CrossValidate(perQuery, seed, family.OneStandardErrorRule);
            heldOut[seed - 1] = result.HeldOut;
            choices[result.ChosenOnFirstHalf]++;
            choices[result.ChosenOnSecondHalf]++;
        }
        var chosen = Array.IndexOf(choices, choices.Max());
        var mean = heldOut.Average();
        var deviation = splits > 1 ? Math.Sqrt(heldOut.Sum(h => (h - mean) * (h - mean)) / (splits - 1)) : 0;
        return new FamilyResult(family.Name, family.Candidates.Count, mean, deviation, scored.Max(s => s.Mean.Ndcg10),
            family.Candidates[chosen], choices[chosen], scored[chosen].Mean, scored[chosen].Median);
    }

    /// <summary>Nested choice over several families: on each half the best candidate of all of them is chosen.</summary>
    public static (double HeldOut, double StandardDeviation, EvaluationSettings Chosen, int ChosenCount) RunNested(BeirEvaluation evaluation,
        IReadOnlyList<CandidateFamily> families, int splits,
        Dictionary<EvaluationSettings, (IReadOnlyDictionary<string, double> Ndcg, RetrievalScores Mean, TimeSpan Median)> cache,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(families);
        var all = families.SelectMany(f => f.Candidates).Distinct().ToArray();
        var result = Run(evaluation, new CandidateFamily("all", all), splits, cache, cancellationToken);
        return (result.HeldOut, result.HeldOutStandardDeviation, result.Chosen, result.ChosenCount);
    }

    private static (IReadOnlyDictionary<string, double> Ndcg, RetrievalScores Mean, TimeSpan Median) Score(BeirEvaluation evaluation,
        EvaluationSettings settings, Dictionary<EvaluationSettings, (IReadOnlyDictionary<string, double>, RetrievalScores, TimeSpan)> cache,
        CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(settings, out var known)) return known;
        var runs = evaluation.Run(settings, cancellationToken);
        var scores = runs.Select(r => RetrievalMetrics.Score(r.QueryId, r.Ranking, evaluation.Dataset.Judgments[r.QueryId])).ToArray();
        var entry = ((IReadOnlyDictionary<string, double>)scores.ToDictionary(s => s.QueryId, s => s.Ndcg10, StringComparer.Ordinal),
            RetrievalMetrics.Mean(scores), BeirEvaluation.Median(runs.Select(r => r.SearchTime)));
        cache[settings] = entry;
        return entry;
    }
}
