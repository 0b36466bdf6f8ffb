using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli.Evaluation;
using Werkly.VectorIndex.Cli.Output;
using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.Cli.Commands;

/// <summary>Settings of <c>werkly eval</c>.</summary>
public sealed class EvalSettings : CommandSettings
{
    /// <summary>The BEIR-layout folder.</summary>
    [CommandArgument(0, "<BEIR_DIR>")]
    [Description("Folder in the BEIR layout: corpus.jsonl (or .jsonl.gz) with _id/title/text, queries.jsonl, qrels/test.tsv.")]
    public string Directory { get; init; } = "";

    /// <summary>The retriever to score.</summary>
    [CommandOption("--mode <MODE>")]
    [Description("bm25, vector or hybrid (required).")]
    public string? Mode { get; init; }

    /// <summary>Hybrid fusion method.</summary>
    [CommandOption("--fusion <METHOD>")]
    [Description("Hybrid only: weighted (min-max normalised scores, default) or rrf (reciprocal rank fusion).")]
    public string? Fusion { get; init; }

    /// <summary>Weight of the vector side.</summary>
    [CommandOption("--alpha <ALPHA>")]
    [Description("Hybrid only: weight of the vector side, 0 to 1 (default 0.5).")]
    public double? Alpha { get; init; }

    /// <summary>RRF k.</summary>
    [CommandOption("--rrf-k <K>")]
    [Description("Hybrid only: k of reciprocal rank fusion (default 60).")]
    public int? RrfK { get; init; }

    /// <summary>The embedding model's precision.</summary>
    [CommandOption("--precision <PRECISION>")]
    [Description(EmbeddingModel.PrecisionHelp)]
    public string? Precision { get; init; }

    /// <summary>Print a grid of fusion settings instead of one score.</summary>
    [CommandOption("--sweep")]
    [Description("Hybrid only: score a grid of fusion settings (weighted α 0..1, RRF k × α) after embedding once.")]
    public bool Sweep { get; init; }

    /// <summary>Machine-readable output.</summary>
    [CommandOption("--json")]
    [Description("Print exactly one JSON object: {\"mode\",\"queries\",\"ndcg10\",\"map100\",\"recall100\",\"p10\",\"took_s\"}.")]
    public bool Json { get; init; }

    /// <summary>The parsed mode.</summary>
    public EvaluationMode ParsedMode => ParseMode(Mode) ?? EvaluationMode.Hybrid;

    /// <summary>The fusion the hybrid mode uses.</summary>
    public FusionOptions ParsedFusion => HybridDefaults.Fusion with
    {
        Method = Fusion is null ? HybridDefaults.Fusion.Method : ParseFusion(Fusion)!.Value,
        Alpha = Alpha ?? HybridDefaults.Fusion.Alpha,
        RrfK = RrfK ?? HybridDefaults.Fusion.RrfK,
    };

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
            return ValidationResult.Error("Give the BEIR folder, for example: werkly eval tests/data/cranfield --mode hybrid");
        if (Mode is null)
            return ValidationResult.Error("--mode is required: bm25, vector or hybrid.");
        if (ParseMode(Mode) is null)
            return ValidationResult.Error($"Unknown --mode '{Mode}': use bm25, vector or hybrid.");
        if (Fusion is not null && ParseFusion(Fusion) is null)
            return ValidationResult.Error($"Unknown --fusion '{Fusion}': use rrf or weighted.");
        if (Alpha is { } alpha && !(alpha is >= 0 and <= 1))
            return ValidationResult.Error("--alpha must be between 0 and 1.");
        if (RrfK is { } k && k is < 1 or > 100_000)
            return ValidationResult.Error("--rrf-k must be between 1 and 100000.");
        if (Sweep && ParsedMode != EvaluationMode.Hybrid)
            return ValidationResult.Error("--sweep needs --mode hybrid.");
        return ValidationResult.Success();
    }

    internal static EvaluationMode? ParseMode(string? mode) => mode?.ToUpperInvariant() switch
    {
        "BM25" or "KEYWORD" => EvaluationMode.Bm25,
        "VECTOR" => EvaluationMode.Vector,
        "HYBRID" => EvaluationMode.Hybrid,
        _ => null,
    };

    internal static FusionMethod? ParseFusion(string? fusion) => fusion?.ToUpperInvariant() switch
    {
        "RRF" => FusionMethod.ReciprocalRank,
        "WEIGHTED" => FusionMethod.WeightedScore,
        _ => null,
    };
}

/// <summary><c>werkly eval BEIR_DIR --mode bm25|vector|hybrid [--json]</c>: scores retrieval on a judged test collection.</summary>
/// <remarks>The corpus is indexed as one company; vector and hybrid modes embed it with the bundled all-MiniLM-L6-v2.
/// Prints nDCG@10, MAP@100, Recall@100 and P@10 averaged over the judged queries.</remarks>
public sealed class EvalCommand : AsyncCommand<EvalSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, EvalSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = Stopwatch.StartNew();
        var dataset = LoadDataset(settings.Directory);
        var mode = settings.ParsedMode;
        using var generator = mode == EvaluationMode.Bm25 ? null : EmbeddingModel.Create(precision: EmbeddingModel.ParsePrecision(settings.Precision));
        using var evaluation = new BeirEvaluation(dataset, generator);

        if (settings.Json || Console.IsOutputRedirected)
            await evaluation.PrepareAsync(mode, null, cancellationToken).ConfigureAwait(false);
        else
            await ProgressDisplay.RunAsync("Preparing", (progress, token) => evaluation.PrepareAsync(mode, progress, token), cancellationToken).ConfigureAwait(false);

        if (settings.Sweep)
        {
            Sweep(evaluation, settings.Json, clock, cancellationToken);
            return ExitCodes.Ok;
        }

        var scores = evaluation.Evaluate(mode, settings.ParsedFusion, cancellationToken);
        var took = clock.Elapsed.TotalSeconds;
        var modeName = mode.ToString().ToLowerInvariant();
        if (settings.Json)
        {
            Terminal.WriteJson(w =>
            {
                w.WriteString("mode", modeName);
                w.WriteNumber("queries", scores.Queries);
                w.WriteNumber("ndcg10", Terminal.Round4(scores.Ndcg10));
                w.WriteNumber("map100", Terminal.Round4(scores.Map100));
                w.WriteNumber("recall100", Terminal.Round4(scores.Recall100));
                w.WriteNumber("p10", Terminal.Round4(scores.Precision10));
                w.WriteNumber("took_s", Math.Round(took, 2));
            });
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{Markup.Escape(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.Directory))))}: {dataset.Corpus.Count:N0} documents, {scores.Queries} judged queries")
            .AddColumn("mode").AddColumn(new TableColumn("nDCG@10").RightAligned()).AddColumn(new TableColumn("MAP@100").RightAligned())
            .AddColumn(new TableColumn("Recall@100").RightAligned()).AddColumn(new TableColumn("P@10").RightAligned());
        table.AddRow(Describe(mode, settings.ParsedFusion), F4(scores.Ndcg10), F4(scores.Map100), F4(scores.Recall100), F4(scores.Precision10));
        Terminal.Out.Write(table);
        Terminal.Out.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[grey]took {took:F1} s{(mode == EvaluationMode.Bm25 ? "" : $", of which embedding {evaluation.EmbeddingTime.TotalSeconds:F1} s")}[/]"));
        return ExitCodes.Ok;
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

    private static void Sweep(BeirEvaluation evaluation, bool json, Stopwatch clock, CancellationToken cancellationToken)
    {
        var grid = new List<(FusionOptions Fusion, RetrievalScores Scores)>();
        foreach (var alpha in Enumerable.Range(0, 11).Select(i => i / 10.0))
        {
            var fusion = new FusionOptions { Method = FusionMethod.WeightedScore, Alpha = alpha };
            grid.Add((fusion, evaluation.Evaluate(EvaluationMode.Hybrid, fusion, cancellationToken)));
        }
        foreach (var k in new[] { 1, 10, 30, 60, 100, 200 })
        {
            foreach (var alpha in new[] { 0.3, 0.4, 0.5, 0.6, 0.7 })
            {
                var fusion = new FusionOptions { Method = FusionMethod.ReciprocalRank, Alpha = alpha, RrfK = k };
                grid.Add((fusion, evaluation.Evaluate(EvaluationMode.Hybrid, fusion, cancellationToken)));
            }
        }
        if (json)
        {
            Terminal.WriteJson(w =>
            {
                w.WriteString("mode", "hybrid");
                w.WriteNumber("queries", grid[0].Scores.Queries);
                w.WriteStartArray("sweep");
                foreach (var (fusion, scores) in grid)
                {
                    w.WriteStartObject();
                    w.WriteString("fusion", fusion.Method == FusionMethod.ReciprocalRank ? "rrf" : "weighted");
                    w.WriteNumber("alpha", fusion.Alpha);
                    if (fusion.Method == FusionMethod.ReciprocalRank) w.WriteNumber("rrf_k", fusion.RrfK);
                    w.WriteNumber("ndcg10", Terminal.Round4(scores.Ndcg10));
                    w.WriteNumber("map100", Terminal.Round4(scores.Map100));
                    w.WriteNumber("recall100", Terminal.Round4(scores.Recall100));
                    w.WriteNumber("p10", Terminal.Round4(scores.Precision10));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteNumber("took_s", Math.Round(clock.Elapsed.TotalSeconds, 2));
            });
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).Title("hybrid fusion sweep")
            .AddColumn("fusion").AddColumn(new TableColumn("nDCG@10").RightAligned()).AddColumn(new TableColumn("MAP@100").RightAligned())
            .AddColumn(new TableColumn("Recall@100").RightAligned()).AddColumn(new TableColumn("P@10").RightAligned());
        foreach (var (fusion, scores) in grid)
            table.AddRow(Describe(EvaluationMode.Hybrid, fusion), F4(scores.Ndcg10), F4(scores.Map100), F4(scores.Recall100), F4(scores.Precision10));
        Terminal.Out.Write(table);
    }

    private static string Describe(EvaluationMode mode, FusionOptions fusion) => mode switch
    {
        EvaluationMode.Bm25 => "bm25",
        EvaluationMode.Vector => "vector",
        _ => fusion.Method == FusionMethod.ReciprocalRank
            ? string.Create(CultureInfo.InvariantCulture, $"hybrid (rrf k={fusion.RrfK}, α={fusion.Alpha:0.0#})")
            : string.Create(CultureInfo.InvariantCulture, $"hybrid (weighted α={fusion.Alpha:0.0#})"),
    };

    private static string F4(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
