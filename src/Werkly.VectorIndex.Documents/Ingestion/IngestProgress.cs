using System.Globalization;

namespace Werkly.VectorIndex.Documents.Ingestion;

/// <summary>A progress report, sent after each document finishes (in input order): "document 3 of 10" plus throughput.</summary>
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
    /// <summary>Chunks written per second of elapsed time.</summary>
    public double ChunksPerSecond => Elapsed > TimeSpan.Zero ? ChunksWritten / Elapsed.TotalSeconds : 0;

    /// <summary>Chunks so far that the embedding model read only in part (longer than its input limit), as the generator
    /// reports them (<see cref="Chunking.ModelSizing.TruncatedInputsKey"/>; 0 when it does not).</summary>
    public long ChunksTruncated { get; init; }

    /// <summary>Documents finished (any status) per second of elapsed time.</summary>
    public double DocumentsPerSecond => Elapsed > TimeSpan.Zero ? DocumentNumber / Elapsed.TotalSeconds : 0;

    /// <summary>For example <c>document 3 of 10 (handbook/expenses.md: Ingested, 4 chunks) · 120 chunks · 85.2 chunks/s</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"document {DocumentNumber} of {(DocumentCount is { } n ? n.ToString(CultureInfo.InvariantCulture) : "?")} ({Document.DocumentId}: {Document.Status}, {Document.ChunkCount} chunks) · {ChunksWritten} chunks · {ChunksPerSecond:F1} chunks/s");
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
