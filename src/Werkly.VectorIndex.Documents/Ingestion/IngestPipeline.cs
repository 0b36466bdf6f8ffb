using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Exceptions;
using Werkly.VectorIndex.Documents.Extraction;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Documents.Ingestion;

/// <summary>One unit of work: ingest or delete one document of one company.</summary>
internal sealed record WorkItem(string CompanyId, SourceDocument? Document, string DocumentId, int Number, int? Total, object? State = null)
{
    public bool IsDelete => Document is null;
}

/// <summary>Callbacks and counters of one pipeline run.</summary>
internal sealed class RunObserver
{
    public Action<WorkItem>? Started { get; init; }
    public Func<WorkItem, DocumentOutcome, ValueTask>? Completed { get; init; }
    public IProgress<IngestProgress>? Progress { get; init; }
    public Stopwatch Clock { get; } = Stopwatch.StartNew();
    public long EmbeddingTicks;
    public long ChunksWritten;
    public long ChunksEmbedded;
    public long FirstEmbeddingTimestamp; // Stopwatch timestamp of the first embedding call; 0 until then
    public long ChunksTruncated;
    public int Ingested, Unchanged, Failed;
}

/// <summary>The three-stage pipeline behind <see cref="DocumentIngestor"/> and <see cref="BackgroundIngestor"/>:
/// prepare (extract, hash, compare, chunk) → embed (batches across documents) → write (atomic per document), joined
/// by bounded channels so chunking of the next documents overlaps embedding of the current batch.</summary>
internal sealed class IngestPipeline
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly IChunkSink _sink;
    private readonly DocumentIngestorOptions _options;
    private readonly string _hashSalt;
    private readonly IChunker _chunker;
    private int _dimensions; // fixed by the first embedding; 0 until then

    public IngestPipeline(IEmbeddingGenerator<string, Embedding<float>> generator, IChunkSink sink, DocumentIngestorOptions options)
    {
        _generator = generator;
        _sink = sink;
        _options = options;
        _chunker = ModelSizing.For(options.Chunker, generator);
        var metadata = generator.GetService(typeof(EmbeddingGeneratorMetadata)) as EmbeddingGeneratorMetadata;
        _hashSalt = $"{_chunker.Fingerprint}|{metadata?.ProviderName}|{metadata?.DefaultModelId}|{metadata?.DefaultModelDimensions}|{options.EmbeddingOptions?.ModelId}|{options.EmbeddingOptions?.Dimensions}|headings={options.EmbedHeadingPath}";
    }

    public async Task RunAsync(IAsyncEnumerable<WorkItem> items, bool continueOnError, RunObserver observer, CancellationToken cancellationToken)
    {
        using var activity = IngestTelemetry.Source.StartActivity("werkly.ingest");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = cts.Token;
        var prepared = Channel.CreateBounded<Job>(new BoundedChannelOptions(_options.PrefetchDocuments) { SingleReader = true, SingleWriter = true });
        var embedded = Channel.CreateBounded<Job>(new BoundedChannelOptions(_options.PrefetchDocuments) { SingleReader = true, SingleWriter = true });
        var stages = new[]
        {
            Stage(() => PrepareAsync(items, prepared.Writer, continueOnError, observer, token), prepared.Writer, cts),
            Stage(() => EmbedAsync(prepared.Reader, embedded.Writer, continueOnError, observer, token), embedded.Writer, cts),
            Stage(() => WriteAsync(embedded.Reader, continueOnError, observer, token), null, cts),
        };
        try
        {
            await Task.WhenAll(stages).ConfigureAwait(false);
        }
        catch
        {
            // The first real failure wins over the cancellations it caused in the other stages.
            var failure = stages.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions)
                .FirstOrDefault(e => e is not OperationCanceledException);
            cancellationToken.ThrowIfCancellationRequested();
            if (failure is not null)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            throw;
        }
    }

    private static Task Stage(Func<Task> body, ChannelWriter<Job>? output, CancellationTokenSource cts) => Task.Run(async () =>
    {
        try
        {
            await body().ConfigureAwait(false);
            output?.TryComplete();
        }
        catch (Exception e)
        {
            output?.TryComplete(e);
            await cts.CancelAsync().ConfigureAwait(false);
            throw;
        }
    });

    // ---- Stage 1: extract, hash, skip unchanged, chunk ------------------------------------------------------------

    private async Task PrepareAsync(IAsyncEnumerable<WorkItem> items, ChannelWriter<Job> output, bool continueOnError, RunObserver observer, CancellationToken token)
    {
        await foreach (var item in items.WithCancellation(token).ConfigureAwait(false))
        {
            observer.Started?.Invoke(item);
            var job = new Job(item);
            if (!item.IsDelete)
            {
                try
                {
                    await PrepareDocumentAsync(job, token).ConfigureAwait(false);
                }
                catch (Exception e) when (continueOnError && IsDocumentError(e, token))
                {
                    job.Fail(e);
                }
                catch (Exception e) when (e is UnsupportedDocumentFormatException or DocumentExtractionException)
                {
                    // Stop at this document, but only after everything before it is written: the writer rethrows it in order.
                    job.Fail(e);
                    job.StopsRun = true;
                }
            }
            await output.WriteAsync(job, token).ConfigureAwait(false);
            if (job.StopsRun)
                break;
        }
    }

    private async Task PrepareDocumentAsync(Job job, CancellationToken token)
    {
        var item = job.Item;
        var extracted = await _options.Extractor.ExtractAsync(item.Document!, token).ConfigureAwait(false);
        job.Warnings = extracted.Warnings;
        var stored = await _sink.GetDocumentHashAsync(item.CompanyId, item.DocumentId, token).ConfigureAwait(false);
        if (extracted.IsEmpty)
        {
            // Nothing to search: nothing is stored, and an earlier version is removed (in order, by the write stage).
            if (stored is null)
                job.Outcome = new DocumentOutcome(item.CompanyId, item.DocumentId, DocumentStatus.Empty);
            else
                job.RemovesStored = true;
            return;
        }
        var hash = ContentHash.Compute(extracted.Text, _hashSalt);
        job.ContentHash = hash;
        if (string.Equals(stored, hash, StringComparison.Ordinal))
        {
            job.Outcome = new DocumentOutcome(item.CompanyId, item.DocumentId, DocumentStatus.Unchanged, 0, hash);
            return;
        }
        var chunks = _chunker.Chunk(item.DocumentId, extracted);
        job.Chunks = chunks;
        job.Vectors = new ReadOnlyMemory<float>[chunks.Count];
    }

    /// <summary>What the prepare stage would decide for <paramref name="document"/>, and what the write stage would do.</summary>
    public async Task<PlannedDocument> PlanAsync(string companyId, SourceDocument document, CancellationToken token)
    {
        ExtractedDocument extracted;
        try
        {
            extracted = await _options.Extractor.ExtractAsync(document, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is UnsupportedDocumentFormatException or DocumentExtractionException)
        {
            return new PlannedDocument(document.Id, PlannedAction.Skip, e.Message);
        }
        var stored = await _sink.GetDocumentHashAsync(companyId, document.Id, token).ConfigureAwait(false);
        PlannedDocument plan;
        if (extracted.IsEmpty)
        {
            plan = stored is null
                ? new PlannedDocument(document.Id, PlannedAction.Skip, "empty: no text to index")
                : new PlannedDocument(document.Id, PlannedAction.Delete, "empty now: the stored version would be removed");
        }
        else if (string.Equals(stored, ContentHash.Compute(extracted.Text, _hashSalt), StringComparison.Ordinal))
        {
            plan = new PlannedDocument(document.Id, PlannedAction.Skip, "unchanged (same content hash)");
        }
        else
        {
            var chunks = _chunker.Chunk(document.Id, extracted).Count;
            plan = stored is null
                ? new PlannedDocument(document.Id, PlannedAction.Add, "new", chunks)
                : new PlannedDocument(document.Id, PlannedAction.Replace, "content (or chunking/model settings) changed", chunks);
        }
        return plan with { Warnings = extracted.Warnings };
    }

    private static bool IsDocumentError(Exception e, CancellationToken token) =>
        !(e is OperationCanceledException && token.IsCancellationRequested) && e is not OutOfMemoryException;

    // ---- Stage 2: embed in batches that span documents --------------------------------------------------------------

    private async Task EmbedAsync(ChannelReader<Job> input, ChannelWriter<Job> output, bool continueOnError, RunObserver observer, CancellationToken token)
    {
        var batchSize = _options.EmbeddingBatchSize;
        var inFlight = new Queue<Job>();   // every job in input order, until it is complete and passed on
        var calls = new Queue<(Task<ReadOnlyMemory<float>[]> Vectors, (Job Job, int Index)[] Batch)>(); // embedding calls in flight, oldest first
        var maxCalls = _options.MaxConcurrentEmbeddingCalls;
        var batch = new List<(Job Job, int Index)>(batchSize);
        Job? current = null;
        var nextChunk = 0;
        try
        {
            while (true)
            {
                // Fill the batch from the current document, then the next ones; send a partial batch rather than wait.
                var more = true;
                while (batch.Count < batchSize)
                {
                    if (current is not null && !current.IsComplete && nextChunk < current.Chunks!.Count)
                    {
                        batch.Add((current, nextChunk++));
                        continue;
                    }
                    current = null;
                    if (input.TryRead(out var job))
                    {
                        inFlight.Enqueue(job);
                        if (!job.IsComplete)
                        {
                            current = job;
                            nextChunk = 0;
                        }
                        continue;
                    }
                    if (batch.Count > 0)
                        break;
                    // Nothing to send: finish the calls in flight and pass on what they completed before waiting for input.
                    while (calls.Count > 0)
                        await ApplyOldestAsync(calls, continueOnError, observer, token).ConfigureAwait(false);
                    await PassCompletedAsync(inFlight, output, token).ConfigureAwait(false);
                    if (!await input.WaitToReadAsync(token).ConfigureAwait(false))
                    {
                        more = false;
                        break;
                    }
                }
                if (batch.Count > 0)
                {
                    var items = batch.ToArray();
                    batch.Clear();
                    var texts = new List<string>(items.Length);
                    foreach (var (job, index) in items)
                        texts.Add(job.Chunks![index].EmbeddingText(_options.EmbedHeadingPath));
                    // One call at a time runs inline; several run on the pool, since a local model may compute synchronously.
                    calls.Enqueue((maxCalls == 1 ? EmbedBatchAsync(texts, observer, token) : Task.Run(() => EmbedBatchAsync(texts, observer, token), token), items));
                    while (calls.Count >= maxCalls)
                        await ApplyOldestAsync(calls, continueOnError, observer, token).ConfigureAwait(false);
                }
                await PassCompletedAsync(inFlight, output, token).ConfigureAwait(false);
                if (!more)
                    break;
            }
        }
        catch
        {
            // Observe the calls still in flight (they end with the cancellation this failure triggers).
            foreach (var (vectors, _) in calls)
                _ = vectors.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
        if (inFlight.Count > 0 || calls.Count > 0)
            throw new InvalidOperationException("Internal error: documents left unembedded at the end of the run.");
    }

    private static async ValueTask ApplyOldestAsync(Queue<(Task<ReadOnlyMemory<float>[]> Vectors, (Job Job, int Index)[] Batch)> calls, bool continueOnError,
        RunObserver observer, CancellationToken token)
    {
        var (task, items) = calls.Dequeue();
        try
        {
            var vectors = await task.ConfigureAwait(false);
            for (var i = 0; i < items.Length; i++)
                items[i].Job.SetVector(items[i].Index, vectors[i]);
            Interlocked.Add(ref observer.ChunksEmbedded, items.Length);
            ReportLongDocument(items[^1].Job, observer);
        }
        catch (Exception e) when (continueOnError && IsDocumentError(e, token))
        {
            foreach (var (job, _) in items)
                job.Fail(e);
        }
    }

    /// <summary>A progress report while a document that spans several embedding batches is still being embedded, so that
    /// a long document shows chunks going by (and an estimate of the time left) instead of standing at "0%".</summary>
    private static void ReportLongDocument(Job job, RunObserver observer)
    {
        if (observer.Progress is null || job.IsComplete || job.Chunks is null)
            return;
        var embedded = Interlocked.Read(ref observer.ChunksEmbedded);
        var since = Interlocked.Read(ref observer.FirstEmbeddingTimestamp);
        var seconds = since == 0 ? 0 : Stopwatch.GetElapsedTime(since).TotalSeconds;
        TimeSpan? remaining = seconds > 0 && embedded > 0
            ? TimeSpan.FromSeconds((job.Chunks.Count - job.EmbeddedCount) * seconds / embedded)
            : null;
        observer.Progress.Report(new IngestProgress(job.Item.Number, job.Item.Total,
            new DocumentOutcome(job.Item.CompanyId, job.Item.DocumentId, DocumentStatus.Processing), observer.Ingested, observer.Unchanged,
            observer.Failed, Interlocked.Read(ref observer.ChunksWritten), observer.Clock.Elapsed)
        {
            DocumentChunksEmbedded = job.EmbeddedCount,
            DocumentChunkCount = job.Chunks.Count,
            ChunksEmbedded = embedded,
            DocumentTimeRemaining = remaining,
            ChunksTruncated = Interlocked.Read(ref observer.ChunksTruncated),
        });
    }

    private static async ValueTask PassCompletedAsync(Queue<Job> inFlight, ChannelWriter<Job> output, CancellationToken token)
    {
        while (inFlight.Count > 0 && inFlight.Peek().IsComplete)
            await output.WriteAsync(inFlight.Dequeue(), token).ConfigureAwait(false);
    }

    private async Task<ReadOnlyMemory<float>[]> EmbedBatchAsync(List<string> texts, RunObserver observer, CancellationToken token)
    {
        using var activity = IngestTelemetry.Source.StartActivity("werkly.ingest.embed");
        activity?.SetTag("werkly.batch.size", texts.Count);
        var started = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref observer.FirstEmbeddingTimestamp, started, 0);
        var embeddings = await _generator.GenerateAsync(texts, _options.EmbeddingOptions, token).ConfigureAwait(false);
        var elapsed = Stopwatch.GetTimestamp() - started;
        Interlocked.Add(ref observer.EmbeddingTicks, elapsed);
        IngestTelemetry.EmbeddingDuration.Record((double)elapsed / Stopwatch.Frequency);
        if (embeddings is null || embeddings.Count != texts.Count)
            throw new InvalidOperationException($"The embedding generator returned {embeddings?.Count ?? 0} embeddings for {texts.Count} inputs.");
        if (embeddings.Usage?.AdditionalCounts?.TryGetValue(ModelSizing.TruncatedInputsKey, out var truncated) == true)
            Interlocked.Add(ref observer.ChunksTruncated, truncated);
        var vectors = new ReadOnlyMemory<float>[texts.Count];
        for (var i = 0; i < vectors.Length; i++)
        {
            var vector = embeddings[i].Vector;
            // The first vector fixes the dimensions for the ingestor's lifetime (runs may share it, hence the CAS).
            var expected = Interlocked.CompareExchange(ref _dimensions, vector.Length, 0);
            if (expected == 0)
                expected = vector.Length;
            if (vector.Length == 0 || vector.Length != expected)
                throw new DimensionMismatchException(expected, vector.Length);
            foreach (var x in vector.Span)
            {
                if (!float.IsFinite(x))
                    throw new InvalidVectorException($"The embedding generator returned a vector with a non-finite value ({x}) for chunk text starting '{Preview(texts[i])}'.");
            }
            vectors[i] = vector;
        }
        return vectors;
    }

    private static string Preview(string text) => text.Length <= 40 ? text : text[..40] + "…";

    // ---- Stage 3: write whole documents, report in input order -----------------------------------------------------

    private async Task WriteAsync(ChannelReader<Job> input, bool continueOnError, RunObserver observer, CancellationToken token)
    {
        var group = new List<Job>();
        while (await input.WaitToReadAsync(token).ConfigureAwait(false))
        {
            // Take whatever is ready, then write consecutive documents of one company in one sink call.
            group.Clear();
            var chunkBudget = Math.Max(_options.EmbeddingBatchSize * 4, 256);
            while (chunkBudget > 0 && input.TryRead(out var job))
            {
                group.Add(job);
                chunkBudget -= Math.Max(1, job.Chunks?.Count ?? 0);
            }
            var i = 0;
            while (i < group.Count)
            {
                var job = group[i];
                if (job.StopsRun)
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(job.Outcome!.Error!);
                if (job.Outcome is not null)
                {
                    await FinishAsync(job, job.Outcome, observer).ConfigureAwait(false);
                    i++;
                }
                else if (job.Item.IsDelete || job.RemovesStored)
                {
                    var outcome = await DeleteAsync(job.Item, continueOnError, token).ConfigureAwait(false);
                    if (job.RemovesStored && outcome.Status != DocumentStatus.Failed)
                        outcome = outcome with { Status = DocumentStatus.Empty };
                    await FinishAsync(job, outcome, observer).ConfigureAwait(false);
                    i++;
                }
                else
                {
                    var j = i + 1;
                    while (j < group.Count && group[j].Outcome is null && !group[j].Item.IsDelete && !group[j].RemovesStored
                           && string.Equals(group[j].Item.CompanyId, job.Item.CompanyId, StringComparison.Ordinal))
                        j++;
                    await ReplaceAsync(group, i, j, continueOnError, observer, token).ConfigureAwait(false);
                    i = j;
                }
            }
        }
    }

    private async Task ReplaceAsync(List<Job> group, int from, int to, bool continueOnError, RunObserver observer, CancellationToken token)
    {
        var replacements = new DocumentReplacement[to - from];
        for (var k = from; k < to; k++)
        {
            var job = group[k];
            var chunks = new EmbeddedChunk[job.Chunks!.Count];
            for (var c = 0; c < chunks.Length; c++)
                chunks[c] = new EmbeddedChunk(job.Chunks[c], job.Vectors![c]);
            replacements[k - from] = new DocumentReplacement(job.Item.DocumentId, job.ContentHash!, chunks);
        }
        Exception? error = null;
        try
        {
            await _sink.ReplaceDocumentsAsync(group[from].Item.CompanyId, replacements, token).ConfigureAwait(false);
        }
        catch (Exception e) when (continueOnError && IsDocumentError(e, token))
        {
            error = e;
        }
        for (var k = from; k < to; k++)
        {
            var job = group[k];
            var outcome = error is null
                ? new DocumentOutcome(job.Item.CompanyId, job.Item.DocumentId, DocumentStatus.Ingested, job.Chunks!.Count, job.ContentHash)
                : new DocumentOutcome(job.Item.CompanyId, job.Item.DocumentId, DocumentStatus.Failed, 0, job.ContentHash, error);
            if (error is null)
                Interlocked.Add(ref observer.ChunksWritten, job.Chunks!.Count);
            await FinishAsync(job, outcome, observer).ConfigureAwait(false);
        }
    }

    private async Task<DocumentOutcome> DeleteAsync(WorkItem item, bool continueOnError, CancellationToken token)
    {
        try
        {
            var existed = await _sink.DeleteDocumentAsync(item.CompanyId, item.DocumentId, token).ConfigureAwait(false);
            return new DocumentOutcome(item.CompanyId, item.DocumentId, existed ? DocumentStatus.Deleted : DocumentStatus.NotFound);
        }
        catch (Exception e) when (continueOnError && IsDocumentError(e, token))
        {
            return new DocumentOutcome(item.CompanyId, item.DocumentId, DocumentStatus.Failed, Error: e);
        }
    }

    private static async ValueTask FinishAsync(Job job, DocumentOutcome outcome, RunObserver observer)
    {
        if (job.Warnings.Count > 0)
            outcome = outcome with { Warnings = job.Warnings };
        IngestTelemetry.Documents.Add(1, new KeyValuePair<string, object?>("status", StatusTag(outcome.Status)));
        if (outcome.ChunkCount > 0)
            IngestTelemetry.Chunks.Add(outcome.ChunkCount);
        switch (outcome.Status)
        {
            case DocumentStatus.Ingested: observer.Ingested++; break;
            case DocumentStatus.Unchanged: observer.Unchanged++; break;
            case DocumentStatus.Failed: observer.Failed++; break;
        }
        if (observer.Completed is not null)
            await observer.Completed(job.Item, outcome).ConfigureAwait(false);
        var chunks = job.Chunks?.Count ?? 0;
        observer.Progress?.Report(new IngestProgress(job.Item.Number, job.Item.Total, outcome, observer.Ingested, observer.Unchanged,
            observer.Failed, Interlocked.Read(ref observer.ChunksWritten), observer.Clock.Elapsed)
        {
            DocumentChunksEmbedded = job.EmbeddedCount,
            DocumentChunkCount = chunks,
            ChunksEmbedded = Interlocked.Read(ref observer.ChunksEmbedded),
            DocumentTimeRemaining = TimeSpan.Zero,
            ChunksTruncated = Interlocked.Read(ref observer.ChunksTruncated),
        });
    }

    private static string StatusTag(DocumentStatus status) => status switch
    {
        DocumentStatus.Ingested => "ingested",
        DocumentStatus.Unchanged => "unchanged",
        DocumentStatus.Deleted => "deleted",
        DocumentStatus.NotFound => "not_found",
        DocumentStatus.Failed => "failed",
        DocumentStatus.Canceled => "canceled",
        DocumentStatus.Empty => "empty",
        _ => "other",
    };

    /// <summary>One document on its way through the stages.</summary>
    private sealed class Job(WorkItem item)
    {
        private int _embedded;

        public WorkItem Item { get; } = item;
        public string? ContentHash { get; set; }
        public IReadOnlyList<DocumentChunk>? Chunks { get; set; }
        public ReadOnlyMemory<float>[]? Vectors { get; set; }

        /// <summary>What extraction warned about.</summary>
        public IReadOnlyList<string> Warnings { get; set; } = [];

        /// <summary>The document is empty now and an earlier version is stored: the write stage deletes it.</summary>
        public bool RemovesStored { get; set; }

        /// <summary>A document error that ends the run once everything before it is written.</summary>
        public bool StopsRun { get; set; }

        /// <summary>Set when the job needs no embedding: unchanged, failed.</summary>
        public DocumentOutcome? Outcome { get; set; }

        public bool IsComplete => Outcome is not null || Item.IsDelete || RemovesStored || _embedded == Chunks!.Count;

        /// <summary>Chunks embedded so far (read by the progress report while the embedding stage writes it).</summary>
        public int EmbeddedCount => Volatile.Read(ref _embedded);

        public void SetVector(int index, ReadOnlyMemory<float> vector)
        {
            if (Outcome is not null)
                return;
            Vectors![index] = vector;
            _embedded++;
        }

        public void Fail(Exception error)
        {
            Outcome ??= new DocumentOutcome(Item.CompanyId, Item.DocumentId, DocumentStatus.Failed, 0, ContentHash, error);
        }
    }
}
