using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli.Output;
using Werkly.VectorIndex.Documents;
using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Extraction;
using Werkly.VectorIndex.Documents.Indexing;
using Werkly.VectorIndex.Documents.Ingestion;
using Werkly.VectorIndex.Embeddings.Onnx;

namespace Werkly.VectorIndex.Cli.Commands;

/// <summary>Settings of <c>werkly ingest</c>.</summary>
public sealed class IngestSettings : CompanySettings
{
    /// <summary>The file or folder to ingest.</summary>
    [CommandArgument(0, "<PATH>")]
    [Description("A file, or a folder ingested recursively (hidden files and folders are skipped). Each document's id is its path relative to the folder.")]
    public string Path { get; init; } = "";

    /// <summary>Mirror the folder: remove documents that are no longer in it.</summary>
    [CommandOption("--sync")]
    [Description("Mirror the folder: after ingesting, remove the company's documents that are no longer in it.")]
    public bool Sync { get; init; }

    /// <summary>The chunking strategy.</summary>
    [CommandOption("--chunking <STRATEGY>")]
    [Description("fixed (1,000 characters, 200 overlap, never inside a word; default) or semantic (by headings and paragraphs, at most 1,000 characters).")]
    public string? Chunking { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
            return ValidationResult.Error("Give the file or folder to ingest, for example: werkly ingest ./handbook --company acme");
        if (Chunking is not null && Chunking.ToUpperInvariant() is not ("FIXED" or "SEMANTIC"))
            return ValidationResult.Error($"Unknown --chunking '{Chunking}': use fixed or semantic.");
        return base.Validate();
    }

    /// <summary>The chunker <see cref="Chunking"/> names.</summary>
    public IChunker CreateChunker() => Chunking?.ToUpperInvariant() == "SEMANTIC" ? new SemanticChunker() : new FixedSizeChunker();
}

/// <summary><c>werkly ingest PATH --company ID [--index DIR] [--json]</c>: extracts, chunks, embeds and stores documents.</summary>
/// <remarks>Each document is written atomically and committed, so Ctrl+C or a crash leaves every document either fully
/// in or untouched; unchanged documents are skipped by content hash. A file that cannot be read does not stop the run:
/// it is reported on stderr and the exit code is <see cref="ExitCodes.UnreadableInput"/>.</remarks>
public sealed class IngestCommand : AsyncCommand<IngestSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, IngestSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (root, documents, skipped) = Collect(settings.Path);
        foreach (var name in skipped)
            Terminal.WriteWarning($"Skipped '{name}': unsupported format (supported: {string.Join(", ", DocumentTextExtractor.Default.SupportedExtensions)}).");

        // The index (and its write lock) first, the model after: a second writer is told about the lock at once,
        // instead of after loading (on first use: extracting) the model.
        using var generator = EmbeddingModel.CreateDeferred(settings.ModelName, settings.ModelPrecision);
        using var index = IndexLocation.OpenOrCreate(settings.IndexPath, generator);
        var summary = await IngestAsync(index, generator.Generator, documents, settings.CompanyId, settings.Sync, settings.CreateChunker(), settings.Json, cancellationToken).ConfigureAwait(false);

        var failures = summary.Result.Documents.Where(d => d.Status == DocumentStatus.Failed).ToList();
        if (settings.Json)
        {
            Terminal.WriteJson(w =>
            {
                w.WriteString("company", settings.CompanyId);
                w.WriteString("index", settings.IndexPath);
                w.WriteString("path", root);
                w.WriteNumber("documents", documents.Count);
                w.WriteNumber("ingested", summary.Result.DocumentsIngested);
                w.WriteNumber("unchanged", summary.Result.DocumentsUnchanged);
                w.WriteNumber("deleted", summary.Result.DocumentsDeleted);
                w.WriteNumber("failed", failures.Count);
                w.WriteNumber("skipped", skipped.Count);
                w.WriteNumber("chunks", summary.Result.ChunksWritten);
                w.WriteNumber("took_s", Math.Round(summary.Result.Elapsed.TotalSeconds, 3));
                w.WriteNumber("embedding_s", Math.Round(summary.Result.EmbeddingTime.TotalSeconds, 3));
                w.WriteNumber("documents_per_s", Math.Round(summary.Result.DocumentsPerSecond, 1));
                w.WriteNumber("chunks_per_s", Math.Round(summary.Result.ChunksPerSecond, 1));
                w.WriteNumber("company_documents", summary.CompanyDocuments);
                w.WriteNumber("company_chunks", summary.CompanyChunks);
                w.WriteStartArray("failures");
                foreach (var failure in failures)
                {
                    w.WriteStartObject();
                    w.WriteString("document", failure.DocumentId);
                    w.WriteString("error", failure.Error?.Message);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
        }
        else
        {
            WriteSummary(settings, summary, failures.Count, skipped.Count);
        }

        foreach (var failure in failures)
            Terminal.WriteError(failure.Error?.Message ?? $"'{failure.DocumentId}' failed.");
        if (failures.Count > 0)
        {
            Terminal.WriteErrorText(string.Create(CultureInfo.InvariantCulture,
                $"{failures.Count} of {documents.Count} documents could not be read; the others were ingested. Fix or remove those files and run the same command again (unchanged documents are skipped)."));
            return ExitCodes.UnreadableInput;
        }
        return ExitCodes.Ok;
    }

    /// <summary>The outcome of an ingestion run and what the company holds afterwards.</summary>
    /// <param name="Result">The pipeline's result.</param>
    /// <param name="CompanyDocuments">Documents the company holds now.</param>
    /// <param name="CompanyChunks">Chunks the company holds now.</param>
    public sealed record IngestSummary(IngestResult Result, int CompanyDocuments, int CompanyChunks);

    /// <summary>Runs the pipeline over <paramref name="documents"/> into <paramref name="index"/>, with a progress bar unless <paramref name="quiet"/>.</summary>
    internal static async Task<IngestSummary> IngestAsync(DocumentIndex index, OnnxEmbeddingGenerator generator, IReadOnlyList<SourceDocument> documents,
        string companyId, bool sync, IChunker chunker, bool quiet, CancellationToken cancellationToken)
    {
        var ingestor = new DocumentIngestor(generator, index, new DocumentIngestorOptions { ContinueOnDocumentError = true, Chunker = chunker });
        IngestResult result;
        if (quiet || Console.IsOutputRedirected) // a progress bar in a log file is noise: the summary follows anyway
        {
            result = await Run(ingestor, documents, companyId, sync, null, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            result = null!;
            await ProgressDisplay.NewProgress().StartAsync(async context =>
            {
                var task = context.AddTask($"[bold]{Markup.Escape(companyId)}[/]: {documents.Count} documents", maxValue: Math.Max(1, documents.Count));
                var progress = new SynchronousProgress<IngestProgress>(p =>
                {
                    task.Value = p.DocumentNumber;
                    task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"{companyId}: document {p.DocumentNumber} of {p.DocumentCount?.ToString(CultureInfo.InvariantCulture) ?? "?"} · {p.ChunksWritten} chunks · {p.ChunksPerSecond:F0} chunks/s"));
                });
                result = await Run(ingestor, documents, companyId, sync, progress, cancellationToken).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        }
        return new IngestSummary(result, index.DocumentCount(companyId), index.ChunkCount(companyId));
    }

    private static Task<IngestResult> Run(DocumentIngestor ingestor, IReadOnlyList<SourceDocument> documents, string companyId, bool sync,
        IProgress<IngestProgress>? progress, CancellationToken cancellationToken) =>
        sync ? ingestor.SyncAsync(documents, companyId, progress, cancellationToken) : ingestor.IngestAsync(documents, companyId, progress, cancellationToken);

    /// <summary>The documents under <paramref name="path"/> (a file or a folder) and the files skipped as unsupported.</summary>
    /// <exception cref="CommandFailedException">The path does not exist, cannot be listed, or is a single unsupported file.</exception>
    internal static (string Root, IReadOnlyList<SourceDocument> Documents, IReadOnlyList<string> Skipped) Collect(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full))
        {
            if (!DocumentTextExtractor.Default.IsSupported(full))
                throw new CommandFailedException(ExitCodes.UnreadableInput,
                    $"'{path}' has an unsupported format. Supported: {string.Join(", ", DocumentTextExtractor.Default.SupportedExtensions)}.");
            return (System.IO.Path.GetDirectoryName(full)!, [SourceDocument.FromFile(full)], []);
        }
        if (!Directory.Exists(full))
            throw new CommandFailedException(ExitCodes.UnreadableInput, $"'{path}' does not exist. Give a file or a folder of documents.");
        try
        {
            var all = SourceDocument.FromDirectory(full, supportedOnly: false);
            var supported = all.Where(d => DocumentTextExtractor.Default.IsSupported(d.FileName)).ToList();
            var skipped = all.Where(d => !DocumentTextExtractor.Default.IsSupported(d.FileName)).Select(d => d.Id).ToList();
            if (supported.Count == 0)
                throw new CommandFailedException(ExitCodes.UnreadableInput,
                    $"'{path}' holds no document in a supported format ({string.Join(", ", DocumentTextExtractor.Default.SupportedExtensions)}).");
            return (full, supported, skipped);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new CommandFailedException(ExitCodes.UnreadableInput, $"Cannot read the folder '{path}': {e.Message}", e);
        }
    }

    private static void WriteSummary(IngestSettings settings, IngestSummary summary, int failed, int skipped)
    {
        var r = summary.Result;
        var table = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("").AddColumn(new TableColumn("").RightAligned());
        table.Title = new TableTitle($"Ingested into company [bold]{Markup.Escape(settings.CompanyId)}[/]");
        table.AddRow("documents ingested", r.DocumentsIngested.ToString(CultureInfo.InvariantCulture));
        table.AddRow("unchanged (skipped by hash)", r.DocumentsUnchanged.ToString(CultureInfo.InvariantCulture));
        if (settings.Sync) table.AddRow("removed (no longer in the folder)", r.DocumentsDeleted.ToString(CultureInfo.InvariantCulture));
        table.AddRow(failed > 0 ? "[red]failed[/]" : "failed", failed.ToString(CultureInfo.InvariantCulture));
        if (skipped > 0) table.AddRow("[yellow]skipped (unsupported format)[/]", skipped.ToString(CultureInfo.InvariantCulture));
        table.AddRow("chunks written", r.ChunksWritten.ToString(CultureInfo.InvariantCulture));
        table.AddRow("time", string.Create(CultureInfo.InvariantCulture, $"{r.Elapsed.TotalSeconds:F2} s ({r.DocumentsPerSecond:F1} documents/s, {r.ChunksPerSecond:F1} chunks/s)"));
        if (r.Elapsed > TimeSpan.Zero)
            table.AddRow("of which embedding", string.Create(CultureInfo.InvariantCulture, $"{r.EmbeddingTime.TotalSeconds:F2} s ({r.EmbeddingTime / r.Elapsed:P0})"));
        table.AddRow("company now holds", string.Create(CultureInfo.InvariantCulture, $"{summary.CompanyDocuments} documents, {summary.CompanyChunks} chunks"));
        table.AddRow("index", Markup.Escape(settings.IndexPath));
        Terminal.Out.Write(table);
    }
}
