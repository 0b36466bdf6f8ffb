using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Hosting;
using Werkly.VectorIndex.Documents;
using Werkly.VectorIndex.Documents.Ingestion;

namespace Werkly.VectorIndex.Cli.Serve;

/// <summary>One accepted request: the ticket of the <see cref="BackgroundIngestor"/> and what <c>GET /jobs/{id}</c> reports.</summary>
internal sealed class IngestJob(string id, IngestTicket ticket, long bytes)
{
    public string Id { get; } = id;
    public IngestTicket Ticket { get; } = ticket;
    public long Bytes { get; } = bytes;
    public long FinishedOrder { get; set; }

    public JobResponse ToResponse()
    {
        var outcome = Ticket.Outcome;
        return new JobResponse(Id, Ticket.CompanyId, Ticket.DocumentId, StatusName(Ticket.Status), outcome?.ChunkCount ?? 0,
            outcome?.Error?.Message, outcome?.Warnings ?? []);
    }

    public static string StatusName(DocumentStatus status) => status switch
    {
        DocumentStatus.NotFound => "not_found",
        _ => status.ToString().ToLowerInvariant(),
    };
}

/// <summary>
/// The server's ingestion queue: a bounded <see cref="BackgroundIngestor"/> plus a budget of uploaded bytes waiting in
/// memory, and the jobs <c>GET /jobs/{id}</c> reports (finished ones retained up to a limit, oldest forgotten first).
/// </summary>
/// <remarks>Thread-safe. Requests are applied in the order accepted (a delete after an upload of the same document ends deleted).
/// On shutdown (<see cref="StopAsync"/>) the queue is drained, so every accepted request is applied.</remarks>
internal sealed class IngestJobs(BackgroundIngestor ingestor, ServeOptions options) : IHostedService
{
    private readonly ConcurrentDictionary<string, IngestJob> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<IngestJob> _finished = new();
    private long _queuedBytes;
    private long _finishedCount;

    /// <summary>Bytes of uploads accepted and not yet ingested.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>The queue's counts.</summary>
    public BackgroundIngestStatus Status => ingestor.Status;

    /// <summary>The queue's capacity in requests.</summary>
    public int Capacity => ingestor.Capacity;

    /// <summary>Queues an upload; false when the queue or the byte budget is full (the caller answers 503).</summary>
    public bool TryEnqueue(SourceDocument document, string companyId, long bytes, [NotNullWhen(true)] out IngestJob? job)
    {
        job = null;
        if (Interlocked.Add(ref _queuedBytes, bytes) > options.MaxQueuedBytes)
        {
            Interlocked.Add(ref _queuedBytes, -bytes);
            ServeTelemetry.Rejected.Add(1);
            return false;
        }
        if (!ingestor.TryEnqueue(document, companyId, out var ticket))
        {
            Interlocked.Add(ref _queuedBytes, -bytes);
            ServeTelemetry.Rejected.Add(1);
            return false;
        }
        job = Track(ticket, bytes);
        return true;
    }

    /// <summary>Queues a deletion, ordered after everything accepted before it; null when the queue is full.</summary>
    public async ValueTask<IngestJob?> TryEnqueueDeleteAsync(string companyId, string documentId)
    {
        // The ingestor has no TryEnqueueDelete: a write that cannot complete at once is cancelled at once, so a refused
        // delete never happens later behind the caller's back.
        using var giveUp = new CancellationTokenSource();
        var pending = ingestor.EnqueueDeleteAsync(companyId, documentId, giveUp.Token);
        if (!pending.IsCompleted) await giveUp.CancelAsync().ConfigureAwait(false);
        try
        {
            return Track(await pending.ConfigureAwait(false), 0);
        }
        catch (OperationCanceledException)
        {
            ServeTelemetry.Rejected.Add(1);
            return null;
        }
    }

    /// <summary>The job with this id, if it is still known.</summary>
    public bool TryGet(string id, [NotNullWhen(true)] out IngestJob? job) => _jobs.TryGetValue(id, out job);

    private IngestJob Track(IngestTicket ticket, long bytes)
    {
        var job = new IngestJob(Guid.NewGuid().ToString("N"), ticket, bytes);
        _jobs[job.Id] = job;
        ServeTelemetry.Accepted.Add(1);
        _ = ticket.Completion.ContinueWith(_ => Finished(job), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return job;
    }

    private void Finished(IngestJob job)
    {
        Interlocked.Add(ref _queuedBytes, -job.Bytes);
        job.FinishedOrder = Interlocked.Increment(ref _finishedCount);
        _finished.Enqueue(job);
        while (_finished.Count > options.RetainedJobs && _finished.TryDequeue(out var oldest))
            _jobs.TryRemove(oldest.Id, out _);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Drains the queue: every accepted request is applied before the index closes (up to
    /// <see cref="ServeOptions.DrainTimeout"/>, or the host's own shutdown deadline).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.DrainTimeout);
        try
        {
            await ingestor.CompleteAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Gave up waiting: disposing the ingestor cancels what was not written (those jobs end canceled).
        }
    }
}
