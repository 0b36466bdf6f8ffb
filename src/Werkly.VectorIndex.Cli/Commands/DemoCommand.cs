using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli.Output;
using Werkly.VectorIndex.Documents;
using Werkly.VectorIndex.Documents.Chunking;

namespace Werkly.VectorIndex.Cli.Commands;

/// <summary>Settings of <c>werkly demo</c>.</summary>
internal sealed class DemoSettings : CommandSettings
{
    /// <summary>Hits per question.</summary>
    [CommandOption("--top <N>")]
    [Description("Hits shown per question, 1 to 20. Default 3.")]
    [DefaultValue(3)]
    public int Top { get; init; } = 3;

    /// <summary>Keep the temporary index.</summary>
    [CommandOption("--keep")]
    [Description("Keep the temporary index folder and print its path (try 'werkly search ... --index PATH' on it).")]
    public bool Keep { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate() =>
        Top is < 1 or > 20 ? ValidationResult.Error("--top must be between 1 and 20.") : ValidationResult.Success();
}

/// <summary><c>werkly demo</c>: the main job on the embedded defaults, with nothing to configure.</summary>
/// <remarks>Ingests the repository's <c>docs/</c> as company <c>werkly-docs</c> and <c>samples/acme-handbook/</c> as
/// company <c>acme</c> into a temporary index, asks each company three questions with hybrid search, and prints the
/// sources, scores and timings — and checks that no hit crossed companies. Both folders are embedded in the tool at build
/// time (manifest resources <c>demo/{company}/{path}</c>), so the demo runs from an installed tool, with no clone.</remarks>
internal sealed class DemoCommand : AsyncCommand<DemoSettings>
{
    /// <summary>The companies, the repository folders their documents come from, and the questions asked of each.</summary>
    internal static readonly (string Company, string Folder, string[] Questions)[] Companies =
    [
        ("werkly-docs", "docs/", [
            "How does a commit survive a crash or power loss?",
            "How many lists and probes should I use?",
            "Can I shorten embeddings to fewer dimensions?",
        ]),
        ("acme", "samples/acme-handbook/", [
            "How many vacation days do I get?",
            "What is the hotel limit in Paris?",
            "What do I do if my laptop is stolen?",
        ]),
    ];

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, DemoSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var total = Stopwatch.StartNew();
        var indexPath = Path.Combine(Path.GetTempPath(), "werkly-demo-" + Guid.NewGuid().ToString("N")[..12]);
        Terminal.Out.Write(new Rule("[bold]Werkly.VectorIndex demo[/]").LeftJustified());
        Terminal.Out.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Sample corpus embedded in the tool: {string.Join(", ", Companies.Select(c => $"{Corpus(c.Company).Count} pages of {c.Folder} as company {c.Company}"))} · temporary index [grey]{Markup.Escape(indexPath)}[/]"));

        try
        {
            var clock = Stopwatch.StartNew();
            using var generator = EmbeddingModel.Create();
            Terminal.Out.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"Embedding model [bold]{Markup.Escape(generator.Model.ModelId)}[/] ({generator.Dimensions} dimensions, ONNX Runtime on the CPU, offline) loaded in {clock.Elapsed.TotalMilliseconds:F0} ms"));
            using var index = IndexLocation.OpenOrCreate(indexPath, generator);

            var sources = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            var ingestRows = new List<(string Company, IngestCommand.IngestSummary Summary)>();
            foreach (var (company, _, _) in Companies)
            {
                var documents = Corpus(company);
                sources[company] = documents.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
                var mode = Console.IsOutputRedirected ? ProgressMode.Lines : ProgressMode.Live;
                var summary = await IngestCommand.IngestAsync(index, generator, documents, company, sync: false, new FixedSizeChunker(), mode, cancellationToken).ConfigureAwait(false);
                ingestRows.Add((company, summary));
            }

            var ingestTable = new Table().Border(TableBorder.Rounded).Title("[bold]Ingest[/]: extract → chunk → embed → store")
                .AddColumn("company").AddColumn(new TableColumn("documents").RightAligned()).AddColumn(new TableColumn("chunks").RightAligned())
                .AddColumn(new TableColumn("time").RightAligned()).AddColumn(new TableColumn("chunks/s").RightAligned()).AddColumn(new TableColumn("embedding").RightAligned());
            for (var i = 0; i < ingestRows.Count; i++)
            {
                var (company, summary) = ingestRows[i];
                var r = summary.Result;
                ingestTable.AddRow(Markup.Escape(company),
                    r.DocumentsIngested.ToString(CultureInfo.InvariantCulture), r.ChunksWritten.ToString(CultureInfo.InvariantCulture),
                    string.Create(CultureInfo.InvariantCulture, $"{r.Elapsed.TotalSeconds:F2} s"),
                    r.ChunksPerSecond.ToString("F0", CultureInfo.InvariantCulture),
                    r.Elapsed > TimeSpan.Zero ? (r.EmbeddingTime / r.Elapsed).ToString("P0", CultureInfo.InvariantCulture) : "–");
            }
            Terminal.Out.Write(ingestTable);

            Terminal.Out.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[grey]Hybrid = vector (cosine) + BM25 (title/body), fused by distribution-based score fusion (each side clipped to mean ± 3 sd), α = {HybridDefaults.Fusion.Alpha}; each hit shows both sides' rank and score.[/]"));
            var crossed = 0;
            var latencies = new List<double>();
            foreach (var (company, _, questions) in Companies)
            {
                Terminal.Out.Write(new Rule($"company [bold]{Markup.Escape(company)}[/] · hybrid search").LeftJustified());
                foreach (var question in questions)
                {
                    var (hits, took) = await SearchCommand.SearchAsync(index, company, question, SearchMode.Hybrid, settings.Top, explain: true, cancellationToken).ConfigureAwait(false);
                    latencies.Add(took.TotalMilliseconds);
                    crossed += hits.Count(h => !sources[company].Contains(h.DocumentId));
                    Terminal.Out.Write(SearchCommand.HitList(question, hits, explain: true));
                    Terminal.Out.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[grey]{took.TotalMilliseconds:F1} ms (query embedding included)[/]"));
                }
            }

            latencies.Sort();
            Terminal.Out.Write(new Rule().LeftJustified());
            Terminal.Out.MarkupLine(crossed == 0
                ? "[green]✓[/] No hit crossed companies: every source belongs to the company that was asked."
                : $"[red]✗ {crossed} hits came from another company's documents.[/]");
            Terminal.Out.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"{latencies.Count} questions, median {latencies[latencies.Count / 2]:F1} ms per search · demo finished in {total.Elapsed.TotalSeconds:F1} s"));
            if (settings.Keep)
                Terminal.Out.MarkupLine($"Index kept at [bold]{Markup.Escape(indexPath)}[/]: try werkly search \"...\" --company acme --index {Markup.Escape(indexPath)}");
            return crossed == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        }
        finally
        {
            if (!settings.Keep)
            {
                try
                {
                    if (Directory.Exists(indexPath)) Directory.Delete(indexPath, recursive: true);
                }
                catch (IOException)
                {
                    // a temp folder left behind is harmless
                }
            }
        }
    }

    /// <summary>The embedded sample documents of <paramref name="company"/>, ids relative to their folder, in ordinal order.</summary>
    internal static IReadOnlyList<SourceDocument> Corpus(string company)
    {
        var prefix = "demo/" + company + "/";
        var assembly = typeof(DemoCommand).Assembly;
        var documents = new List<SourceDocument>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.Replace('\\', '/').StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var id = name.Replace('\\', '/')[prefix.Length..];
            documents.Add(SourceDocument.FromBytes(id, Path.GetFileName(id), copy.ToArray()));
        }
        if (documents.Count == 0)
            throw new CommandFailedException(ExitCodes.Failure, $"The tool holds no sample documents for company '{company}' (resources demo/{company}/…); it was built without them.");
        documents.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return documents;
    }
}
