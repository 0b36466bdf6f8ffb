using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Documents.Exceptions;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Documents.Ingestion;

/// <summary>The document pipeline in one call: extract text → hash (skip unchanged) → chunk → embed in batches → write
/// each document atomically to an <see cref="IChunkSink"/>.</summary>
/// <remarks>
/// <para><b>Concurrency.</b> A run has three stages joined by bounded channels: extraction and chunking of the next
/// documents run while the current batch is being embedded, and writes run while the next batch is embedded, so
/// embedding — the expensive part — is never waiting on the rest. Embedding batches span documents.</para>
/// <para><b>Consistency.</b> Documents are written whole and in input order; a cancelled or failed run leaves every
/// document either fully replaced or untouched, never half-written. An unsupported or unreadable document (unless
/// <see cref="DocumentIngestorOptions.ContinueOnDocumentError"/>) stops the run with its typed exception after every
/// document before it has been written, and before any document after it is.</para>
/// <para><b>Thread-safety.</b> The ingestor is immutable and may run several ingestions at once (the sink must then be
/// thread-safe, as <see cref="IChunkSink"/> requires). Do not ingest the same document of the same company from two runs at
/// once: the last writer wins.</para>
/// </remarks>
public sealed class DocumentIngestor
{
    private readonly IChunkSink _sink;
    private readonly DocumentIngestorOptions _options;

    /// <summary>Creates an ingestor.</summary>
    /// <param name="generator">Turns chunk texts into embeddings (an ONNX model in-process, or any remote service).</param>
    /// <param name="sink">Where documents are stored.</param>
    /// <param name="options">Extraction, chunking and batching settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public DocumentIngestor(IEmbeddingGenerator<string, Embedding<float>> generator, IChunkSink sink, DocumentIngestorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(sink);
        _options = options?.Clone() ?? new DocumentIngestorOptions();
        _options.Validate();
        _sink = sink;
        Pipeline = new IngestPipeline(generator, sink, _options);
    }

    /// <summary>A new copy of the settings in use on every read: changing it does not affect the ingestor, whose settings
    /// are fixed (validated, and the content-hash salt derived from them) when it is created.</summary>
    public DocumentIngestorOptions Options => _options.Clone();

    internal IngestPipeline Pipeline { get; }

    /// <summary>Ingests documents for one company.</summary>
    /// <param name="documents">The documents; when the sequence is a collection, progress reports "document i of n".</param>
    /// <param name="companyId">The company: 1 to 64 characters from <c>[A-Za-z0-9_.-]</c>, not starting with a dot.</param>
    /// <param name="progress">Receives a report after each document, in input order; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the run; documents already written stay written, the rest are untouched.</param>
    /// <returns>Every document's outcome and the run's throughput.</returns>
    /// <exception cref="InvalidIdentifierException">The company id is not valid.</exception>
    /// <exception cref="UnsupportedDocumentFormatException">A document has an unsupported extension (unless <see cref="DocumentIngestorOptions.ContinueOnDocumentError"/>).</exception>
    /// <exception cref="DocumentExtractionException">A document is unreadable or corrupt (unless <see cref="DocumentIngestorOptions.ContinueOnDocumentError"/>).</exception>
    /// <exception cref="DimensionMismatchException">The generator returned vectors of differing lengths.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public Task<IngestResult> IngestAsync(IEnumerable<SourceDocument> documents, string companyId, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        int? total = documents.TryGetNonEnumeratedCount(out var n) ? n : null;
        return RunAsync(documents.ToAsyncEnumerable(), total, companyId, progress, cancellationToken);
    }

    /// <summary>Ingests a stream of documents for one company (for example files as they are uploaded).</summary>
    /// <param name="documents">The documents.</param>
    /// <param name="companyId">The company: 1 to 64 characters from <c>[A-Za-z0-9_.-]</c>, not starting with a dot.</param>
    /// <param name="progress">Receives a report after each document, in input order; the total is unknown.</param>
    /// <param name="cancellationToken">Cancels the run; documents already written stay written, the rest are untouched.</param>
    /// <returns>Every document's outcome and the run's throughput.</returns>
    /// <exception cref="InvalidIdentifierException">The company id is not valid.</exception>
    /// <exception cref="UnsupportedDocumentFormatException">A document has an unsupported extension (unless <see cref="DocumentIngestorOptions.ContinueOnDocumentError"/>).</exception>
    /// <exception cref="DocumentExtractionException">A document is unreadable or corrupt (unless <see cref="DocumentIngestorOptions.ContinueOnDocumentError"/>).</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public Task<IngestResult> IngestAsync(IAsyncEnumerable<SourceDocument> documents, string companyId, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        return RunAsync(documents, null, companyId, progress, cancellationToken);
    }

    /// <summary>Makes a company's documents exactly <paramref name="documents"/>: ingests them (skipping unchanged ones), then —
    /// only if that run finished — deletes every stored document of the company whose id is not among them. This is how a
    /// folder is mirrored: a file removed from the folder disappears from the index on the next sync.</summary>
    /// <param name="documents">The complete set of the company's documents.</param>
    /// <param name="companyId">The company.</param>
    /// <param name="progress">Receives a report after each ingested document (deletions are only in the result).</param>
    /// <param name="cancellationToken">Cancels the sync; a cancelled sync deletes nothing.</param>
    /// <returns>The ingest outcomes in input order, followed by one <see cref="DocumentStatus.Deleted"/> outcome per removed document.</returns>
    /// <exception cref="ArgumentException">Two documents share an id.</exception>
    /// <exception cref="InvalidIdentifierException">The company id is not valid.</exception>
    /// <exception cref="UnsupportedDocumentFormatException">A document has an unsupported extension (unless <see cref="DocumentIngestorOptions.ContinueOnDocumentError"/>); nothing is deleted.</exception>
    /// <exception cref="DocumentExtractionException">A document is unreadable or corrupt (unless <see cref="DocumentIngestorOptions.ContinueOnDocumentError"/>); nothing is deleted.</exception>
    /// <exception cref="OperationCanceledException">The sync was cancelled.</exception>
    public async Task<IngestResult> SyncAsync(IEnumerable<SourceDocument> documents, string companyId, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        Werkly.VectorIndex.Exceptions.InvalidIdentifierException.ThrowIfInvalidCompanyId(companyId);
        var list = documents.ToList();
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var document in list)
        {
            ArgumentNullException.ThrowIfNull(document, nameof(documents));
            if (!keep.Add(document.Id))
                throw new ArgumentException($"Two documents have the id '{document.Id}'; a sync needs unique ids.", nameof(documents));
        }
        var ingested = await IngestAsync(list, companyId, progress, cancellationToken).ConfigureAwait(false);
        var stale = new List<string>();
        await foreach (var id in _sink.ListDocumentIdsAsync(companyId, cancellationToken).ConfigureAwait(false))
        {
            if (!keep.Contains(id))
                stale.Add(id);
        }
        stale.Sort(StringComparer.Ordinal);
        var outcomes = new List<DocumentOutcome>(ingested.Documents);
        foreach (var id in stale)
        {
            if (await _sink.DeleteDocumentAsync(companyId, id, cancellationToken).ConfigureAwait(false))
                outcomes.Add(new DocumentOutcome(companyId, id, DocumentStatus.Deleted));
        }
        return ingested with { Documents = outcomes };
    }

    /// <summary>What ingesting (or, with <paramref name="sync"/>, syncing) <paramref name="documents"/> would do, document by
    /// document and why, without embedding or writing anything: each document is extracted, hashed and compared with the
    /// stored hash, and chunked when it would be written.</summary>
    /// <param name="documents">The documents.</param>
    /// <param name="companyId">The company.</param>
    /// <param name="sync">Also list the stored documents a <see cref="SyncAsync"/> would delete because they are not in <paramref name="documents"/>.</param>
    /// <param name="cancellationToken">Cancels the planning.</param>
    /// <returns>The plan: unreadable and unsupported documents are planned as skipped (with the error as the reason), whatever
    /// <see cref="DocumentIngestorOptions.ContinueOnDocumentError"/> says.</returns>
    /// <exception cref="InvalidIdentifierException">The company id is not valid.</exception>
    public async Task<IngestPlan> PlanAsync(IEnumerable<SourceDocument> documents, string companyId, bool sync = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        Werkly.VectorIndex.Exceptions.InvalidIdentifierException.ThrowIfInvalidCompanyId(companyId);
        var planned = new List<PlannedDocument>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var document in documents)
        {
            ArgumentNullException.ThrowIfNull(document, nameof(documents));
            seen.Add(document.Id);
            planned.Add(await Pipeline.PlanAsync(companyId, document, cancellationToken).ConfigureAwait(false));
        }
        if (sync)
        {
            var stale = new List<string>();
            await foreach (var id in _sink.ListDocumentIdsAsync(companyId, cancellationToken).ConfigureAwait(false))
            {
                if (!seen.Contains(id))
                    stale.Add(id);
            }
            stale.Sort(StringComparer.Ordinal);
            planned.AddRange(stale.Select(id => new PlannedDocument(id, PlannedAction.Delete, "no longer in the input")));
        }
        return new IngestPlan(planned);
    }

    /// <summary>Removes a document's chunks.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="documentId">The document id.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns><see langword="true"/> if the document existed.</returns>
    /// <exception cref="InvalidIdentifierException">The company id is not valid.</exception>
    public ValueTask<bool> DeleteDocumentAsync(string companyId, string documentId, CancellationToken cancellationToken = default)
    {
        Werkly.VectorIndex.Exceptions.InvalidIdentifierException.ThrowIfInvalidCompanyId(companyId);
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        return _sink.DeleteDocumentAsync(companyId, documentId, cancellationToken);
    }

    private async Task<IngestResult> RunAsync(IAsyncEnumerable<SourceDocument> documents, int? total, string companyId, IProgress<IngestProgress>? progress, CancellationToken cancellationToken)
    {
        Werkly.VectorIndex.Exceptions.InvalidIdentifierException.ThrowIfInvalidCompanyId(companyId);
        var outcomes = new List<DocumentOutcome>(total ?? 16);
        var observer = new RunObserver
        {
            Progress = progress,
            Completed = (_, outcome) =>
            {
                outcomes.Add(outcome);
                return ValueTask.CompletedTask;
            },
        };
        await Pipeline.RunAsync(Number(documents, companyId, total, cancellationToken), _options.ContinueOnDocumentError, observer, cancellationToken).ConfigureAwait(false);
        return new IngestResult(outcomes, observer.ChunksWritten, observer.Clock.Elapsed, System.Diagnostics.Stopwatch.GetElapsedTime(0, observer.EmbeddingTicks))
        {
            ChunksTruncated = observer.ChunksTruncated,
        };
    }

    private static async IAsyncEnumerable<WorkItem> Number(IAsyncEnumerable<SourceDocument> documents, string companyId, int? total, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var number = 0;
        await foreach (var document in documents.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            ArgumentNullException.ThrowIfNull(document, nameof(documents));
            yield return new WorkItem(companyId, document, document.Id, ++number, total);
        }
    }
}
