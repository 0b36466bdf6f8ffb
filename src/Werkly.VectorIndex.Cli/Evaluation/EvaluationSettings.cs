using System.Globalization;

namespace Werkly.VectorIndex.Cli.Evaluation;

/// <summary>One retrieval setting that <see cref="BeirEvaluation"/> scores: the mode, the fusion, pseudo-relevance
/// feedback, which vector side(s) and, for chunked collections, how chunks become documents.</summary>
/// <remarks>Immutable. <see cref="Parse"/> reads the compact form <c>werkly eval --compare</c> takes, for example
/// <c>mode=hybrid,fusion=weighted,alpha=0.5,feedback=off</c>.</remarks>
internal sealed record EvaluationSettings
{
    /// <summary>The retriever.</summary>
    public EvaluationMode Mode { get; init; } = EvaluationMode.Hybrid;

    /// <summary>Fusion method, α and RRF k (paging is ignored).</summary>
    public FusionOptions Fusion { get; init; } = HybridDefaults.Fusion;

    /// <summary>Pseudo-relevance feedback for the hybrid mode, or null for one pass.</summary>
    public FeedbackOptions? Feedback { get; init; } = HybridDefaults.Feedback;

    /// <summary>Which loaded model the vector side uses (0 = the first <c>--model</c>).</summary>
    public int VectorSide { get; init; }

    /// <summary>Chunked collections: how a document's chunk scores make its score.</summary>
    public DocumentScoring Aggregation { get; init; } = DocumentScoring.MaxChunk;

    /// <summary>Chunked collections with <see cref="DocumentScoring.SumOfTopChunks"/>: how many chunks are summed.</summary>
    public int ChunksPerDocument { get; init; } = 2;

    /// <summary>Checks that the combination is one the evaluation can run.</summary>
    /// <param name="models">How many models are loaded.</param>
    /// <exception cref="ArgumentException">The setting needs more models than are loaded, or combines features that do
    /// not go together (the message says which).</exception>
    public void Validate(int models)
    {
        ArgumentNullException.ThrowIfNull(Fusion);
        Fusion.Validate();
        Feedback?.Validate();
        if (Mode != EvaluationMode.Bm25 && models == 0) throw new ArgumentException($"Mode {Mode} needs an embedding model.");
        if (VectorSide < 0 || (Mode != EvaluationMode.Bm25 && VectorSide >= models))
            throw new ArgumentException($"Vector side {VectorSide} is not loaded ({models} model(s)).");
    }

    /// <summary>A short description for tables, for example <c>hybrid dbsf α=0.5 +feedback(3 docs)</c>.</summary>
    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        var text = Mode switch
        {
            EvaluationMode.Bm25 => "bm25",
            EvaluationMode.Vector => VectorSide == 0 ? "vector" : string.Create(inv, $"vector[{VectorSide}]"),
            _ => Fusion.Method == FusionMethod.ReciprocalRank
                ? string.Create(inv, $"hybrid rrf k={Fusion.RrfK} α={Fusion.Alpha:0.0#}")
                : string.Create(inv, $"hybrid {MethodName(Fusion.Method)} α={Fusion.Alpha:0.0#}"),
        };
        if (Mode == EvaluationMode.Hybrid && VectorSide != 0) text += string.Create(inv, $" model[{VectorSide}]");
        if (Mode == EvaluationMode.Hybrid && Feedback is { } f)
            text += string.Create(inv, $" +feedback({f.Documents} docs, {f.ExpansionTerms} terms, λ={f.OriginalQueryWeight:0.0#}, β={f.VectorFeedbackWeight:0.0#}, γ={f.SecondPassWeight:0.0#})");
        return text;
    }

    /// <summary>The command-line name of a fusion method.</summary>
    public static string MethodName(FusionMethod method) => method switch
    {
        FusionMethod.ReciprocalRank => "rrf",
        FusionMethod.ZScore => "zscore",
        FusionMethod.DistributionBased => "dbsf",
        _ => "weighted",
    };

    /// <summary>Parses a fusion method name: weighted (min-max), dbsf, zscore or rrf.</summary>
    public static FusionMethod? ParseMethod(string? name) => name?.ToUpperInvariant() switch
    {
        "WEIGHTED" or "MINMAX" => FusionMethod.WeightedScore,
        "DBSF" => FusionMethod.DistributionBased,
        "ZSCORE" or "Z" => FusionMethod.ZScore,
        "RRF" => FusionMethod.ReciprocalRank,
        _ => null,
    };

    /// <summary>
    /// Reads <c>key=value</c> pairs separated by commas on top of <paramref name="baseline"/>: <c>mode</c>
    /// (bm25|vector|hybrid), <c>fusion</c> (weighted|dbsf|zscore|rrf), <c>alpha</c>, <c>rrf-k</c>, <c>feedback</c>
    /// (on|off|number of documents), <c>feedback-terms</c>, <c>feedback-lambda</c>, <c>feedback-beta</c>, <c>feedback-gamma</c>, <c>model</c>
    /// (index of a loaded model), <c>per-document</c> (max|sumN).
    /// </summary>
    /// <exception cref="FormatException">An unknown key or a value that does not parse (the message names it).</exception>
    public static EvaluationSettings Parse(string spec, EvaluationSettings baseline)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(baseline);
        var settings = baseline;
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) throw new FormatException($"'{part}' is not key=value.");
            var key = part[..equals].Trim().ToUpperInvariant();
            var value = part[(equals + 1)..].Trim();
            var feedback = settings.Feedback ?? new FeedbackOptions();
            settings = key switch
            {
                "MODE" => settings with { Mode = Commands.EvalSettings.ParseMode(value) ?? throw Bad(part, "bm25, vector or hybrid") },
                "FUSION" => settings with { Fusion = settings.Fusion with { Method = ParseMethod(value) ?? throw Bad(part, "weighted, dbsf, zscore or rrf") } },
                "ALPHA" => settings with { Fusion = settings.Fusion with { Alpha = Number(part, value) } },
                "RRF-K" => settings with { Fusion = settings.Fusion with { RrfK = (int)Number(part, value) } },
                "FEEDBACK" => value.ToUpperInvariant() switch
                {
                    "OFF" or "NONE" or "0" => settings with { Feedback = null },
                    "ON" => settings with { Feedback = feedback },
                    _ => settings with { Feedback = feedback with { Documents = (int)Number(part, value) } },
                },
                "FEEDBACK-TERMS" => settings with { Feedback = feedback with { ExpansionTerms = (int)Number(part, value) } },
                "FEEDBACK-LAMBDA" => settings with { Feedback = feedback with { OriginalQueryWeight = Number(part, value) } },
                "FEEDBACK-BETA" => settings with { Feedback = feedback with { VectorFeedbackWeight = Number(part, value) } },
                "FEEDBACK-GAMMA" => settings with { Feedback = feedback with { SecondPassWeight = Number(part, value) } },
                "MODEL" => settings with { VectorSide = (int)Number(part, value) },
                "PER-DOCUMENT" => ParseAggregation(value) is { } a ? settings with { Aggregation = a.Scoring, ChunksPerDocument = a.Chunks } : throw Bad(part, "max or sumN (for example sum2)"),
                _ => throw new FormatException($"Unknown setting '{part[..equals]}': use mode, fusion, alpha, rrf-k, feedback, feedback-terms, feedback-lambda, feedback-beta, feedback-gamma, model or per-document."),
            };
        }
        return settings;
    }

    /// <summary>Parses <c>max</c> or <c>sumN</c>.</summary>
    public static (DocumentScoring Scoring, int Chunks)? ParseAggregation(string? value)
    {
        if (value is null) return null;
        if (value.Equals("max", StringComparison.OrdinalIgnoreCase) || value.Equals("first", StringComparison.OrdinalIgnoreCase))
            return (DocumentScoring.MaxChunk, 1);
        if (value.StartsWith("sum", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(value.AsSpan(3), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 100)
            return (DocumentScoring.SumOfTopChunks, n);
        return null;
    }

    private static double Number(string part, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? number
            : throw new FormatException($"'{part}': '{value}' is not a number.");

    private static FormatException Bad(string part, string allowed) => new($"'{part}': use {allowed}.");
}
