using System.Globalization;

namespace Werkly.VectorIndex.Documents.Ingestion;

/// <summary>A progress report: sent after each document finishes (in input order), "document 3 of 10" plus throughput;
/// and, while a document that needs several embedding batches is embedded, after each batch with
/// <see cref="DocumentOutcome.Status"/> = <see cref="DocumentStatus.Processing"/>, its chunks embedded so far and an
/// estimate of the time it still needs, so that one long document does not stand at "0%" for minutes.</summary>
/// <remarks>The two kinds come from different pipeline stages, so a <see cref="IProgress{T}"/> that runs handlers on the
/// reporting thread can be called concurrently; <see cref="Progress{T}"/> queues them to one context.</remarks>
/// <param name="DocumentNumber">The finished document's 1-based position in the input.</param>
/// <param name="DocumentCount">How many documents the input holds, or <see langword="null"/> when unknown (an async stream, background mode).</param>
/// <param name="Document">How the document ended.</param>
/// <param name="DocumentsIngested">Documents written so far.</param>
/// <param name="DocumentsUnchanged">Documents skipped so far because their hash matched.</param>
/// <param name="DocumentsFailed">Documents failed so far.</param>
/// <param name="ChunksWritten">Chunks embedded and written so far.</param>
/// <param name="Elapsed">Time since the run started.</param>
public sealed record IngestProgress(
    int DocumentNumber,
    int? DocumentCount,
    DocumentOutcome Document,
    int DocumentsIngested,
    int DocumentsUnchanged,
    int DocumentsFailed,
    long ChunksWritten,
    TimeSpan Elapsed)
{
    /// <summary>Chunks of <see cref="Document"/> embedded so far (all of them once it is finished; 0 for a document that
    /// needed no embedding).</summary>
    public int DocumentChunksEmbedded { get; init; }

    /// <summary>Chunks <see cref="Document"/> is cut into (0 for a document that was not chunked: unchanged, empty, failed).</summary>
    public int DocumentChunkCount { get; init; }

    /// <summary>Chunks embedded so far in the run (ahead of <see cref="ChunksWritten"/> by the documents not yet written).</summary>
    public long ChunksEmbedded { get; init; }

    /// <summary>For a <see cref="DocumentStatus.Processing"/> report, the estimated time until the document is embedded,
    /// at the run's embedding rate so far; <see cref="TimeSpan.Zero"/> for a finished document; null before any rate is known.</summary>
    public TimeSpan? DocumentTimeRemaining { get; init; }

    /// <summary>Chunks written per second of elapsed time.</summary>
    public double ChunksPerSecond => Elapsed > TimeSpan.Zero ? ChunksWritten / Elapsed.TotalSeconds : 0;

    /// <summary>Chunks so far that the embedding model read only in part (longer than its input limit), as the generator
    /// reports them (<see cref="Chunking.ModelSizing.TruncatedInputsKey"/>; 0 when it does not).</summary>
    public long ChunksTruncated { get; init; }

    /// <summary>Documents finished (any status) per second of elapsed time.</summary>
    public double DocumentsPerSecond => Elapsed > TimeSpan.Zero ? DocumentNumber / Elapsed.TotalSeconds : 0;

    /// <summary>For example <c>document 3 of 10 (handbook/expenses.md: Ingested, 4 chunks) · 120 chunks · 85.2 chunks/s</c>,
    /// or while a long document is embedded <c>document 1 of 1 (big.txt: chunk 128 of 5000, about 2m30s left) · 0 chunks · 0.0 chunks/s</c>.</summary>
    public override string ToString()
    {
        var of = DocumentCount is { } n ? n.ToString(CultureInfo.InvariantCulture) : "?";
        var state = Document.Status == DocumentStatus.Processing
            ? string.Create(CultureInfo.InvariantCulture, $"chunk {DocumentChunksEmbedded} of {DocumentChunkCount}{(DocumentTimeRemaining is { } left ? ", about " + FormatDuration(left) + " left" : "")}")
            : string.Create(CultureInfo.InvariantCulture, $"{Document.Status}, {Document.ChunkCount} chunks");
        return string.Create(CultureInfo.InvariantCulture, $"document {DocumentNumber} of {of} ({Document.DocumentId}: {state}) · {ChunksWritten} chunks · {ChunksPerSecond:F1} chunks/s");
    }

    /// <summary>A duration for people: <c>45s</c>, <c>2m30s</c>, <c>1h05m</c>.</summary>
    public static string FormatDuration(TimeSpan duration) => duration.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours}h{duration.Minutes:D2}m")
        : duration.TotalMinutes >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes}m{duration.Seconds:D2}s")
            : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (int)Math.Ceiling(duration.TotalSeconds))}s");
}

/// <summary>The summary of a finished <see cref="DocumentIngestor.IngestAsync(IEnumerable{SourceDocument}, string, IProgress{IngestProgress}?, CancellationToken)"/> run.</summary>
/// <param name="Documents">Every document's outcome, in input order.</param>
/// <param name="ChunksWritten">Chunks embedded and written.</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
/// <param name="EmbeddingTime">Time spent inside the embedding generator, summed over calls (with
/// <see cref="DocumentIngestorOptions.MaxConcurrentEmbeddingCalls"/> above 1 it can exceed <paramref name="Elapsed"/>).</param>
public sealed record IngestResult(IReadOnlyList<DocumentOutcome> Documents, long ChunksWritten, TimeSpan Elapsed, TimeSpan EmbeddingTime)
{
    /// <summary>Documents whose chunks were written.</summary>
    public int DocumentsIngested => Documents.Count(d => d.Status == DocumentStatus.Ingested);

    /// <summary>Documents skipped because their content hash matched.</summary>
    public int DocumentsUnchanged => Documents.Count(d => d.Status == DocumentStatus.Unchanged);

    /// <summary>Documents removed by <see cref="DocumentIngestor.SyncAsync"/> because they were no longer in the input.</summary>
    public int DocumentsDeleted => Documents.Count(d => d.Status == DocumentStatus.Deleted);

    /// <summary>Documents skipped because they hold no text (<see cref="DocumentStatus.Empty"/>).</summary>
    public int DocumentsEmpty => Documents.Count(d => d.Status == DocumentStatus.Empty);

    /// <summary>Documents that failed (only when <see cref="DocumentIngestorOptions.ContinueOnDocumentError"/> is set).</summary>
    public int DocumentsFailed => Documents.Count(d => d.Status == DocumentStatus.Failed);

    /// <summary>Chunks written per second.</summary>
    public double ChunksPerSecond => Elapsed > TimeSpan.Zero ? ChunksWritten / Elapsed.TotalSeconds : 0;

    /// <summary>Chunks the embedding model read only in part (longer than its input limit, so their tail is not in their
    /// vector), as the generator reports them (<see cref="Chunking.ModelSizing.TruncatedInputsKey"/>; 0 when it does not).
    /// The default chunkers size chunks in the model's tokens when it can, which keeps this at 0.</summary>
    public long ChunksTruncated { get; init; }

    /// <summary>Documents (any outcome) per second.</summary>
    public double DocumentsPerSecond => Elapsed > TimeSpan.Zero ? Documents.Count / Elapsed.TotalSeconds : 0;
}
