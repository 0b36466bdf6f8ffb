using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli.Output;
using Werkly.VectorIndex.Cli.Sync;
using Werkly.VectorIndex.Documents;
using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Extraction;
using Werkly.VectorIndex.Documents.Indexing;
using Werkly.VectorIndex.Documents.Ingestion;
using Werkly.VectorIndex.Embeddings.Onnx;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Cli.Commands;

/// <summary>Settings of <c>werkly ingest</c>.</summary>
internal sealed class IngestSettings : CompanySettings
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
    [Description("fixed (as many tokens as the model reads, with overlap, never inside a word; default) or semantic (by headings and paragraphs, within the model's token limit).")]
    public string? Chunking { get; init; }

    /// <summary>Fixed chunks of this many characters instead of the model's token budget.</summary>
    [CommandOption("--chunk-chars <N>")]
    [Description("fixed chunking by characters: chunks of N characters (100 to 100000; overlap a fifth, at most 200), as a pgvector pipeline cuts them. Chunks longer than the model reads are truncated when embedded; the summary counts them.")]
    public int? ChunkChars { get; init; }

    /// <summary>List what would happen without doing it.</summary>
    [CommandOption("--dry-run")]
    [Description("List what would be added, replaced, skipped or (with --sync) deleted, and why; embed and write nothing (the index is opened read-only, or not at all when it does not exist).")]
    public bool DryRun { get; init; }

    /// <summary>Keep the folder in sync until Ctrl+C.</summary>
    [CommandOption("--watch")]
    [Description("Mirror the folder (as --sync), then keep watching it: new, changed, renamed and deleted files are applied after a quiet period (--debounce-ms). Stop with Ctrl+C (exit 0). With --json, one JSON object per pass, one per line.")]
    public bool Watch { get; init; }

    /// <summary>The quiet period of --watch.</summary>
    [CommandOption("--debounce-ms <MS>")]
    [Description("--watch: how long the folder must be quiet before changes are applied, 50 to 60000 ms. Default 500.")]
    [DefaultValue(500)]
    public int DebounceMs { get; init; } = 500;

    /// <summary>No progress output.</summary>
    [CommandOption("--quiet")]
    [Description("No progress output (warnings, errors and the summary are still printed). Without it: a live bar in a terminal, plain progress lines on stderr otherwise.")]
    public bool Quiet { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
            return ValidationResult.Error("Give the file or folder to ingest, for example: werkly ingest ./handbook --company acme");
        if (Chunking is not null && Chunking.ToUpperInvariant() is not ("FIXED" or "SEMANTIC"))
            return ValidationResult.Error($"Unknown --chunking '{Chunking}': use fixed or semantic.");
        if (ChunkChars is { } chars && (chars is < 100 or > 100_000))
            return ValidationResult.Error("--chunk-chars must be between 100 and 100000.");
        if (ChunkChars is not null && Chunking?.ToUpperInvariant() == "SEMANTIC")
            return ValidationResult.Error("--chunk-chars sizes fixed chunks; it does not go with --chunking semantic.");
        if (DryRun && Watch)
            return ValidationResult.Error("--dry-run and --watch do not go together: --dry-run changes nothing, --watch keeps changing the index.");
        if (DebounceMs is < 50 or > 60_000)
            return ValidationResult.Error("--debounce-ms must be between 50 and 60000.");
        return base.Validate();
    }

    /// <summary>The chunker <see cref="Chunking"/> names.</summary>
    public IChunker CreateChunker() =>
        Chunking?.ToUpperInvariant() == "SEMANTIC" ? new SemanticChunker()
        : ChunkChars is { } chars ? new FixedSizeChunker(chars, Math.Min(FixedSizeChunker.DefaultOverlapChars, chars / 5))
        : new FixedSizeChunker();

    /// <summary>How progress is shown.</summary>
    internal ProgressMode ProgressMode => Quiet ? ProgressMode.None : Json || Console.IsOutputRedirected ? ProgressMode.Lines : ProgressMode.Live;
}

/// <summary><c>werkly ingest PATH --company ID [--index DIR] [--json] [--sync] [--dry-run] [--watch]</c>: extracts, chunks,
/// embeds and stores documents.</summary>
/// <remarks>Each document is written atomically and committed, so Ctrl+C or a crash leaves every document either fully
/// in or untouched; unchanged documents are skipped by content hash; documents without text are skipped as empty. A file
/// that cannot be read does not stop the run: it is reported on stderr and the exit code is
/// <see cref="ExitCodes.UnreadableInput"/>. Ctrl+C in the middle of a long document keeps the embeddings computed so far
/// in <see cref="ResumeFileName"/> in the index folder; the next ingest reuses them instead of embedding those chunks again.</remarks>
internal sealed class IngestCommand : AsyncCommand<IngestSettings>
{
    /// <summary>The file in the index folder that keeps the embeddings of an interrupted ingest (an embedding cache, see
    /// <see cref="EmbeddingCache"/>); deleted by the next ingest that finishes.</summary>
    public const string ResumeFileName = "ingest-resume.wkec";

    /// <summary>The most memory the resume cache holds: about 160,000 embeddings of 384 dimensions (a 100 MB text file).</summary>
    internal const long ResumeCapacityBytes = 256L << 20;

    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, IngestSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Watch && !Directory.Exists(settings.Path))
            throw new CommandFailedException(ExitCodes.UnreadableInput, $"--watch needs a folder; '{settings.Path}' is {(File.Exists(settings.Path) ? "a file" : "not there")}.");
        var (root, documents, unsupported) = Collect(settings.Path, allowEmptyFolder: settings.Watch);
        if (settings.DryRun)
            return await DryRunAsync(settings, root, documents, unsupported, cancellationToken).ConfigureAwait(false);
        foreach (var name in unsupported)
            Terminal.WriteWarning($"Skipped '{name}': unsupported format (supported: {string.Join(", ", DocumentTextExtractor.Default.SupportedExtensions)}).");

        var resumePath = System.IO.Path.Combine(settings.IndexPath, ResumeFileName);
        var cache = LoadResume(resumePath);
        var reusable = cache.Count;
        // The index (and its write lock) first, the model after: a second writer is told about the lock at once,
        // instead of after loading (on first use: extracting) the model.
        using var generator = EmbeddingModel.CreateDeferred(settings.ModelName, settings.ModelPrecision, cache);
        using var index = IndexLocation.OpenOrCreate(settings.IndexPath, generator);
        index.ValidateCompanyId(settings.CompanyId); // an id that differs only in case from an existing company's: exit 2 before any work
        try
        {
            if (settings.Watch)
                return await WatchAsync(settings, root, index, generator.Generator, cancellationToken).ConfigureAwait(false);
            var summary = await IngestAsync(index, generator.Generator, documents, settings.CompanyId, settings.Sync || settings.Watch, settings.CreateChunker(),
                settings.ProgressMode, cancellationToken).ConfigureAwait(false);
            DeleteResume(resumePath);
            return Report(settings, root, documents.Count, unsupported.Count, summary, reusable == 0 ? 0 : cache.Hits);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            SaveResume(cache, resumePath);
            throw;
        }
    }

    /// <summary>The outcome of an ingestion run and what the company holds afterwards.</summary>
    /// <param name="Result">The pipeline's result.</param>
    /// <param name="CompanyDocuments">Documents the company holds now.</param>
    /// <param name="CompanyChunks">Chunks the company holds now.</param>
    public sealed record IngestSummary(IngestResult Result, int CompanyDocuments, int CompanyChunks);

    /// <summary>Runs the pipeline over <paramref name="documents"/> into <paramref name="index"/>, showing progress as <paramref name="mode"/> says.</summary>
    internal static async Task<IngestSummary> IngestAsync(DocumentIndex index, OnnxEmbeddingGenerator generator, IReadOnlyList<SourceDocument> documents,
        string companyId, bool sync, IChunker chunker, ProgressMode mode, CancellationToken cancellationToken)
    {
        var ingestor = CreateIngestor(index, generator, chunker);
        IngestResult result;
        var view = new IngestProgressView(companyId, documents);
        if (mode == ProgressMode.Live)
        {
            result = null!;
            await ProgressDisplay.NewProgress().StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(view.Describe()), maxValue: 1000);
                var progress = new SynchronousProgress<IngestProgress>(p =>
                {
                    view.Update(p);
                    task.Value = Math.Round(view.Fraction * 1000);
                    task.Description = Markup.Escape(view.Describe());
                });
                result = await Run(ingestor, documents, companyId, sync, progress, cancellationToken).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        }
        else
        {
            result = await Run(ingestor, documents, companyId, sync, mode == ProgressMode.Lines ? new ProgressLines(view) : null, cancellationToken).ConfigureAwait(false);
        }
        ThrowCommandErrors(result);
        return new IngestSummary(result, index.DocumentCount(companyId), index.ChunkCount(companyId));
    }

    /// <summary>The ingestor every run of the command uses: a bad document fails alone.</summary>
    internal static DocumentIngestor CreateIngestor(DocumentIndex index, Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> generator, IChunker chunker) =>
        new(generator, index, new DocumentIngestorOptions { ContinueOnDocumentError = true, Chunker = chunker });

    private static Task<IngestResult> Run(DocumentIngestor ingestor, IReadOnlyList<SourceDocument> documents, string companyId, bool sync,
        IProgress<IngestProgress>? progress, CancellationToken cancellationToken) =>
        sync ? ingestor.SyncAsync(documents, companyId, progress, cancellationToken) : ingestor.IngestAsync(documents, companyId, progress, cancellationToken);

    /// <summary>Failures that are the command's, not one document's: the pipeline records every error per document, but an
    /// invalid company id or an index that cannot be written fails every document alike, so it ends the command with its own exit code.</summary>
    internal static void ThrowCommandErrors(IngestResult result)
    {
        foreach (var failure in result.Documents)
        {
            switch (failure.Error)
            {
                case InvalidIdentifierException e: throw e;
                case IndexLockedException e: throw e;
                case UnauthorizedAccessException e: throw e;
                case IOException e when CommandRunner.IsNotWritable(e): throw e;
            }
        }
    }

    /// <summary>The documents under <paramref name="path"/> (a file or a folder) and the files skipped as unsupported.</summary>
    /// <exception cref="CommandFailedException">The path does not exist, cannot be listed, or is a single unsupported file.</exception>
    internal static (string Root, IReadOnlyList<SourceDocument> Documents, IReadOnlyList<string> Skipped) Collect(string path, bool allowEmptyFolder = false)
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
            if (supported.Count == 0 && !allowEmptyFolder)
                throw new CommandFailedException(ExitCodes.UnreadableInput,
                    $"'{path}' holds no document in a supported format ({string.Join(", ", DocumentTextExtractor.Default.SupportedExtensions)}).");
            return (full, supported, skipped);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new CommandFailedException(ExitCodes.UnreadableInput, $"Cannot read the folder '{path}': {e.Message}", e);
        }
    }

    // ---- Reporting -------------------------------------------------------------------------------------------------

    private static int Report(IngestSettings settings, string root, int documentCount, int unsupported, IngestSummary summary, long reused)
    {
        var r = summary.Result;
        var failures = r.Documents.Where(d => d.Status == DocumentStatus.Failed).ToList();
        var empty = r.Documents.Where(d => d.Status == DocumentStatus.Empty).Select(d => d.DocumentId).ToList();
        foreach (var outcome in r.Documents)
        {
            foreach (var warning in outcome.Warnings)
                Terminal.WriteWarning($"'{outcome.DocumentId}': {warning}");
        }
        if (settings.Json)
        {
            Terminal.WriteJson(w =>
            {
                w.WriteString("company", settings.CompanyId);
                w.WriteString("index", settings.IndexPath);
                w.WriteString("path", root);
                w.WriteNumber("documents", documentCount);
                w.WriteNumber("ingested", r.DocumentsIngested);
                w.WriteNumber("unchanged", r.DocumentsUnchanged);
                w.WriteNumber("empty", empty.Count);
                w.WriteNumber("deleted", r.DocumentsDeleted);
                w.WriteNumber("failed", failures.Count);
                w.WriteNumber("skipped", unsupported);
                w.WriteNumber("chunks", r.ChunksWritten);
                w.WriteNumber("chunks_truncated", r.ChunksTruncated);
                w.WriteNumber("embeddings_reused", reused);
                w.WriteNumber("took_s", Math.Round(r.Elapsed.TotalSeconds, 3));
                w.WriteNumber("embedding_s", Math.Round(r.EmbeddingTime.TotalSeconds, 3));
                w.WriteNumber("documents_per_s", Math.Round(r.DocumentsPerSecond, 1));
                w.WriteNumber("chunks_per_s", Math.Round(r.ChunksPerSecond, 1));
                w.WriteNumber("company_documents", summary.CompanyDocuments);
                w.WriteNumber("company_chunks", summary.CompanyChunks);
                w.WriteStartArray("empty_documents");
                foreach (var id in empty) w.WriteStringValue(id);
                w.WriteEndArray();
                w.WriteStartArray("warnings");
                foreach (var outcome in r.Documents)
                {
                    foreach (var warning in outcome.Warnings)
                    {
                        w.WriteStartObject();
                        w.WriteString("document", outcome.DocumentId);
                        w.WriteString("warning", warning);
                        w.WriteEndObject();
                    }
                }
                w.WriteEndArray();
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
            WriteSummary(settings, summary, failures.Count, unsupported, empty, reused);
        }

        foreach (var failure in failures)
            Terminal.WriteError(failure.Error?.Message ?? $"'{failure.DocumentId}' failed.");
        if (failures.Count > 0)
        {
            Terminal.WriteErrorText(string.Create(CultureInfo.InvariantCulture,
                $"{failures.Count} of {documentCount} documents could not be read; the others were ingested. Fix or remove those files and run the same command again (unchanged documents are skipped)."));
            return ExitCodes.UnreadableInput;
        }
        return ExitCodes.Ok;
    }

    private static void WriteSummary(IngestSettings settings, IngestSummary summary, int failed, int unsupported, List<string> empty, long reused)
    {
        var r = summary.Result;
        var table = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("").AddColumn(new TableColumn("").RightAligned());
        table.Title = new TableTitle($"Ingested into company [bold]{Markup.Escape(settings.CompanyId)}[/]");
        table.AddRow("documents ingested", r.DocumentsIngested.ToString(CultureInfo.InvariantCulture));
        table.AddRow("unchanged (skipped by hash)", r.DocumentsUnchanged.ToString(CultureInfo.InvariantCulture));
        if (empty.Count > 0) table.AddRow("[yellow]skipped (empty)[/]", empty.Count.ToString(CultureInfo.InvariantCulture));
        if (settings.Sync) table.AddRow("removed (no longer in the folder)", r.DocumentsDeleted.ToString(CultureInfo.InvariantCulture));
        table.AddRow(failed > 0 ? "[red]failed[/]" : "failed", failed.ToString(CultureInfo.InvariantCulture));
        if (unsupported > 0) table.AddRow("[yellow]skipped (unsupported format)[/]", unsupported.ToString(CultureInfo.InvariantCulture));
        table.AddRow("chunks written", r.ChunksWritten.ToString(CultureInfo.InvariantCulture));
        if (r.ChunksTruncated > 0)
            table.AddRow("[yellow]chunks truncated (longer than the model reads)[/]", r.ChunksTruncated.ToString(CultureInfo.InvariantCulture));
        if (reused > 0) table.AddRow("embeddings reused from the interrupted run", reused.ToString(CultureInfo.InvariantCulture));
        table.AddRow("time", string.Create(CultureInfo.InvariantCulture, $"{r.Elapsed.TotalSeconds:F2} s ({r.DocumentsPerSecond:F1} documents/s, {r.ChunksPerSecond:F1} chunks/s)"));
        if (r.Elapsed > TimeSpan.Zero)
            table.AddRow("of which embedding", string.Create(CultureInfo.InvariantCulture, $"{r.EmbeddingTime.TotalSeconds:F2} s ({r.EmbeddingTime / r.Elapsed:P0})"));
        table.AddRow("company now holds", string.Create(CultureInfo.InvariantCulture, $"{summary.CompanyDocuments} documents, {summary.CompanyChunks} chunks"));
        table.AddRow("index", Markup.Escape(settings.IndexPath));
        Terminal.Out.Write(table);
        if (r.ChunksTruncated > 0)
            Terminal.WriteWarning(string.Create(CultureInfo.InvariantCulture,
                $"{r.ChunksTruncated} of {r.ChunksWritten} chunks were longer than the model reads; their ends are searchable by keyword but not by meaning. Use smaller --chunk-chars, or the default chunking (sized by the model's tokens)."));
        if (empty.Count > 0)
            Terminal.Out.MarkupLine("[yellow]Skipped (empty: no text to index):[/] " + Markup.Escape(string.Join(", ", empty)));
    }

    // ---- --dry-run -------------------------------------------------------------------------------------------------

    private static async Task<int> DryRunAsync(IngestSettings settings, string root, IReadOnlyList<SourceDocument> documents, IReadOnlyList<string> unsupported,
        CancellationToken cancellationToken)
    {
        using var generator = EmbeddingModel.CreateDeferred(settings.ModelName, settings.ModelPrecision); // its metadata keys the content hashes; nothing is embedded
        var exists = File.Exists(System.IO.Path.Combine(settings.IndexPath, IndexLocation.ManifestFileName));
        using var index = exists ? IndexLocation.OpenExisting(settings.IndexPath, generator, readOnly: true) : null;
        if (index is not null) IndexLocation.EnsureModelMatches(index, generator); // the ingest would fail: so does its plan
        index?.ValidateCompanyId(settings.CompanyId);
        IChunkSink sink = index is null ? new InMemoryChunkSink() : index; // no index yet: everything would be added
        var ingestor = new DocumentIngestor(generator, sink, new DocumentIngestorOptions { Chunker = settings.CreateChunker() });
        var plan = await ingestor.PlanAsync(documents, settings.CompanyId, settings.Sync, cancellationToken).ConfigureAwait(false);
        var rows = plan.Documents.Concat(unsupported.Select(id => new PlannedDocument(id, PlannedAction.Skip, "unsupported format"))).ToList();

        if (settings.Json)
        {
            Terminal.WriteJson(w =>
            {
                w.WriteBoolean("dry_run", true);
                w.WriteString("company", settings.CompanyId);
                w.WriteString("index", settings.IndexPath);
                w.WriteString("path", root);
                foreach (var action in Enum.GetValues<PlannedAction>())
                    w.WriteNumber(action.ToString().ToLowerInvariant(), rows.Count(d => d.Action == action));
                w.WriteNumber("chunks_to_embed", plan.ChunksToEmbed);
                w.WriteStartArray("documents");
                foreach (var row in rows)
                {
                    w.WriteStartObject();
                    w.WriteString("document", row.DocumentId);
                    w.WriteString("action", row.Action.ToString().ToLowerInvariant());
                    w.WriteString("reason", row.Reason);
                    w.WriteNumber("chunks", row.ChunkCount);
                    if (row.Warnings.Count > 0)
                    {
                        w.WriteStartArray("warnings");
                        foreach (var warning in row.Warnings) w.WriteStringValue(warning);
                        w.WriteEndArray();
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .Title($"Dry run: ingest into company [bold]{Markup.Escape(settings.CompanyId)}[/] (nothing is written)")
            .AddColumn("document").AddColumn("action").AddColumn(new TableColumn("chunks").RightAligned()).AddColumn("why");
        foreach (var row in rows)
        {
            var colour = row.Action switch { PlannedAction.Add => "green", PlannedAction.Replace => "blue", PlannedAction.Delete => "red", _ => "grey" };
            table.AddRow(Markup.Escape(row.DocumentId), $"[{colour}]{row.Action.ToString().ToLowerInvariant()}[/]",
                row.ChunkCount > 0 ? row.ChunkCount.ToString(CultureInfo.InvariantCulture) : "", Markup.Escape(row.Reason + string.Concat(row.Warnings.Select(x => " (warning: " + x + ")"))));
        }
        Terminal.Out.Write(table);
        Terminal.Out.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Would add {rows.Count(d => d.Action == PlannedAction.Add)}, replace {rows.Count(d => d.Action == PlannedAction.Replace)}, skip {rows.Count(d => d.Action == PlannedAction.Skip)} and delete {rows.Count(d => d.Action == PlannedAction.Delete)} documents; {plan.ChunksToEmbed} chunks to embed.")
            + (settings.Sync ? "" : " [grey](without --sync, documents no longer in the folder are kept)[/]"));
        return ExitCodes.Ok;
    }

    // ---- --watch ---------------------------------------------------------------------------------------------------

    private static async Task<int> WatchAsync(IngestSettings settings, string root, DocumentIndex index, OnnxEmbeddingGenerator generator, CancellationToken cancellationToken)
    {
        var ingestor = CreateIngestor(index, generator, settings.CreateChunker());
        var watcher = new FolderWatcher(root, settings.CompanyId, ingestor, index, TimeSpan.FromMilliseconds(settings.DebounceMs), exclude: settings.IndexPath);
        if (!settings.Json)
            Terminal.Out.MarkupLine($"Watching [bold]{Markup.Escape(root)}[/] for company [bold]{Markup.Escape(settings.CompanyId)}[/]; Ctrl+C stops.");
        try
        {
            await watcher.RunAsync(pass =>
            {
                ThrowCommandErrors(pass.Result);
                WritePass(settings, pass, index);
                return ValueTask.CompletedTask;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (watcher.PassInProgress)
                throw; // interrupted while writing: exit 130, and the resume file keeps what was embedded
            if (!settings.Json)
                Terminal.Out.MarkupLine("Stopped watching.");
            return ExitCodes.Ok;
        }
        return ExitCodes.Ok;
    }

    private static void WritePass(IngestSettings settings, SyncPass pass, DocumentIndex index)
    {
        var r = pass.Result;
        foreach (var outcome in r.Documents)
        {
            foreach (var warning in outcome.Warnings)
                Terminal.WriteWarning($"'{outcome.DocumentId}': {warning}");
            if (outcome.Status == DocumentStatus.Failed)
                Terminal.WriteError(outcome.Error?.Message ?? $"'{outcome.DocumentId}' failed.");
        }
        if (settings.Json)
        {
            Terminal.WriteJson(w =>
            {
                w.WriteString("time", pass.Time.ToString("O", CultureInfo.InvariantCulture));
                w.WriteBoolean("full", pass.Full);
                w.WriteNumber("ingested", r.DocumentsIngested);
                w.WriteNumber("unchanged", r.DocumentsUnchanged);
                w.WriteNumber("empty", r.DocumentsEmpty);
                w.WriteNumber("deleted", r.DocumentsDeleted);
                w.WriteNumber("failed", r.DocumentsFailed);
                w.WriteNumber("chunks", r.ChunksWritten);
                w.WriteNumber("company_documents", index.DocumentCount(settings.CompanyId));
                w.WriteStartArray("documents");
                foreach (var d in r.Documents.Where(d => d.Status != DocumentStatus.Unchanged))
                {
                    w.WriteStartObject();
                    w.WriteString("document", d.DocumentId);
                    w.WriteString("status", d.Status.ToString().ToLowerInvariant());
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return;
        }
        var changed = r.Documents.Where(d => d.Status != DocumentStatus.Unchanged).Select(d => $"{d.DocumentId} ({d.Status.ToString().ToLowerInvariant()})");
        Terminal.Out.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"[{pass.Time:HH:mm:ss}] {(pass.Full ? "full sync" : "sync")}: {r.DocumentsIngested} ingested, {r.DocumentsDeleted} removed, {r.DocumentsEmpty} empty, {r.DocumentsFailed} failed, {r.DocumentsUnchanged} unchanged · company holds {index.DocumentCount(settings.CompanyId)} documents")
            + (r.DocumentsIngested + r.DocumentsDeleted + r.DocumentsEmpty + r.DocumentsFailed > 0 ? " · " + string.Join(", ", changed) : "")));
    }

    // ---- The resume file -------------------------------------------------------------------------------------------

    private static EmbeddingCache LoadResume(string path)
    {
        try
        {
            return EmbeddingCache.LoadOrCreate(path, ResumeCapacityBytes);
        }
        catch (Exception e) when (e is IndexCorruptedException or IncompatibleFormatException or IOException or UnauthorizedAccessException)
        {
            Terminal.WriteWarning($"The embeddings kept from an interrupted ingest ('{path}') cannot be read ({e.Message}); they are embedded again.");
            return new EmbeddingCache(ResumeCapacityBytes);
        }
    }

    private static void SaveResume(EmbeddingCache cache, string path)
    {
        if (cache.Count == 0 || !Directory.Exists(System.IO.Path.GetDirectoryName(path)))
            return;
        try
        {
            cache.Save(path, CancellationToken.None);
            Terminal.WriteNote(string.Create(CultureInfo.InvariantCulture,
                $"Kept the embeddings of {cache.Count} chunks in '{path}': running the same command again reuses them instead of embedding those chunks again."));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Terminal.WriteWarning($"The embeddings computed so far could not be kept ({e.Message}); the next ingest embeds them again.");
        }
    }

    private static void DeleteResume(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Terminal.WriteWarning($"Could not delete '{path}' ({e.Message}); it is harmless, and deleted by the next ingest.");
        }
    }
}
