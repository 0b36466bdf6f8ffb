using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace Werkly.VectorIndex.Documents.Ingestion;

/// <summary>A handle on one queued document: poll <see cref="Status"/>, or await <see cref="Completion"/>.</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class IngestTicket
{
    private readonly TaskCompletionSource<DocumentOutcome> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile DocumentOutcome? _outcome;
    private int _status = (int)DocumentStatus.Queued;

    internal IngestTicket(string companyId, string documentId, long sequence)
    {
        CompanyId = companyId;
        DocumentId = documentId;
        Sequence = sequence;
    }

    /// <summary>The company.</summary>
    public string CompanyId { get; }

    /// <summary>The document id.</summary>
    public string DocumentId { get; }

    /// <summary>The 1-based order in which the request was accepted.</summary>
    public long Sequence { get; }

    /// <summary>Where the document is now: <see cref="DocumentStatus.Queued"/>, <see cref="DocumentStatus.Processing"/>, or how it ended.</summary>
    public DocumentStatus Status => (DocumentStatus)Volatile.Read(ref _status);

    /// <summary>How it ended, or <see langword="null"/> while queued or processing.</summary>
    public DocumentOutcome? Outcome => _outcome;

    /// <summary>Completes when the document is done: with its outcome (<see cref="DocumentStatus.Ingested"/>,
    /// <see cref="DocumentStatus.Unchanged"/>, <see cref="DocumentStatus.Empty"/>, <see cref="DocumentStatus.Deleted"/> or <see cref="DocumentStatus.NotFound"/>);
    /// faulted with the document's typed exception when it failed; cancelled when the ingestor stopped before reaching it.</summary>
    public Task<DocumentOutcome> Completion => _completion.Task;

    internal void MarkProcessing() => Interlocked.CompareExchange(ref _status, (int)DocumentStatus.Processing, (int)DocumentStatus.Queued);

    internal void Complete(DocumentOutcome outcome)
    {
        _outcome = outcome;
        Volatile.Write(ref _status, (int)outcome.Status);
        if (outcome.Status == DocumentStatus.Failed)
            _completion.TrySetException(outcome.Error ?? new InvalidOperationException($"Document '{DocumentId}' failed."));
        else if (outcome.Status == DocumentStatus.Canceled)
            _completion.TrySetCanceled();
        else
            _completion.TrySetResult(outcome);
    }
}

/// <summary>Counts of a <see cref="BackgroundIngestor"/>'s requests by state.</summary>
/// <param name="Queued">Accepted, not started.</param>
/// <param name="Processing">In the pipeline.</param>
/// <param name="Succeeded">Finished as ingested, unchanged, deleted or not found.</param>
/// <param name="Failed">Finished as failed.</param>
/// <param name="Canceled">Dropped because the ingestor stopped.</param>
public readonly record struct BackgroundIngestStatus(int Queued, int Processing, int Succeeded, int Failed, int Canceled);

/// <summary>Background ingestion: <see cref="TryEnqueue"/> and <see cref="EnqueueAsync"/> return at once with an
/// <see cref="IngestTicket"/>, and one worker runs the <see cref="DocumentIngestor"/> pipeline over the queue.</summary>
/// <remarks>
/// <para>The queue is a bounded <see cref="Channel{T}"/>: when it is full, <see cref="TryEnqueue"/> returns
/// <see langword="false"/> and <see cref="EnqueueAsync"/> waits for room — back-pressure instead of unbounded memory.</para>
/// <para>Requests are processed in the order they were accepted, across companies; a failed document (unsupported,
/// corrupt, embedding error) fails only its own ticket. Deletes queued with <see cref="EnqueueDeleteAsync"/> are ordered
/// with ingests, so "ingest v1, delete" always ends deleted.</para>
/// <para>Thread-safe: any number of threads may enqueue and poll. <see cref="CompleteAsync"/> drains the queue;
/// <see cref="DisposeAsync"/> stops at once and cancels what has not been written.</para>
/// </remarks>
public sealed class BackgroundIngestor : IAsyncDisposable
{
    private readonly Channel<WorkItem> _queue;
    private readonly ConcurrentDictionary<(string Company, string Document), IngestTicket> _latest = new();
    private readonly ConcurrentDictionary<long, IngestTicket> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private long _sequence;
    private int _succeeded, _failed, _canceled, _processing;

    /// <summary>Starts the worker.</summary>
    /// <param name="ingestor">The pipeline to run (its <see cref="DocumentIngestorOptions.ContinueOnDocumentError"/> is ignored:
    /// in the background a failing document always fails only its own ticket).</param>
    /// <param name="capacity">How many requests may wait in the queue (1 to 1,048,576; default 1,024).</param>
    /// <param name="progress">Receives a report after each document; the total is unknown, so <see cref="IngestProgress.DocumentCount"/> is null.</param>
    public BackgroundIngestor(DocumentIngestor ingestor, int capacity = 1024, IProgress<IngestProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(ingestor);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 20);
        Capacity = capacity;
        _queue = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var observer = new RunObserver
        {
            Progress = progress,
            Started = item =>
            {
                var ticket = (IngestTicket)item.State!;
                ticket.MarkProcessing();
                Interlocked.Increment(ref _processing);
            },
            Completed = (item, outcome) =>
            {
                Interlocked.Decrement(ref _processing);
                Finish((IngestTicket)item.State!, outcome);
                return ValueTask.CompletedTask;
            },
        };
        _worker = Task.Run(() => RunAsync(ingestor.Pipeline, observer));
    }

    /// <summary>How many requests the queue holds at most.</summary>
    public int Capacity { get; }

    /// <summary>Counts of requests by state.</summary>
    public BackgroundIngestStatus Status
    {
        get
        {
            var processing = Volatile.Read(ref _processing);
            return new BackgroundIngestStatus(Math.Max(0, _pending.Count - processing), processing, Volatile.Read(ref _succeeded), Volatile.Read(ref _failed), Volatile.Read(ref _canceled));
        }
    }

    /// <summary>Queues a document without waiting.</summary>
    /// <param name="document">The document.</param>
    /// <param name="companyId">The company.</param>
    /// <param name="ticket">The request's ticket, when accepted.</param>
    /// <returns><see langword="false"/> when the queue is full.</returns>
    /// <exception cref="Werkly.VectorIndex.Exceptions.InvalidIdentifierException">The company id is not valid.</exception>
    /// <exception cref="InvalidOperationException">The ingestor is completing or disposed.</exception>
    public bool TryEnqueue(SourceDocument document, string companyId, [NotNullWhen(true)] out IngestTicket? ticket)
    {
        ArgumentNullException.ThrowIfNull(document);
        return TryAdd(companyId, document, document.Id, out ticket);
    }

    /// <summary>Queues a document, waiting only while the queue is full.</summary>
    /// <param name="document">The document.</param>
    /// <param name="companyId">The company.</param>
    /// <param name="cancellationToken">Cancels the wait for room (not the ingestion).</param>
    /// <returns>The request's ticket.</returns>
    /// <exception cref="Werkly.VectorIndex.Exceptions.InvalidIdentifierException">The company id is not valid.</exception>
    /// <exception cref="InvalidOperationException">The ingestor is completing or disposed.</exception>
    public ValueTask<IngestTicket> EnqueueAsync(SourceDocument document, string companyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        return AddAsync(companyId, document, document.Id, cancellationToken);
    }

    /// <summary>Queues the deletion of a document, ordered after everything queued before it.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="documentId">The document id.</param>
    /// <param name="cancellationToken">Cancels the wait for room.</param>
    /// <returns>The request's ticket; it ends <see cref="DocumentStatus.Deleted"/> or <see cref="DocumentStatus.NotFound"/>.</returns>
    public ValueTask<IngestTicket> EnqueueDeleteAsync(string companyId, string documentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        return AddAsync(companyId, null, documentId, cancellationToken);
    }

    /// <summary>The most recent request for a document, or <see langword="null"/> if none was made.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="documentId">The document id.</param>
    public IngestTicket? GetTicket(string companyId, string documentId) =>
        _latest.TryGetValue((companyId, documentId), out var ticket) ? ticket : null;

    /// <summary>Stops accepting requests and waits until everything queued is done.</summary>
    /// <param name="cancellationToken">Stops waiting (the work goes on; call <see cref="DisposeAsync"/> to stop it).</param>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        _queue.Writer.TryComplete();
        await _worker.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops at once: requests not yet written end <see cref="DocumentStatus.Canceled"/> (their documents untouched).</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _worker.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private bool TryAdd(string companyId, SourceDocument? document, string documentId, [NotNullWhen(true)] out IngestTicket? ticket)
    {
        var item = NewItem(companyId, document, documentId, out ticket);
        if (_queue.Writer.TryWrite(item))
            return Accepted(ticket);
        if (_stop.IsCancellationRequested || _queue.Reader.Completion.IsCompleted)
            throw Closed();
        ticket = null;
        return false;
    }

    private async ValueTask<IngestTicket> AddAsync(string companyId, SourceDocument? document, string documentId, CancellationToken cancellationToken)
    {
        var item = NewItem(companyId, document, documentId, out var ticket);
        try
        {
            await _queue.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw Closed();
        }
        Accepted(ticket);
        return ticket;
    }

    private WorkItem NewItem(string companyId, SourceDocument? document, string documentId, out IngestTicket ticket)
    {
        Werkly.VectorIndex.Exceptions.InvalidIdentifierException.ThrowIfInvalidCompanyId(companyId);
        var sequence = Interlocked.Increment(ref _sequence);
        ticket = new IngestTicket(companyId, documentId, sequence);
        return new WorkItem(companyId, document, documentId, checked((int)Math.Min(sequence, int.MaxValue)), null, ticket);
    }

    private bool Accepted(IngestTicket ticket)
    {
        // Registered after the write succeeded; the worker may already have finished it, so only add if still open.
        _latest.AddOrUpdate((ticket.CompanyId, ticket.DocumentId), ticket, (_, old) => old.Sequence > ticket.Sequence ? old : ticket);
        if (ticket.Outcome is null)
        {
            _pending[ticket.Sequence] = ticket;
            if (ticket.Outcome is not null)
                _pending.TryRemove(ticket.Sequence, out _);
        }
        return true;
    }

    private void Finish(IngestTicket ticket, DocumentOutcome outcome)
    {
        ticket.Complete(outcome);
        _pending.TryRemove(ticket.Sequence, out _);
        switch (outcome.Status)
        {
            case DocumentStatus.Failed: Interlocked.Increment(ref _failed); break;
            case DocumentStatus.Canceled: Interlocked.Increment(ref _canceled); break;
            default: Interlocked.Increment(ref _succeeded); break;
        }
    }

    private async Task RunAsync(IngestPipeline pipeline, RunObserver observer)
    {
        Exception? fatal = null;
        try
        {
            await pipeline.RunAsync(_queue.Reader.ReadAllAsync(_stop.Token), continueOnError: true, observer, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            fatal = e; // a bug or an unrecoverable sink error: fail what is left rather than hang the tickets
        }
        _queue.Writer.TryComplete();
        // Everything not finished — in the pipeline or still queued — ends here.
        while (_queue.Reader.TryRead(out var item))
            Abandon((IngestTicket)item.State!, fatal);
        foreach (var ticket in _pending.Values.ToArray())
            Abandon(ticket, fatal);
    }

    private void Abandon(IngestTicket ticket, Exception? fatal)
    {
        if (ticket.Outcome is not null)
            return;
        if (ticket.Status == DocumentStatus.Processing)
            Interlocked.Decrement(ref _processing);
        Finish(ticket, new DocumentOutcome(ticket.CompanyId, ticket.DocumentId, fatal is null ? DocumentStatus.Canceled : DocumentStatus.Failed, Error: fatal));
    }

    private static InvalidOperationException Closed() =>
        new("The background ingestor is completing or disposed and accepts no more documents.");
}
