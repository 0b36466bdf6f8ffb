using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Rendering;
using Werkly.VectorIndex.Cli.Output;
using Werkly.VectorIndex.Documents.Indexing;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Cli.Commands;

/// <summary>Settings of <c>werkly search</c>.</summary>
internal sealed class SearchSettings : CompanySettings
{
    /// <summary>The question.</summary>
    [CommandArgument(0, "<QUESTION>")]
    [Description("What to search for, in quotes.")]
    public string Question { get; init; } = "";

    /// <summary>The retrieval mode.</summary>
    [CommandOption("--mode <MODE>")]
    [Description("hybrid (vector + BM25 fused; default), vector or keyword.")]
    public string? Mode { get; init; }

    /// <summary>How many hits.</summary>
    [CommandOption("--top <N>")]
    [Description("How many hits to return, 1 to 1000. Default 5.")]
    [DefaultValue(5)]
    public int Top { get; init; } = 5;

    /// <summary>Show each side's rank and score.</summary>
    [CommandOption("--explain")]
    [Description("Show each hit's rank and score on the vector and keyword sides and what each contributed.")]
    public bool Explain { get; init; }

    /// <summary>Hybrid fusion method.</summary>
    [CommandOption("--fusion <METHOD>")]
    [Description("Hybrid only: dbsf (distribution-based, default), weighted (min-max), zscore or rrf (reciprocal rank fusion).")]
    public string? Fusion { get; init; }

    /// <summary>Weight of the vector side.</summary>
    [CommandOption("--alpha <ALPHA>")]
    [Description("Hybrid only: weight of the vector side, 0 to 1 (default 0.5; the keyword side gets 1 − α).")]
    public double? Alpha { get; init; }

    /// <summary>RRF k.</summary>
    [CommandOption("--rrf-k <K>")]
    [Description("Hybrid with --fusion rrf: k of reciprocal rank fusion (default 60).")]
    public int? RrfK { get; init; }

    /// <summary>The lowest score a hit may have.</summary>
    [CommandOption("--min-score <SCORE>")]
    [Description("Return only hits scoring at least SCORE, so fewer than --top when the rest are poor matches: the fused score in hybrid mode (0 to 1 for dbsf and weighted; 1 = best on both sides), cosine similarity in vector mode, BM25 in keyword mode.")]
    public double? MinScore { get; init; }

    /// <summary>Pseudo-relevance feedback.</summary>
    [CommandOption("--feedback <ON_OFF>")]
    [Description("Hybrid only: on (default: expand both sides from the 3 best fused hits and search again) or off (one pass, faster).")]
    public string? Feedback { get; init; }

    /// <summary>Rank documents instead of chunks.</summary>
    [CommandOption("--per-document [HOW]")]
    [Description("One hit per document (its best chunk), so a long document cannot fill the list: max (the document scores its best chunk; default) or sumN (its N best chunks summed, e.g. sum2).")]
    public FlagValue<string>? PerDocument { get; init; }

    /// <summary>The parsed mode.</summary>
    public SearchMode ParsedMode => ParseMode(Mode) ?? SearchMode.Hybrid;

    /// <summary>The fusion the options describe (the library's defaults for what is not given).</summary>
    public FusionOptions ParsedFusion => HybridDefaults.Fusion with
    {
        Method = Fusion is null ? HybridDefaults.Fusion.Method : Evaluation.EvaluationSettings.ParseMethod(Fusion)!.Value,
        Alpha = Alpha ?? HybridDefaults.Fusion.Alpha,
        RrfK = RrfK ?? HybridDefaults.Fusion.RrfK,
    };

    /// <summary>The feedback the options describe: <see cref="HybridDefaults.Feedback"/> unless turned off.</summary>
    public FeedbackOptions? ParsedFeedback => Feedback?.ToUpperInvariant() is "OFF" or "NO" or "NONE" ? null : HybridDefaults.Feedback;

    /// <summary>How chunks become documents, or null to list chunks.</summary>
    public DocumentGrouping? ParsedPerDocument => PerDocument is { IsSet: true } flag
        && Evaluation.EvaluationSettings.ParseAggregation(string.IsNullOrEmpty(flag.Value) ? "max" : flag.Value) is { } how
        ? new DocumentGrouping { Scoring = how.Scoring, ChunksPerDocument = how.Chunks }
        : null;

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Question))
            return ValidationResult.Error("Give a question, for example: werkly search \"How many vacation days do I get?\" --company acme");
        if (Mode is not null && ParseMode(Mode) is null)
            return ValidationResult.Error($"Unknown --mode '{Mode}': use hybrid, vector or keyword.");
        if (Top is < 1 or > 1000)
            return ValidationResult.Error("--top must be between 1 and 1000.");
        if (Fusion is not null && Evaluation.EvaluationSettings.ParseMethod(Fusion) is null)
            return ValidationResult.Error($"Unknown --fusion '{Fusion}': use dbsf, weighted, zscore or rrf.");
        if (Alpha is { } alpha && !(alpha is >= 0 and <= 1))
            return ValidationResult.Error("--alpha must be between 0 and 1.");
        if (RrfK is { } k && k is < 1 or > 100_000)
            return ValidationResult.Error("--rrf-k must be between 1 and 100000.");
        if (MinScore is { } floor && !double.IsFinite(floor))
            return ValidationResult.Error("--min-score must be a number.");
        if (Feedback is not null && Feedback.ToUpperInvariant() is not ("ON" or "YES" or "OFF" or "NO" or "NONE"))
            return ValidationResult.Error($"Unknown --feedback '{Feedback}': use on or off.");
        if (PerDocument is { IsSet: true } && ParsedPerDocument is null)
            return ValidationResult.Error($"Unknown --per-document '{PerDocument.Value}': use max or sumN (for example sum2).");
        return base.Validate();
    }

    internal static SearchMode? ParseMode(string? mode) => mode?.ToUpperInvariant() switch
    {
        "HYBRID" => SearchMode.Hybrid,
        "VECTOR" => SearchMode.Vector,
        "KEYWORD" or "BM25" => SearchMode.Keyword,
        _ => null,
    };
}

/// <summary><c>werkly search "question" --company ID [--index DIR] [--mode hybrid|vector|keyword] [--top 5] [--explain] [--json]</c>.</summary>
/// <remarks>Opens the index read-only, so it runs while an ingest is writing. Only the named company is searched.</remarks>
internal sealed class SearchCommand : AsyncCommand<SearchSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, SearchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var generator = EmbeddingModel.CreateDeferred(settings.ModelName, settings.ModelPrecision); // loaded only if something is embedded
        using var index = IndexLocation.OpenExisting(settings.IndexPath, generator, readOnly: true);
        var mode = settings.ParsedMode;
        if (mode != SearchMode.Keyword)
        {
            IndexLocation.EnsureModelMatches(index, generator);
            generator.EnsureLoaded(); // took_ms covers embedding the question, not loading the model
        }
        var (hits, took) = await SearchAsync(index, settings.CompanyId, settings.Question, mode, settings.Top, settings.Explain,
            settings.ParsedFusion, settings.ParsedFeedback, settings.MinScore, settings.ParsedPerDocument, cancellationToken).ConfigureAwait(false);
        var modeName = mode.ToString().ToLowerInvariant();

        if (settings.Json)
        {
            Terminal.WriteJson(w =>
            {
                w.WriteString("company", settings.CompanyId);
                w.WriteString("mode", modeName);
                w.WriteNumber("took_ms", Math.Round(took.TotalMilliseconds, 2));
                w.WriteStartArray("hits");
                foreach (var hit in hits)
                {
                    w.WriteStartObject();
                    w.WriteString("key", hit.Key);
                    w.WriteString("document", hit.DocumentId);
                    w.WriteNumber("score", Math.Round(hit.Score, 6));
                    w.WriteString("text", hit.Text);
                    if (hit.Explanation is { } e)
                    {
                        w.WriteStartObject("explanation");
                        WriteNullable(w, "vector_rank", e.VectorRank);
                        WriteNullable(w, "vector_score", e.VectorScore);
                        WriteNullable(w, "keyword_rank", e.KeywordRank);
                        WriteNullable(w, "keyword_score", e.KeywordScore);
                        w.WriteNumber("vector_contribution", Math.Round(e.VectorContribution, 6));
                        w.WriteNumber("keyword_contribution", Math.Round(e.KeywordContribution, 6));
                        w.WriteEndObject();
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return ExitCodes.Ok;
        }

        Terminal.Out.Write(HitList(settings.Question, hits, settings.Explain));
        Terminal.Out.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[grey]{hits.Count} hits · {modeName} · company {Markup.Escape(settings.CompanyId)} · {took.TotalMilliseconds:F1} ms[/]"));
        return ExitCodes.Ok;
    }

    /// <summary>Searches one company, timing the call (query embedding included).</summary>
    /// <exception cref="CommandFailedException">The company is not in the index (<see cref="ExitCodes.NotFound"/>).</exception>
    internal static Task<(IReadOnlyList<DocumentHit> Hits, TimeSpan Took)> SearchAsync(DocumentIndex index, string companyId, string question,
        SearchMode mode, int top, bool explain, CancellationToken cancellationToken) =>
        SearchAsync(index, companyId, question, mode, top, explain, HybridDefaults.Fusion, HybridDefaults.Feedback, null, null, cancellationToken);

    /// <summary>Searches one company with the given fusion, score floor and chunk → document aggregation, timing the
    /// call (query embedding included).</summary>
    /// <param name="index">The index.</param>
    /// <param name="companyId">The company searched.</param>
    /// <param name="question">The question.</param>
    /// <param name="mode">Hybrid, vector or keyword.</param>
    /// <param name="top">How many hits (documents with <paramref name="perDocument"/>).</param>
    /// <param name="explain">Whether hits carry each side's rank and score.</param>
    /// <param name="fusion">The hybrid fusion.</param>
    /// <param name="feedback">The hybrid pseudo-relevance feedback, or null for one pass.</param>
    /// <param name="minScore">The lowest score a hit may have, or null.</param>
    /// <param name="perDocument">Null to list chunks; otherwise one hit per document, its best chunk with the document's score.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <exception cref="CommandFailedException">The company is not in the index (<see cref="ExitCodes.NotFound"/>).</exception>
    internal static async Task<(IReadOnlyList<DocumentHit> Hits, TimeSpan Took)> SearchAsync(DocumentIndex index, string companyId, string question,
        SearchMode mode, int top, bool explain, FusionOptions fusion, FeedbackOptions? feedback, double? minScore, DocumentGrouping? perDocument,
        CancellationToken cancellationToken)
    {
        if (!index.Companies.Contains(companyId, StringComparer.Ordinal))
            throw UnknownCompany(index, companyId);
        var clock = Stopwatch.StartNew();
        try
        {
            var query = new SearchQuery
            {
                Mode = mode,
                Text = question,
                Top = top,
                Explain = explain,
                Fusion = fusion,
                Feedback = mode == SearchMode.Hybrid ? feedback : null,
                MinScore = minScore,
                GroupByDocument = perDocument,
            };
            var hits = await index.SearchAsync(companyId, query, cancellationToken).ConfigureAwait(false);
            return (hits, clock.Elapsed);
        }
        catch (CompanyNotFoundException)
        {
            throw UnknownCompany(index, companyId);
        }
    }

    /// <summary>The error for a company the index does not hold, listing the ones it does.</summary>
    internal static CommandFailedException UnknownCompany(DocumentIndex index, string companyId)
    {
        var known = index.Companies.Order(StringComparer.Ordinal).ToList();
        return new CommandFailedException(ExitCodes.NotFound, known.Count == 0
            ? $"The index holds no company '{companyId}'; it is empty. Run 'werkly ingest PATH --company {companyId}' first."
            : $"The index holds no company '{companyId}'. Companies: {string.Join(", ", known)}. Ingest into it first with 'werkly ingest PATH --company {companyId}'.");
    }

    /// <summary>The hits as a list that reads well at any terminal width: a header line per hit (rank, score, document
    /// › heading, and with <paramref name="explain"/> each side's rank and score), then an indented snippet.</summary>
    internal static IRenderable HitList(string question, IReadOnlyList<DocumentHit> hits, bool explain)
    {
        var items = new List<IRenderable> { new Markup($"[bold]Q: {Markup.Escape(question)}[/]") };
        if (hits.Count == 0) items.Add(new Markup("   [grey](no hits)[/]"));
        for (var i = 0; i < hits.Count; i++)
        {
            var hit = hits[i];
            var header = string.Create(CultureInfo.InvariantCulture, $"{i + 1,2}. [bold]{hit.Score:F4}[/]  [cyan]{Markup.Escape(hit.DocumentId)}[/]");
            if (hit.HeadingPath.Length > 0) header += $" [grey]› {Markup.Escape(hit.HeadingPath)}[/]";
            if (explain && hit.Explanation is { } e)
            {
                var vector = e.VectorRank is { } vr ? string.Create(CultureInfo.InvariantCulture, $"#{vr} {e.VectorScore:F3}") : "–";
                var keyword = e.KeywordRank is { } kr ? string.Create(CultureInfo.InvariantCulture, $"#{kr} {e.KeywordScore:F2}") : "–";
                header += $"  [grey](vector {vector} · keyword {keyword})[/]";
            }
            items.Add(new Markup(header));
            items.Add(new Padder(new Spectre.Console.Text(Snippet(hit.Text, question, 300)), new Padding(6, 0, 0, 0)));
        }
        return new Rows(items);
    }

    /// <summary>
    /// The part of <paramref name="text"/> that best answers <paramref name="question"/>: whitespace collapsed, starting at
    /// the sentence that shares the most words with the question (compared on their first five letters, so "limits"
    /// matches "limit"), and cut at a word boundary near <paramref name="maxChars"/>.
    /// </summary>
    internal static string Snippet(string text, string question, int maxChars)
    {
        var collapsed = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var start = BestSentenceStart(collapsed, question);
        var prefix = start > 0 ? "… " : "";
        var rest = collapsed[start..];
        if (rest.Length <= maxChars) return prefix + rest;
        var cut = rest.LastIndexOf(' ', maxChars);
        return prefix + rest[..(cut > maxChars / 2 ? cut : maxChars)] + " …";
    }

    private static int BestSentenceStart(string text, string question)
    {
        var terms = Words(question).Where(w => w.Length >= 3 && !QuestionWords.Contains(w)).Select(Stem).ToHashSet(StringComparer.Ordinal);
        if (terms.Count == 0) return 0;
        int bestStart = 0, bestScore = 0, sentenceStart = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            var end = i == text.Length || (i > 0 && text[i - 1] is '.' or '?' or '!' or ':' && text[i] == ' ');
            if (!end) continue;
            var score = Words(text[sentenceStart..i]).Select(Stem).Where(terms.Contains).Distinct(StringComparer.Ordinal).Count();
            if (score > bestScore) (bestScore, bestStart) = (score, sentenceStart);
            sentenceStart = Math.Min(text.Length, i + 1);
        }
        return bestStart;
    }

    private static IEnumerable<string> Words(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var letter = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (letter && start < 0) start = i;
            else if (!letter && start >= 0)
            {
                yield return text[start..i].ToLowerInvariant();
                start = -1;
            }
        }
    }

    private static string Stem(string word) => word.Length > 5 ? word[..5] : word;

    private static readonly HashSet<string> QuestionWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "are", "what", "when", "where", "which", "who", "how", "does", "did", "can", "could", "should",
        "would", "will", "with", "from", "into", "this", "that", "there", "their", "they", "you", "your", "have", "has", "get", "many", "much",
    };

    private static void WriteNullable(System.Text.Json.Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v) w.WriteNumber(name, Math.Round(v, 6));
        else w.WriteNull(name);
    }
}
