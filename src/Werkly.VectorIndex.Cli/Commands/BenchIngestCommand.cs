using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli.Output;
using Werkly.VectorIndex.Documents;
using Werkly.VectorIndex.Documents.Extraction;
using Werkly.VectorIndex.Documents.Indexing;
using Werkly.VectorIndex.Documents.Ingestion;

namespace Werkly.VectorIndex.Cli.Commands;

/// <summary>Settings of <c>werkly bench-ingest</c>.</summary>
internal sealed class BenchIngestSettings : CommandSettings
{
    /// <summary>The BEIR-layout folder whose corpus is ingested.</summary>
    [CommandArgument(0, "<BEIR_DIR>")]
    [Description("Folder in the BEIR layout; its corpus is ingested as one document per entry (title, blank line, text).")]
    public string Directory { get; init; } = "";

    /// <summary>Measured runs.</summary>
    [CommandOption("--runs <N>")]
    [Description("Measured runs of each side, 1 to 20 (default 3); medians are reported.")]
    [DefaultValue(3)]
    public int Runs { get; init; } = 3;

    /// <summary>Machine-readable output.</summary>
    [CommandOption("--json")]
    [Description("Print one JSON object with the medians.")]
    public bool Json { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate() =>
        Runs is < 1 or > 20 ? ValidationResult.Error("--runs must be between 1 and 20.") : ValidationResult.Success();
}

/// <summary>
/// <c>werkly bench-ingest BEIR_DIR [--runs 3] [--json]</c>: ingest throughput with the real model, and how much the
/// pipeline adds on top of raw embedding. Hidden from the command list (a measurement harness, not a user task).
/// </summary>
/// <remarks>
/// Each run does, interleaved so machine noise hits both alike: (1) <b>raw embedding</b> — the corpus pre-chunked with
/// the default chunker, the chunk texts embedded by the same model in the pipeline's batches of 64, one call at a time
/// (as the pipeline's default <see cref="DocumentIngestorOptions.MaxConcurrentEmbeddingCalls"/>); (2) <b>the pipeline</b>
/// — <see cref="DocumentIngestor"/> over the same documents into a fresh persisted <see cref="DocumentIndex"/> in a temp
/// folder: extraction, hashing, chunking, embedding, hybrid index writes and a durable commit per batch.
/// </remarks>
internal sealed class BenchIngestCommand : AsyncCommand<BenchIngestSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, BenchIngestSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var dataset = EvalCommand.LoadDataset(settings.Directory);
        var documents = dataset.Corpus.Select(d => SourceDocument.FromText(d.Id + ".txt", d.Title + "\n\n" + d.Text)).ToList();
        var options = new DocumentIngestorOptions();
        var texts = new List<string>();
        foreach (var document in documents)
        {
            var chunks = options.Chunker.Chunk(document.Id, await DocumentTextExtractor.Default.ExtractAsync(document, cancellationToken).ConfigureAwait(false));
            texts.AddRange(chunks.Select(c => c.EmbeddingText(options.EmbedHeadingPath)));
        }

        using var generator = EmbeddingModel.Create();
        var load = ReadLoadAverage();
        await RawAsync(texts.Take(256).ToList(), options.EmbeddingBatchSize, cancellationToken).ConfigureAwait(false); // warm-up

        var raw = new List<double>();
        var pipeline = new List<double>();
        var inside = new List<double>();
        for (var run = 0; run < settings.Runs; run++)
        {
            raw.Add(await RawAsync(texts, options.EmbeddingBatchSize, cancellationToken).ConfigureAwait(false));
            var (seconds, embedding) = await PipelineAsync(documents, cancellationToken).ConfigureAwait(false);
            pipeline.Add(seconds);
            inside.Add(embedding);
            if (!settings.Json)
                Terminal.Out.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[grey]run {run + 1}: raw embedding {raw[^1]:F2} s, pipeline {seconds:F2} s (model {embedding:F2} s)[/]"));
        }

        var ratios = raw.Zip(pipeline, (r, p) => p / r).ToList();
        var shares = pipeline.Zip(inside, (p, e) => e / p).ToList();
        var (rawS, pipeS, ratio, share) = (Median(raw), Median(pipeline), Median(ratios), Median(shares));
        if (settings.Json)
        {
            Terminal.WriteJson(w =>
            {
                w.WriteNumber("documents", documents.Count);
                w.WriteNumber("chunks", texts.Count);
                w.WriteNumber("runs", settings.Runs);
                w.WriteNumber("raw_embedding_s", Math.Round(rawS, 3));
                w.WriteNumber("pipeline_s", Math.Round(pipeS, 3));
                w.WriteNumber("pipeline_over_raw", Math.Round(ratio, 4));
                w.WriteNumber("embedding_share", Math.Round(share, 4));
                w.WriteNumber("documents_per_s", Math.Round(documents.Count / pipeS, 1));
                w.WriteNumber("chunks_per_s", Math.Round(texts.Count / pipeS, 1));
                w.WriteNumber("cores", Environment.ProcessorCount);
                w.WriteString("load_average", load);
            });
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .Title(string.Create(CultureInfo.InvariantCulture, $"{documents.Count} documents, {texts.Count} chunks · {settings.Runs} runs, medians · {Environment.ProcessorCount} cores, load {load}"))
            .AddColumn("measure").AddColumn(new TableColumn("median").RightAligned());
        table.AddRow("raw embedding (same chunks, batches of 64)", F(rawS, "F2") + " s");
        table.AddRow("pipeline (extract, hash, chunk, embed, index, commit)", F(pipeS, "F2") + " s");
        table.AddRow("pipeline / raw embedding (per-run ratio)", F(ratio, "F3"));
        table.AddRow("share of pipeline wall time inside the model", share.ToString("P1", CultureInfo.InvariantCulture));
        table.AddRow("documents/s", F(documents.Count / pipeS, "F1"));
        table.AddRow("chunks/s", F(texts.Count / pipeS, "F1"));
        Terminal.Out.Write(table);
        return ExitCodes.Ok;

        async Task<double> RawAsync(IReadOnlyList<string> inputs, int batch, CancellationToken token)
        {
            var clock = Stopwatch.StartNew();
            for (var start = 0; start < inputs.Count; start += batch)
                await generator.GenerateAsync(inputs.Skip(start).Take(batch), null, token).ConfigureAwait(false);
            return clock.Elapsed.TotalSeconds;
        }

        async Task<(double Seconds, double Embedding)> PipelineAsync(IReadOnlyList<SourceDocument> input, CancellationToken token)
        {
            var folder = Path.Combine(Path.GetTempPath(), "werkly-bench-" + Guid.NewGuid().ToString("N")[..12]);
            try
            {
                using var index = DocumentIndex.Open(folder, generator);
                var result = await new DocumentIngestor(generator, index).IngestAsync(input, "bench", null, token).ConfigureAwait(false);
                return (result.Elapsed.TotalSeconds, result.EmbeddingTime.TotalSeconds);
            }
            finally
            {
                if (System.IO.Directory.Exists(folder)) System.IO.Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string ReadLoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
