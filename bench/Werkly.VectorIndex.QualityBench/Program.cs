using System.Diagnostics;
using System.Globalization;
using Werkly.VectorIndex;
using Werkly.VectorIndex.Evaluation;
using Werkly.VectorIndex.Hybrid;
using Werkly.VectorIndex.QualityBench;
using Werkly.VectorIndex.Text;

// Issue 14's research directions that did not become product options, cross-validated on Cranfield the way
// 'werkly eval --cross-validate' validates the product's: two-fold splits with seeds 1..N (QuerySplit), the best
// candidate of each half scored on the other half, held-out nDCG@10 averaged over the splits.
//   dotnet run -c Release --project bench/Werkly.VectorIndex.QualityBench -- [--embedding-cache FILE] [--arctic-embedding-cache FILE2] [--splits 10]
// (werkly eval --embedding-cache F keeps MiniLM's embeddings in F.ccd537b6a5d8 and arctic's in F.e2c5a99c0b61: the same
// texts, so those files serve here too.)
var cachePath = Option("--embedding-cache");
var arcticCachePath = Option("--arctic-embedding-cache");
var splits = int.Parse(Option("--splits") ?? "10", CultureInfo.InvariantCulture);
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "Werkly.VectorIndex.sln"))) root = root.Parent;
using var collection = await Collection.LoadAsync(Path.Combine(root?.FullName ?? throw new InvalidOperationException("repository root not found"), "tests", "data", "cranfield"), cachePath, arcticCachePath);
var queries = collection.Queries;
var judgments = collection.Dataset.Judgments;
var ids = queries.Select(q => q.Id).ToArray();

// Shared first-pass lists.
var vectorHits = Enumerable.Range(0, queries.Length).Select(q => collection.Vector(q)).ToArray();
var keywordHits = Enumerable.Range(0, queries.Length).Select(q => collection.Bm25(q)).ToArray();

var families = new List<(string Name, List<(string Label, Func<int, IReadOnlyList<string>> Rank)> Candidates)>();
void Family(string name, IEnumerable<(string, Func<int, IReadOnlyList<string>>)> candidates) => families.Add((name, [.. candidates]));
static IReadOnlyList<string> Keys(IReadOnlyList<RankedHit> hits) => [.. hits.Select(h => h.Key)];
string F(double x) => x.ToString("0.##", CultureInfo.InvariantCulture);

Family("bm25 (k1 1.2, b 0.75; reference)", [("bm25", q => Keys(keywordHits[q]))]);
Family("vector (reference)", [("vector", q => Keys(vectorHits[q]))]);
Family("hybrid dbsf α = 0.5, one pass (reference)", [("dbsf", q => Keys(ScoreFusion.FuseLists([vectorHits[q], keywordHits[q]], [0.5, 0.5], FusionMethod.DistributionBased, top: Collection.Depth)))]);

// Both bundled models as two vector sides fused with BM25 (three lists). This left 'werkly eval' with the port to the
// one index, whose hybrid search fuses one vector side with BM25.
var arcticHits = Enumerable.Range(0, queries.Length).Select(q => collection.Arctic(q)).ToArray();
Family("vector, arctic-embed-xs (reference)", [("arctic", q => Keys(arcticHits[q]))]);
Family("arctic + bm25, dbsf α = 0.5, one pass", [("dbsf", q => Keys(ScoreFusion.FuseLists([arcticHits[q], keywordHits[q]], [0.5, 0.5], FusionMethod.DistributionBased, top: Collection.Depth)))]);
foreach (var (method, label) in new[] { (FusionMethod.DistributionBased, "dbsf"), (FusionMethod.WeightedScore, "min-max"), (FusionMethod.ZScore, "z-score"), (FusionMethod.ReciprocalRank, "rrf k = 60") })
{
    Family($"2 models + bm25, {label}, equal weights", [(label, q => Keys(ScoreFusion.FuseLists([vectorHits[q], arcticHits[q], keywordHits[q]],
        [1 / 3.0, 1 / 3.0, 1 / 3.0], method, top: Collection.Depth)))]);
}
Family("2 models + bm25, dbsf, weights tuned (MiniLM/arctic/BM25 on the simplex by 0.1)", from i in Enumerable.Range(0, 11) from j in Enumerable.Range(0, 11 - i)
    let weights = new[] { i / 10.0, j / 10.0, (10 - i - j) / 10.0 }
    select ($"{F(weights[0])}/{F(weights[1])}/{F(weights[2])}", (Func<int, IReadOnlyList<string>>)(q => Keys(ScoreFusion.FuseLists([vectorHits[q], arcticHits[q], keywordHits[q]],
        weights, FusionMethod.DistributionBased, top: Collection.Depth)))));

// Keyword side: BM25 parameters, field weights, BM25+, question stop words, RM3 from BM25's own top documents.
Family("bm25 k1 × b tuned (keyword only)", from k1 in new[] { 0.6, 0.9, 1.2, 1.5, 2.0 } from b in new[] { 0.3, 0.5, 0.75, 0.9 }
    select ($"k1={F(k1)} b={F(b)}", (Func<int, IReadOnlyList<string>>)(q => Keys(collection.Bm25(q, new Bm25Options { K1 = k1, B = b })))));
Family("bm25 title weight tuned (keyword only)", from w in new[] { 0.0, 0.5, 1.0, 2.0, 3.0 }
    select ($"title={F(w)}", (Func<int, IReadOnlyList<string>>)(q => Keys(collection.Bm25(q, new Bm25Options { TitleWeight = w })))));
var bm25Plus = new Bm25Plus(collection);
var plusParity = Enumerable.Range(0, queries.Length).Count(q => bm25Plus.Search(WeightedTerm.FromText(collection.Keywords.Analyzer, queries[q].Text), 0, 10).SequenceEqual(Keys(keywordHits[q]).Take(10)));
Console.Error.WriteLine($"BM25+ re-implementation with δ = 0 ranks the top 10 like the index for {plusParity} of {queries.Length} queries");
foreach (var delta in new[] { 0.5, 1.0 })
    Family($"bm25+ δ = {F(delta)} (keyword only)", [($"δ={F(delta)}", q => bm25Plus.Search(WeightedTerm.FromText(collection.Keywords.Analyzer, queries[q].Text), delta, Collection.Depth))]);
var questionAnalyzer = new TextAnalyzer(TextAnalyzerOptions.English with { StopWords = EnglishStopWords.Lucene.Union(QuestionWords.All).ToHashSet(StringComparer.Ordinal) });
Family("question stop words removed from queries (keyword only)", [("question stop words", q => Keys(collection.Bm25(q, analyzer: questionAnalyzer)))]);
Family("question stop words, hybrid dbsf α = 0.5", [("question stop words", q => Keys(ScoreFusion.FuseLists([vectorHits[q], collection.Bm25(q, analyzer: questionAnalyzer)], [0.5, 0.5], FusionMethod.DistributionBased, top: Collection.Depth)))]);
Family("RM3 from BM25's own top documents, tuned (keyword only)", from docs in new[] { 3, 5, 10 } from terms in new[] { 10, 20 } from lambda in new[] { 0.5, 0.7 }
    select ($"{docs} docs {terms} terms λ={F(lambda)}", (Func<int, IReadOnlyList<string>>)(q =>
    {
        var feedback = keywordHits[q].Take(docs).Select((h, i) => new FeedbackDocument(collection.Texts[h.Key].Title, collection.Texts[h.Key].Body, 1.0 / (i + 1))).ToList();
        return Keys(Collection.Ranked(collection.Keywords.Search(RelevanceFeedback.Expand(collection.Keywords.Analyzer, queries[q].Text, feedback, terms, lambda), Collection.Depth)));
    })));
// Vector side: Rocchio from the vector side's own top documents.
Family("Rocchio from the vector side's own top documents, tuned (vector only)", from docs in new[] { 3, 5, 10 } from beta in new[] { 0.5, 1.0 }
    select ($"{docs} docs β={F(beta)}", (Func<int, IReadOnlyList<string>>)(q => Keys(collection.Vector(q, Rocchio(q, vectorHits[q].Take(docs), beta))))));
// Fusion that adapts to the query, and other normalisations.
Family("peakedness-weighted dbsf: α_q ∝ α · peak^λ, tuned", from a in new[] { 0.3, 0.4, 0.5, 0.6, 0.7 } from lambda in new[] { 0.5, 1.0, 2.0 }
    select ($"α={F(a)} λ={F(lambda)}", (Func<int, IReadOnlyList<string>>)(q =>
    {
        var pv = Math.Pow(Peak(vectorHits[q]), lambda) * a;
        var pk = Math.Pow(Peak(keywordHits[q]), lambda) * (1 - a);
        var alpha = pv + pk > 0 ? pv / (pv + pk) : a;
        return Keys(ScoreFusion.FuseLists([vectorHits[q], keywordHits[q]], [alpha, 1 - alpha], FusionMethod.DistributionBased, top: Collection.Depth));
    })));
Family("rank-based normalisation 1 − (rank − 1)/n, α tuned", Enumerable.Range(0, 21).Select(i => i / 20.0)
    .Select(a => ($"α={F(a)}", (Func<int, IReadOnlyList<string>>)(q => Combine(q, a, (hits, i) => 1 - (double)i / hits.Count)))));
Family("theoretical-min max normalisation (TM2C2: cosine from −1, BM25 from 0), α tuned", Enumerable.Range(0, 21).Select(i => i / 20.0)
    .Select(a => ($"α={F(a)}", (Func<int, IReadOnlyList<string>>)(q => Combine(q, a,
        (hits, i) => ReferenceEquals(hits, vectorHits[q]) ? (hits[i].Score + 1) / (hits[0].Score + 1) : hits[i].Score / hits[0].Score)))));

var results = new List<string>();
foreach (var (name, candidates) in families)
{
    var clock = Stopwatch.StartNew();
    var perQuery = candidates.Select(c => (IReadOnlyDictionary<string, double>)Enumerable.Range(0, queries.Length)
        .ToDictionary(q => ids[q], q => RetrievalMetrics.Ndcg(c.Rank(q), judgments[ids[q]], 10), StringComparer.Ordinal)).ToArray();
    var heldOut = new List<double>();
    var choices = new int[candidates.Count];
    for (var seed = 1; seed <= splits; seed++)
    {
        var result = QuerySplit.CrossValidate(perQuery, seed);
        heldOut.Add(result.HeldOut);
        choices[result.ChosenOnFirstHalf]++;
        choices[result.ChosenOnSecondHalf]++;
    }
    var chosen = Array.IndexOf(choices, choices.Max());
    var time = MedianTime(candidates[chosen].Rank);
    results.Add(Row(name, candidates.Count, heldOut, perQuery.Max(p => p.Values.Average()), $"{candidates[chosen].Label} ({choices[chosen]}/{2 * splits})", time));
    Console.Error.WriteLine($"{name}: {clock.Elapsed.TotalSeconds:F1} s");
}

// The learned linear combination is fitted on each training half, not chosen from a grid.
{
    var learned = new LearnedCombination(collection);
    var heldOut = new List<double>();
    double[]? lastWeights = null;
    var sorted = ids.Order(StringComparer.Ordinal).ToArray();
    var index = ids.Select((id, q) => (id, q)).ToDictionary(p => p.id, p => p.q, StringComparer.Ordinal);
    for (var seed = 1; seed <= splits; seed++)
    {
        var (first, second) = QuerySplit.Halves(sorted, seed);
        var total = 0.0;
        foreach (var (train, test) in new[] { (first, second), (second, first) })
        {
            lastWeights = learned.Fit([.. train.Select(id => index[id])]);
            total += test.Sum(id => RetrievalMetrics.Ndcg(learned.Rank(lastWeights, index[id]), judgments[id], 10));
        }
        heldOut.Add(total / ids.Length);
    }
    var all = learned.Fit([.. Enumerable.Range(0, queries.Length)]);
    var inSample = Enumerable.Range(0, queries.Length).Average(q => RetrievalMetrics.Ndcg(learned.Rank(all, q), judgments[ids[q]], 10));
    results.Add(Row("learned linear combination of 6 features (coordinate ascent on each training half)", 1, heldOut, inSample,
        "weights " + string.Join('/', lastWeights!.Select(w => w.ToString("0.00", CultureInfo.InvariantCulture))) + " (last fold)", MedianTime(q => learned.Rank(all, q))));
}

Console.WriteLine($"Cranfield, {queries.Length} judged queries, {splits} two-fold splits; held-out nDCG@10 (mean ± sd over splits)");
Console.WriteLine();
Console.WriteLine("| direction | grid | held-out nDCG@10 | in-sample best | chosen most often | ms/query |");
Console.WriteLine("|---|---:|---:|---:|---|---:|");
foreach (var row in results) Console.WriteLine(row);
return 0;

string Row(string name, int grid, List<double> heldOut, double inSample, string chosen, TimeSpan time)
{
    var mean = heldOut.Average();
    var sd = heldOut.Count > 1 ? Math.Sqrt(heldOut.Sum(h => (h - mean) * (h - mean)) / (heldOut.Count - 1)) : 0;
    return string.Create(CultureInfo.InvariantCulture, $"| {name} | {grid} | {mean:F4} ± {sd:F4} | {inSample:F4} | {chosen} | {time.TotalMilliseconds:F2} |");
}

TimeSpan MedianTime(Func<int, IReadOnlyList<string>> rank)
{
    var times = new List<double>();
    for (var q = 0; q < queries.Length; q++)
    {
        var clock = Stopwatch.StartNew();
        rank(q);
        times.Add(clock.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    return TimeSpan.FromMilliseconds(times[times.Count / 2]);
}

float[] Rocchio(int q, IEnumerable<RankedHit> feedback, double beta)
{
    var vector = collection.QueryVectors[q].ToArray();
    var norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector);
    System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
    var row = new float[vector.Length];
    var sum = new float[vector.Length];
    var count = 0;
    foreach (var hit in feedback)
    {
        if (!collection.Vectors.TryGetVector(Collection.Company, hit.Key, row)) continue;
        System.Numerics.Tensors.TensorPrimitives.Add(sum, row, sum);
        count++;
    }
    if (count > 0) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(sum, (float)(beta / count), vector, vector);
    return vector;
}

static double Peak(IReadOnlyList<RankedHit> hits)
{
    if (hits.Count < 2) return 1;
    var mean = hits.Average(h => h.Score);
    var sd = Math.Sqrt(hits.Sum(h => (h.Score - mean) * (h.Score - mean)) / hits.Count);
    return sd > 0 ? (hits[0].Score - mean) / sd : 1;
}

IReadOnlyList<string> Combine(int q, double alpha, Func<IReadOnlyList<RankedHit>, int, double> normalise)
{
    var scores = new Dictionary<string, double>(StringComparer.Ordinal);
    foreach (var (hits, weight) in new[] { (vectorHits[q], alpha), (keywordHits[q], 1 - alpha) })
    {
        for (var i = 0; i < hits.Count; i++) scores[hits[i].Key] = scores.GetValueOrDefault(hits[i].Key) + weight * normalise(hits, i);
    }
    return [.. scores.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(Collection.Depth).Select(p => p.Key)];
}

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>Interrogatives, auxiliaries and pronouns that questions carry and documents rarely mean (added to Lucene's
/// English stop words for queries only).</summary>
internal static class QuestionWords
{
    public static readonly string[] All = ["what", "which", "who", "whom", "whose", "when", "where", "why", "how", "do", "does", "did",
        "can", "could", "should", "would", "may", "might", "must", "shall", "am", "were", "been", "being", "have", "has", "had",
        "i", "me", "my", "we", "our", "us", "you", "your"];
}
