using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli.Evaluation;
using Werkly.VectorIndex.Cli.Output;
using Werkly.VectorIndex.Embeddings.Onnx;
using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.Cli.Commands;

/// <summary>Settings of <c>werkly eval</c>.</summary>
internal sealed class EvalSettings : CommandSettings
{
    /// <summary>The BEIR-layout folder.</summary>
    [CommandArgument(0, "<BEIR_DIR>")]
    [Description("Folder in the BEIR layout: corpus.jsonl (or .jsonl.gz) with _id/title/text, queries.jsonl, qrels/test.tsv.")]
    public string Directory { get; init; } = "";

    /// <summary>The retriever to score.</summary>
    [CommandOption("--mode <MODE>")]
    [Description("bm25, vector or hybrid (required, except with --cross-validate).")]
    public string? Mode { get; init; }

    /// <summary>Hybrid fusion method.</summary>
    [CommandOption("--fusion <METHOD>")]
    [Description("Hybrid only: dbsf (distribution-based, default), weighted (min-max), zscore or rrf (reciprocal rank fusion).")]
    public string? Fusion { get; init; }

    /// <summary>Weight of the vector side.</summary>
    [CommandOption("--alpha <ALPHA>")]
    [Description("Hybrid only: weight of the vector side, 0 to 1 (default 0.5).")]
    public double? Alpha { get; init; }

    /// <summary>RRF k.</summary>
    [CommandOption("--rrf-k <K>")]
    [Description("Hybrid only: k of reciprocal rank fusion (default 60).")]
    public int? RrfK { get; init; }

    /// <summary>Pseudo-relevance feedback.</summary>
    [CommandOption("--feedback <ON_OFF_OR_DOCS>")]
    [Description("Hybrid only: on (default: expand both sides from the 3 best fused hits), off, or the number of feedback hits.")]
    public string? Feedback { get; init; }

    /// <summary>The embedding model(s).</summary>
    [CommandOption("--model <MODEL>")]
    [Description("Embedding model: minilm (all-MiniLM-L6-v2, bundled, the default), arctic (snowflake-arctic-embed-xs, bundled) or a folder holding model.onnx and vocab.txt. A comma-separated list loads several (--cross-validate and 'weights=' then fuse them); the first is the vector side.")]
    public string? Model { get; init; }

    /// <summary>Where embeddings are cached between runs.</summary>
    [CommandOption("--embedding-cache <FILE>")]
    [Description("Keep embeddings in FILE between runs (created if missing), so that repeated evaluations embed nothing. One file per model is used: FILE.<model>.")]
    public string? EmbeddingCache { get; init; }

    /// <summary>Chunk the documents.</summary>
    [CommandOption("--chunk")]
    [Description("Cut documents into chunks as 'werkly ingest' does and rank documents by their chunks (for collections of long documents).")]
    public bool Chunk { get; init; }

    /// <summary>Chunk → document aggregation.</summary>
    [CommandOption("--per-document <HOW>")]
    [Description("With --chunk: max (a document scores its best chunk; default) or sumN (the sum of its N best chunks, e.g. sum2).")]
    public string? PerDocument { get; init; }

    /// <summary>A second setting to compare against the first.</summary>
    [CommandOption("--compare <SETTINGS>")]
    [Description("Paired comparison: score the setting given by the other options (A) and A changed by SETTINGS (B), e.g. 'fusion=weighted,feedback=off' or 'mode=vector'; prints per-query differences, a paired randomisation test and a bootstrap interval.")]
    public string? Compare { get; init; }

    /// <summary>Run the cross-validated comparison of fusion and feedback settings.</summary>
    [CommandOption("--cross-validate")]
    [Description("Tune each family of settings on half the queries and score it on the other half, both ways, over --splits random splits; prints held-out nDCG@10 and search time per family.")]
    public bool CrossValidate { get; init; }

    /// <summary>How many random splits.</summary>
    [CommandOption("--splits <N>")]
    [Description("With --cross-validate: how many random two-fold splits (seeds 1..N; default 10).")]
    public int? Splits { get; init; }

    /// <summary>The embedding model's precision.</summary>
    [CommandOption("--precision <PRECISION>")]
    [Description(EmbeddingModel.PrecisionHelp)]
    public string? Precision { get; init; }

    /// <summary>Print a grid of fusion settings instead of one score.</summary>
    [CommandOption("--sweep")]
    [Description("Hybrid only: score a grid of fusion settings (each method with α 0..1, RRF k × α) after embedding once. In-sample: prefer --cross-validate.")]
    public bool Sweep { get; init; }

    /// <summary>Machine-readable output.</summary>
    [CommandOption("--json")]
    [Description("Print exactly one JSON object (for one setting: mode, settings, queries, ndcg10, map100, recall100, p10, success1, search_ms, took_s).")]
    public bool Json { get; init; }

    /// <summary>The parsed mode.</summary>
    public EvaluationMode ParsedMode => ParseMode(Mode) ?? EvaluationMode.Hybrid;

    /// <summary>The models to load, in order.</summary>
    public IReadOnlyList<string> Models => Model is null ? [EmbeddingModel.DefaultName] : Model.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The setting the options describe (A of a comparison).</summary>
    public EvaluationSettings ParsedSettings
    {
        get
        {
            var fusion = HybridDefaults.Fusion with
            {
                Method = Fusion is null ? HybridDefaults.Fusion.Method : EvaluationSettings.ParseMethod(Fusion)!.Value,
                Alpha = Alpha ?? HybridDefaults.Fusion.Alpha,
                RrfK = RrfK ?? HybridDefaults.Fusion.RrfK,
            };
            var settings = new EvaluationSettings { Mode = ParsedMode, Fusion = fusion, Feedback = HybridDefaults.Feedback };
            if (Feedback is not null) settings = EvaluationSettings.Parse("feedback=" + Feedback, settings);
            if (EvaluationSettings.ParseAggregation(PerDocument) is { } aggregation)
                settings = settings with { Aggregation = aggregation.Scoring, ChunksPerDocument = aggregation.Chunks };
            return settings;
        }
    }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
            return ValidationResult.Error("Give the BEIR folder, for example: werkly eval tests/data/cranfield --mode hybrid");
        if (Mode is null && !CrossValidate)
            return ValidationResult.Error("--mode is required: bm25, vector or hybrid.");
        if (Mode is not null && ParseMode(Mode) is null)
            return ValidationResult.Error($"Unknown --mode '{Mode}': use bm25, vector or hybrid.");
        if (Fusion is not null && EvaluationSettings.ParseMethod(Fusion) is null)
            return ValidationResult.Error($"Unknown --fusion '{Fusion}': use dbsf, weighted, zscore or rrf.");
        if (Alpha is { } alpha && !(alpha is >= 0 and <= 1))
            return ValidationResult.Error("--alpha must be between 0 and 1.");
        if (RrfK is { } k && k is < 1 or > 100_000)
            return ValidationResult.Error("--rrf-k must be between 1 and 100000.");
        if (Splits is { } splits && splits is < 1 or > 1000)
            return ValidationResult.Error("--splits must be between 1 and 1000.");
        if (PerDocument is not null && EvaluationSettings.ParseAggregation(PerDocument) is null)
            return ValidationResult.Error($"Unknown --per-document '{PerDocument}': use max or sumN (for example sum2).");
        if (PerDocument is not null && !Chunk)
            return ValidationResult.Error("--per-document needs --chunk (documents that are not chunked are ranked as they are).");
        if (Models.FirstOrDefault(m => !EmbeddingModel.IsValidName(m)) is { } unknown)
            return ValidationResult.Error($"Unknown --model '{unknown}': use {EmbeddingModel.Choices}.");
        if (new[] { Sweep, CrossValidate, Compare is not null }.Count(x => x) > 1)
            return ValidationResult.Error("Use one of --sweep, --compare and --cross-validate at a time.");
        if (Sweep && ParsedMode != EvaluationMode.Hybrid)
            return ValidationResult.Error("--sweep needs --mode hybrid.");
        try
        {
            _ = ParsedSettings;
            if (Compare is not null) _ = EvaluationSettings.Parse(Compare, ParsedSettings);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return ValidationResult.Error(e.Message);
        }
        return ValidationResult.Success();
    }

    internal static EvaluationMode? ParseMode(string? mode) => mode?.ToUpperInvariant() switch
    {
        "BM25" or "KEYWORD" => EvaluationMode.Bm25,
        "VECTOR" => EvaluationMode.Vector,
        "HYBRID" => EvaluationMode.Hybrid,
        _ => null,
    };
}

/// <summary><c>werkly eval BEIR_DIR --mode bm25|vector|hybrid [--compare SETTINGS | --cross-validate | --sweep] [--json]</c>:
/// scores retrieval on a judged test collection.</summary>
/// <remarks>The corpus is indexed as one company (or chunked as <c>werkly ingest</c> does with <c>--chunk</c>); vector
/// and hybrid modes embed it with the chosen model(s). Prints nDCG@10, MAP@100, Recall@100, P@10 and success@1
/// averaged over the judged queries, with the median search time per query.</remarks>
internal sealed class EvalCommand : AsyncCommand<EvalSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, EvalSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = Stopwatch.StartNew();
        var dataset = LoadDataset(settings.Directory);
        var primary = settings.ParsedSettings;
        var second = settings.Compare is null ? null : EvaluationSettings.Parse(settings.Compare, primary);
        var needsModels = settings.CrossValidate || primary.Mode != EvaluationMode.Bm25 || (second is not null && second.Mode != EvaluationMode.Bm25);
        var names = needsModels ? settings.Models : [];
        var caches = new (string Path, EmbeddingCache Cache)?[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            if (settings.EmbeddingCache is null) continue;
            var path = settings.EmbeddingCache + "." + CacheSuffix(names[i]);
            caches[i] = (path, LoadCache(path));
        }
        var generators = new List<OnnxEmbeddingGenerator>();
        try
        {
            for (var i = 0; i < names.Count; i++) generators.Add(EmbeddingModel.Create(names[i], EmbeddingModel.ParsePrecision(settings.Precision), caches[i]?.Cache));
            using var evaluation = new BeirEvaluation(dataset, generators, settings.Chunk);
            if (settings.Json || Console.IsOutputRedirected)
                await evaluation.PrepareAsync(null, cancellationToken).ConfigureAwait(false);
            else
                await ProgressDisplay.RunAsync("Preparing", (progress, token) => evaluation.PrepareAsync(progress, token), cancellationToken).ConfigureAwait(false);
            foreach (var entry in caches)
            {
                if (entry is { } c) c.Cache.Save(c.Path, cancellationToken);
            }

            if (settings.CrossValidate) return await CrossValidateAsync(evaluation, settings, names, clock, cancellationToken).ConfigureAwait(false);
            if (settings.Sweep) return Sweep(evaluation, settings.Json, cancellationToken);
            if (second is not null) return CompareSettings(evaluation, primary, second, settings.Json, clock, cancellationToken);
            return Single(evaluation, primary, settings, clock, cancellationToken);
        }
        finally
        {
            foreach (var generator in generators) generator.Dispose();
        }
    }

    internal static BeirDataset LoadDataset(string directory)
    {
        try
        {
            return BeirDataset.Load(directory);
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException(ExitCodes.UnreadableInput,
                $"{e.Message} A BEIR folder holds corpus.jsonl (or corpus.jsonl.gz), queries.jsonl and qrels/test.tsv.", e);
        }
    }

    private static int Single(BeirEvaluation evaluation, EvaluationSettings setting, EvalSettings settings, Stopwatch clock, CancellationToken cancellationToken)
    {
        var runs = evaluation.Run(setting, cancellationToken);
        var scores = Scores(evaluation, runs);
        var success = evaluation.SuccessAt1(runs);
        var searchTime = BeirEvaluation.Median(runs.Select(r => r.SearchTime));
        var took = clock.Elapsed.TotalSeconds;
        if (settings.Json)
        {
            Terminal.WriteJson(w =>
            {
                w.WriteString("mode", setting.Mode.ToString().ToLowerInvariant());
                w.WriteString("settings", setting.Describe());
                w.WriteNumber("queries", scores.Queries);
                WriteScores(w, scores);
                w.WriteNumber("success1", Terminal.Round4(success));
                w.WriteNumber("search_ms", Math.Round(searchTime.TotalMilliseconds, 3));
                w.WriteNumber("took_s", Math.Round(took, 2));
            });
            return ExitCodes.Ok;
        }
        var table = ScoreTable($"{Markup.Escape(CollectionName(settings.Directory))}: {evaluation.Dataset.Corpus.Count:N0} documents{(settings.Chunk ? $" ({evaluation.Records:N0} chunks)" : "")}, {scores.Queries} judged queries");
        AddRow(table, setting.Describe(), scores, success, searchTime);
        Terminal.Out.Write(table);
        Terminal.Out.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[grey]took {took:F1} s{(evaluation.Models == 0 ? "" : $", of which embedding {evaluation.EmbeddingTime.TotalSeconds:F1} s")}; search time is the median per query, query embedding excluded[/]"));
        return ExitCodes.Ok;
    }

    private static int CompareSettings(BeirEvaluation evaluation, EvaluationSettings a, EvaluationSettings b, bool json, Stopwatch clock, CancellationToken cancellationToken)
    {
        var runsA = evaluation.Run(a, cancellationToken);
        var runsB = evaluation.Run(b, cancellationToken);
        var scoresA = PerQuery(evaluation, runsA);
        var scoresB = PerQuery(evaluation, runsB);
        var comparison = PairedComparison.Compare([.. scoresA.Select(s => s.Ndcg10)], [.. scoresB.Select(s => s.Ndcg10)]);
        var differences = scoresA.Zip(scoresB, (x, y) => (Query: x.QueryId, A: x.Ndcg10, B: y.Ndcg10, Difference: y.Ndcg10 - x.Ndcg10)).ToArray();
        if (json)
        {
            Terminal.WriteJson(w =>
            {
                foreach (var (name, setting, runs, scores) in new[] { ("a", a, runsA, scoresA), ("b", b, runsB, scoresB) })
                {
                    w.WriteStartObject(name);
                    w.WriteString("settings", setting.Describe());
                    WriteScores(w, RetrievalMetrics.Mean(scores));
                    w.WriteNumber("success1", Terminal.Round4(evaluation.SuccessAt1(runs)));
                    w.WriteNumber("search_ms", Math.Round(BeirEvaluation.Median(runs.Select(r => r.SearchTime)).TotalMilliseconds, 3));
                    w.WriteEndObject();
                }
                w.WriteNumber("queries", comparison.Queries);
                w.WriteStartObject("ndcg10");
                w.WriteNumber("difference", Math.Round(comparison.MeanDifference, 6));
                w.WriteNumber("standard_error", Math.Round(comparison.StandardError, 6));
                w.WriteNumber("better", comparison.Better);
                w.WriteNumber("worse", comparison.Worse);
                w.WriteNumber("equal", comparison.Equal);
                w.WriteNumber("p_value", Math.Round(comparison.PValue, 6));
                w.WriteNumber("permutations", comparison.Permutations);
                w.WriteNumber("ci95_low", Math.Round(comparison.ConfidenceLow, 6));
                w.WriteNumber("ci95_high", Math.Round(comparison.ConfidenceHigh, 6));
                w.WriteEndObject();
                w.WriteStartArray("per_query");
                foreach (var d in differences)
                {
                    w.WriteStartObject();
                    w.WriteString("query", d.Query);
                    w.WriteNumber("a", Math.Round(d.A, 6));
                    w.WriteNumber("b", Math.Round(d.B, 6));
                    w.WriteNumber("difference", Math.Round(d.Difference, 6));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteNumber("took_s", Math.Round(clock.Elapsed.TotalSeconds, 2));
            });
            return ExitCodes.Ok;
        }
        var table = ScoreTable($"paired comparison over {comparison.Queries} judged queries");
        AddRow(table, "A: " + a.Describe(), RetrievalMetrics.Mean(scoresA), evaluation.SuccessAt1(runsA), BeirEvaluation.Median(runsA.Select(r => r.SearchTime)));
        AddRow(table, "B: " + b.Describe(), RetrievalMetrics.Mean(scoresB), evaluation.SuccessAt1(runsB), BeirEvaluation.Median(runsB.Select(r => r.SearchTime)));
        Terminal.Out.Write(table);
        var inv = CultureInfo.InvariantCulture;
        Terminal.Out.MarkupLine(string.Create(inv,
            $"nDCG@10 B − A = [bold]{comparison.MeanDifference:+0.0000;-0.0000}[/] (standard error {comparison.StandardError:0.0000}, 95% bootstrap interval {comparison.ConfidenceLow:+0.0000;-0.0000} to {comparison.ConfidenceHigh:+0.0000;-0.0000})"));
        Terminal.Out.MarkupLine(string.Create(inv,
            $"B better on {comparison.Better} queries, worse on {comparison.Worse}, equal on {comparison.Equal}; paired randomisation test: [bold]p = {comparison.PValue:0.0000}[/] ({comparison.Permutations:N0} sign flips){(comparison.PValue < 0.05 ? "" : " — not significant at 0.05")}"));
        var moved = new Table().Border(TableBorder.Rounded).Title("largest per-query differences")
            .AddColumn("query").AddColumn(new TableColumn("A").RightAligned()).AddColumn(new TableColumn("B").RightAligned()).AddColumn(new TableColumn("B − A").RightAligned());
        foreach (var d in differences.Where(d => d.Difference != 0).OrderByDescending(d => Math.Abs(d.Difference)).ThenBy(d => d.Query, StringComparer.Ordinal).Take(10))
            moved.AddRow(Markup.Escape(d.Query), d.A.ToString("F4", inv), d.B.ToString("F4", inv), d.Difference.ToString("+0.0000;-0.0000", inv));
        Terminal.Out.Write(moved);
        return ExitCodes.Ok;
    }

    private static async Task<int> CrossValidateAsync(BeirEvaluation evaluation, EvalSettings settings, IReadOnlyList<string> models, Stopwatch clock,
        CancellationToken cancellationToken)
    {
        var splits = settings.Splits ?? 10;
        var families = CrossValidation.StandardFamilies(evaluation.Models);
        var cache = new Dictionary<EvaluationSettings, (IReadOnlyDictionary<string, double>, RetrievalScores, TimeSpan)>();
        var results = new List<FamilyResult>();
        foreach (var family in families)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(CrossValidation.Run(evaluation, family, splits, cache, cancellationToken));
        }
        var tuned = families.Where(f => f.Candidates.Count > 1 || f.Candidates[0].Mode == EvaluationMode.Hybrid).ToArray();
        var nested = CrossValidation.RunNested(evaluation, tuned, splits, cache, cancellationToken);
        var embedding = new List<TimeSpan>();
        for (var m = 0; m < evaluation.Models; m++)
            embedding.Add(await evaluation.MedianQueryEmbeddingTimeAsync(m, 50, cancellationToken).ConfigureAwait(false));
        var inv = CultureInfo.InvariantCulture;
        if (settings.Json)
        {
            Terminal.WriteJson(w =>
            {
                w.WriteNumber("queries", results[0].ChosenScores.Queries);
                w.WriteNumber("splits", splits);
                w.WriteStartArray("models");
                for (var m = 0; m < models.Count; m++)
                {
                    w.WriteStartObject();
                    w.WriteString("name", models[m]);
                    w.WriteNumber("query_embedding_ms", Math.Round(embedding[m].TotalMilliseconds, 2));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("families");
                foreach (var r in results)
                {
                    w.WriteStartObject();
                    w.WriteString("family", r.Name);
                    w.WriteNumber("candidates", r.Candidates);
                    w.WriteNumber("heldout_ndcg10", Math.Round(r.HeldOut, 4));
                    w.WriteNumber("heldout_sd", Math.Round(r.HeldOutStandardDeviation, 4));
                    w.WriteNumber("insample_best_ndcg10", Math.Round(r.InSampleBest, 4));
                    w.WriteString("chosen", r.Chosen.Describe());
                    w.WriteNumber("chosen_times", r.ChosenCount);
                    w.WriteNumber("chosen_ndcg10_all_queries", Math.Round(r.ChosenScores.Ndcg10, 4));
                    w.WriteNumber("search_ms", Math.Round(r.MedianSearchTime.TotalMilliseconds, 3));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartObject("nested");
                w.WriteNumber("heldout_ndcg10", Math.Round(nested.HeldOut, 4));
                w.WriteNumber("heldout_sd", Math.Round(nested.StandardDeviation, 4));
                w.WriteString("chosen", nested.Chosen.Describe());
                w.WriteNumber("chosen_times", nested.ChosenCount);
                w.WriteEndObject();
                w.WriteNumber("took_s", Math.Round(clock.Elapsed.TotalSeconds, 2));
            });
            return ExitCodes.Ok;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{Markup.Escape(CollectionName(settings.Directory))}: held-out nDCG@10, {splits} random two-fold splits (tune on one half, score the other, both ways)")
            .AddColumn("family").AddColumn(new TableColumn("grid").RightAligned()).AddColumn(new TableColumn("held-out").RightAligned())
            .AddColumn(new TableColumn("± sd").RightAligned()).AddColumn(new TableColumn("in-sample best").RightAligned())
            .AddColumn("chosen most often").AddColumn(new TableColumn("search ms").RightAligned());
        foreach (var r in results)
        {
            table.AddRow(Markup.Escape(r.Name), r.Candidates.ToString(inv), r.HeldOut.ToString("F4", inv), r.HeldOutStandardDeviation.ToString("F4", inv),
                r.InSampleBest.ToString("F4", inv), Markup.Escape($"{r.Chosen.Describe()} ({r.ChosenCount}/{2 * splits})"),
                r.MedianSearchTime.TotalMilliseconds.ToString("F2", inv));
        }
        Terminal.Out.Write(table);
        Terminal.Out.MarkupLine(string.Create(inv,
            $"Choosing among all hybrid families on each half: held-out [bold]{nested.HeldOut:F4}[/] ± {nested.StandardDeviation:F4}; chosen most often: {Markup.Escape(nested.Chosen.Describe())} ({nested.ChosenCount}/{2 * splits})."));
        for (var m = 0; m < models.Count; m++)
            Terminal.Out.MarkupLine(string.Create(inv, $"[grey]Embedding one query with {Markup.Escape(models[m])}: median {embedding[m].TotalMilliseconds:F1} ms (model {m}).[/]"));
        Terminal.Out.MarkupLine(string.Create(inv, $"[grey]took {clock.Elapsed.TotalSeconds:F1} s[/]"));
        return ExitCodes.Ok;
    }

    private static int Sweep(BeirEvaluation evaluation, bool json, CancellationToken cancellationToken)
    {
        var grid = new List<(EvaluationSettings Settings, RetrievalScores Scores)>();
        var hybrid = new EvaluationSettings { Mode = EvaluationMode.Hybrid, Feedback = null };
        foreach (var method in new[] { FusionMethod.DistributionBased, FusionMethod.WeightedScore, FusionMethod.ZScore })
        {
            foreach (var alpha in Enumerable.Range(0, 11).Select(i => i / 10.0))
            {
                var s = hybrid with { Fusion = new FusionOptions { Method = method, Alpha = alpha } };
                grid.Add((s, evaluation.Evaluate(s, cancellationToken)));
            }
        }
        foreach (var k in new[] { 1, 10, 30, 60, 100, 200 })
        {
            foreach (var alpha in new[] { 0.3, 0.4, 0.5, 0.6, 0.7 })
            {
                var s = hybrid with { Fusion = new FusionOptions { Method = FusionMethod.ReciprocalRank, Alpha = alpha, RrfK = k } };
                grid.Add((s, evaluation.Evaluate(s, cancellationToken)));
            }
        }
        if (json)
        {
            Terminal.WriteJson(w =>
            {
                w.WriteString("mode", "hybrid");
                w.WriteNumber("queries", grid[0].Scores.Queries);
                w.WriteStartArray("sweep");
                foreach (var (s, scores) in grid)
                {
                    w.WriteStartObject();
                    w.WriteString("fusion", EvaluationSettings.MethodName(s.Fusion.Method));
                    w.WriteNumber("alpha", s.Fusion.Alpha);
                    if (s.Fusion.Method == FusionMethod.ReciprocalRank) w.WriteNumber("rrf_k", s.Fusion.RrfK);
                    WriteScores(w, scores);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return ExitCodes.Ok;
        }
        var table = ScoreTable("hybrid fusion sweep (in-sample: every setting scored on the queries it would be chosen on)");
        foreach (var (s, scores) in grid) AddRow(table, s.Describe(), scores, null, null);
        Terminal.Out.Write(table);
        return ExitCodes.Ok;
    }

    private static QueryScores[] PerQuery(BeirEvaluation evaluation, IReadOnlyList<QueryRun> runs) =>
        [.. runs.Select(r => RetrievalMetrics.Score(r.QueryId, r.Ranking, evaluation.Dataset.Judgments[r.QueryId]))];

    private static RetrievalScores Scores(BeirEvaluation evaluation, IReadOnlyList<QueryRun> runs) => RetrievalMetrics.Mean(PerQuery(evaluation, runs));

    private static void WriteScores(Utf8JsonWriter w, RetrievalScores scores)
    {
        w.WriteNumber("ndcg10", Terminal.Round4(scores.Ndcg10));
        w.WriteNumber("map100", Terminal.Round4(scores.Map100));
        w.WriteNumber("recall100", Terminal.Round4(scores.Recall100));
        w.WriteNumber("p10", Terminal.Round4(scores.Precision10));
    }

    private static Table ScoreTable(string title) => new Table().Border(TableBorder.Rounded).Title(title)
        .AddColumn("setting").AddColumn(new TableColumn("nDCG@10").RightAligned()).AddColumn(new TableColumn("MAP@100").RightAligned())
        .AddColumn(new TableColumn("Recall@100").RightAligned()).AddColumn(new TableColumn("P@10").RightAligned())
        .AddColumn(new TableColumn("success@1").RightAligned()).AddColumn(new TableColumn("search ms").RightAligned());

    private static void AddRow(Table table, string setting, RetrievalScores scores, double? success, TimeSpan? searchTime)
    {
        var inv = CultureInfo.InvariantCulture;
        table.AddRow(Markup.Escape(setting), F4(scores.Ndcg10), F4(scores.Map100), F4(scores.Recall100), F4(scores.Precision10),
            success is { } s ? F4(s) : "", searchTime is { } t ? t.TotalMilliseconds.ToString("F2", inv) : "");
    }

    private static string CollectionName(string directory) => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));

    // One cache per model, whatever name the model was given by (minilm and all-MiniLM-L6-v2 share one).
    private static string CacheSuffix(string model)
    {
        var key = EmbeddingModel.BundledId(model) switch
        {
            Embeddings.Onnx.OnnxEmbeddingModel.AllMiniLmL6V2Id => "minilm",
            Embeddings.Onnx.OnnxEmbeddingModel.ArcticEmbedXsId => "arctic",
            _ => Path.GetFullPath(model),
        };
        return System.Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key.ToUpperInvariant())))[..12].ToLowerInvariant();
    }

    private static EmbeddingCache LoadCache(string path)
    {
        try
        {
            return Embeddings.Onnx.EmbeddingCache.LoadOrCreate(path, 1L << 30);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Exceptions.IndexCorruptedException or Exceptions.IncompatibleFormatException)
        {
            throw new CommandFailedException(ExitCodes.UnreadableInput, $"The embedding cache '{path}' cannot be used: {e.Message} Delete it to start a new one.", e);
        }
    }

    private static string F4(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
