using Werkly.VectorIndex.Documents.Exceptions;
using Werkly.VectorIndex.Documents.Ingestion;

namespace Werkly.VectorIndex.Documents.Tests.Ingestion;

public class BackgroundIngestorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static SourceDocument Doc(int i) => SourceDocument.FromText($"d{i}.md", $"# Doc {i}\n\nBackground document number {i} about remote work.");

    [Fact]
    public async Task Enqueue_returns_before_embedding_and_each_ticket_completes()
    {
        using var gate = new SemaphoreSlim(0);
        var generator = new HashingEmbeddingGenerator { Gate = gate };
        var sink = new InMemoryChunkSink();
        await using var background = new BackgroundIngestor(new DocumentIngestor(generator, sink));

        var tickets = new List<IngestTicket>();
        for (var i = 0; i < 5; i++)
            tickets.Add(await background.EnqueueAsync(Doc(i), "acme"));

        // Nothing can be embedded yet: every request was accepted while the model is blocked.
        Assert.All(tickets, t => Assert.Contains(t.Status, new[] { DocumentStatus.Queued, DocumentStatus.Processing }));
        Assert.All(tickets, t => Assert.False(t.Completion.IsCompleted));
        Assert.Empty(sink.GetDocumentIds("acme"));
        Assert.Equal(5, background.Status.Queued + background.Status.Processing);

        gate.Release(1000);
        var outcomes = await Task.WhenAll(tickets.Select(t => t.Completion)).WaitAsync(Timeout);

        Assert.All(outcomes, o => Assert.Equal(DocumentStatus.Ingested, o.Status));
        Assert.All(tickets, t => Assert.Equal(DocumentStatus.Ingested, t.Status));
        Assert.Equal(DocumentStatus.Ingested, background.GetTicket("acme", "d3.md")!.Status);
        Assert.Null(background.GetTicket("acme", "nope.md"));
        Assert.Equal(5, sink.GetDocumentIds("acme").Count);
        Assert.Equal(new BackgroundIngestStatus(0, 0, 5, 0, 0), background.Status);
    }

    [Fact]
    public async Task A_full_queue_refuses_TryEnqueue_and_makes_EnqueueAsync_wait()
    {
        using var gate = new SemaphoreSlim(0);
        var generator = new HashingEmbeddingGenerator { Gate = gate };
        var sink = new InMemoryChunkSink();
        var options = new DocumentIngestorOptions { EmbeddingBatchSize = 1, PrefetchDocuments = 1 };
        await using var background = new BackgroundIngestor(new DocumentIngestor(generator, sink, options), capacity: 2);

        // The pipeline holds a few documents in its stages; the queue itself holds 2. Sooner or later it is full.
        var accepted = new List<IngestTicket>();
        var refused = false;
        for (var i = 0; i < 50 && !refused; i++)
        {
            if (background.TryEnqueue(Doc(i), "acme", out var ticket))
                accepted.Add(ticket);
            else
                refused = true;
            await Task.Delay(5);
        }
        Assert.True(refused, "TryEnqueue never reported a full queue");
        // On a loaded machine the pipeline may still be taking its first documents off the queue: wait until the queue
        // has stayed full for half a second (adding what still fits), so the pipeline is stalled on the gate.
        var full = System.Diagnostics.Stopwatch.StartNew();
        while (full.Elapsed < TimeSpan.FromMilliseconds(500))
        {
            await Task.Delay(20);
            if (background.TryEnqueue(Doc(accepted.Count + 100), "acme", out var late))
            {
                accepted.Add(late);
                full.Restart();
            }
        }
        Assert.InRange(accepted.Count, 2, 10);

        var waiting = background.EnqueueAsync(Doc(99), "acme").AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted, "EnqueueAsync should wait for room");

        gate.Release(1000);
        var last = await waiting.WaitAsync(Timeout);
        await background.CompleteAsync().WaitAsync(Timeout);
        Assert.Equal(DocumentStatus.Ingested, (await last.Completion).Status);
        Assert.All(accepted, t => Assert.Equal(DocumentStatus.Ingested, t.Status));
        Assert.Equal(accepted.Count + 1, sink.GetDocumentIds("acme").Count);
    }

    [Fact]
    public async Task A_failing_document_fails_only_its_own_ticket()
    {
        var sink = new InMemoryChunkSink();
        var progress = new RecordingProgress<IngestProgress>();
        await using var background = new BackgroundIngestor(new DocumentIngestor(new HashingEmbeddingGenerator(), sink), progress: progress);

        var good1 = await background.EnqueueAsync(Doc(1), "acme");
        var bad = await background.EnqueueAsync(SourceDocument.FromBytes("slides.pptx", "slides.pptx", new byte[] { 1 }), "acme");
        var good2 = await background.EnqueueAsync(Doc(2), "globex");
        await background.CompleteAsync().WaitAsync(Timeout);

        var e = await Assert.ThrowsAsync<UnsupportedDocumentFormatException>(() => bad.Completion);
        Assert.Contains("slides.pptx", e.Message);
        Assert.Equal(DocumentStatus.Failed, bad.Status);
        Assert.Equal(DocumentStatus.Ingested, (await good1.Completion).Status);
        Assert.Equal(DocumentStatus.Ingested, (await good2.Completion).Status);
        Assert.Equal(["d1.md"], sink.GetDocumentIds("acme"));
        Assert.Equal(["d2.md"], sink.GetDocumentIds("globex"));
        Assert.Equal(new BackgroundIngestStatus(0, 0, 2, 1, 0), background.Status);
        Assert.Equal([1, 2, 3], progress.Reports.Select(r => r.DocumentNumber));
        Assert.All(progress.Reports, r => Assert.Null(r.DocumentCount));
    }

    [Fact]
    public async Task Deletes_are_ordered_with_ingests_and_unchanged_documents_are_skipped()
    {
        var generator = new HashingEmbeddingGenerator();
        var sink = new InMemoryChunkSink();
        await using var background = new BackgroundIngestor(new DocumentIngestor(generator, sink));

        var first = await background.EnqueueAsync(Doc(1), "acme");
        var delete = await background.EnqueueDeleteAsync("acme", "d1.md");
        var deleteMissing = await background.EnqueueDeleteAsync("acme", "never.md");
        await Task.WhenAll(first.Completion, delete.Completion, deleteMissing.Completion).WaitAsync(Timeout);
        Assert.Equal(DocumentStatus.Deleted, delete.Status);
        Assert.Equal(DocumentStatus.NotFound, deleteMissing.Status);
        Assert.Empty(sink.GetDocumentIds("acme"));

        var again = await background.EnqueueAsync(Doc(2), "acme");
        await again.Completion.WaitAsync(Timeout);
        var calls = generator.Calls.Count;
        var unchanged = await background.EnqueueAsync(Doc(2), "acme");
        Assert.Equal(DocumentStatus.Unchanged, (await unchanged.Completion.WaitAsync(Timeout)).Status);
        Assert.Equal(calls, generator.Calls.Count);
        Assert.Same(unchanged, background.GetTicket("acme", "d2.md"));
    }

    [Fact]
    public async Task Disposing_cancels_unwritten_documents_and_leaves_them_out()
    {
        using var gate = new SemaphoreSlim(0);
        var sink = new InMemoryChunkSink();
        var background = new BackgroundIngestor(new DocumentIngestor(new HashingEmbeddingGenerator { Gate = gate }, sink));
        var tickets = new List<IngestTicket>();
        for (var i = 0; i < 4; i++)
            tickets.Add(await background.EnqueueAsync(Doc(i), "acme"));

        await background.DisposeAsync().AsTask().WaitAsync(Timeout);

        foreach (var ticket in tickets)
        {
            Assert.Equal(DocumentStatus.Canceled, ticket.Status);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ticket.Completion);
        }
        Assert.Empty(sink.GetDocumentIds("acme"));
        Assert.Equal(4, background.Status.Canceled);
        Assert.Throws<InvalidOperationException>(() => background.TryEnqueue(Doc(9), "acme", out _));
        await Assert.ThrowsAsync<InvalidOperationException>(() => background.EnqueueAsync(Doc(9), "acme").AsTask());
    }

    [Fact]
    public async Task Invalid_company_ids_are_rejected_at_enqueue()
    {
        await using var background = new BackgroundIngestor(new DocumentIngestor(new HashingEmbeddingGenerator(), new InMemoryChunkSink()));
        await Assert.ThrowsAsync<Werkly.VectorIndex.Exceptions.InvalidIdentifierException>(() => background.EnqueueAsync(Doc(1), "bad company").AsTask());
    }
}
