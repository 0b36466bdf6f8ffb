using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Exceptions;
using Werkly.VectorIndex.Documents.Extraction;
using Werkly.VectorIndex.Documents.Ingestion;
using Werkly.VectorIndex.Documents.Tests.Chunking;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Documents.Tests.Ingestion;

public class DocumentIngestorTests
{
    private const string Company = "acme";

    /// <summary>Ten Markdown documents of 1 to ~8 chunks each.</summary>
    private static List<SourceDocument> Corpus(int count = 10, int seedOffset = 0) =>
        [.. Enumerable.Range(0, count).Select(i => SourceDocument.FromText($"doc{i:D2}.md", ChunkInvariants.Prose(i + seedOffset, 2 + i * 3 % 17, headings: true)))];

    private static async Task<IReadOnlyList<DocumentChunk>> ExpectedChunks(SourceDocument document, IChunker? chunker = null)
    {
        var extracted = await DocumentTextExtractor.Default.ExtractAsync(document);
        return (chunker ?? new FixedSizeChunker()).Chunk(document.Id, extracted);
    }

    /// <summary>The stored document is exactly what a full, correct ingestion of <paramref name="document"/> produces.</summary>
    private static async Task AssertFullyIn(InMemoryChunkSink sink, SourceDocument document, HashingEmbeddingGenerator generator, IChunker? chunker = null)
    {
        var stored = sink.GetDocument(Company, document.Id);
        Assert.NotNull(stored);
        var expected = await ExpectedChunks(document, chunker);
        Assert.Equal(expected.Count, stored.Chunks.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], stored.Chunks[i].Chunk with { HeadingPath = expected[i].HeadingPath });
            Assert.Equal(expected[i].HeadingPath, stored.Chunks[i].Chunk.HeadingPath);
            Assert.Equal(HashingEmbeddingGenerator.Embed(expected[i].EmbeddingText(includeHeadingPath: true), generator.Dimensions), stored.Chunks[i].Vector.ToArray());
        }
    }

    [Fact]
    public async Task Ingests_every_document_with_its_chunks_and_vectors_and_reports_progress_in_order()
    {
        var generator = new HashingEmbeddingGenerator();
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(generator, sink, new DocumentIngestorOptions { EmbeddingBatchSize = 8 });
        var docs = Corpus();
        var progress = new RecordingProgress<IngestProgress>();

        var result = await ingestor.IngestAsync(docs, Company, progress);

        Assert.Equal(10, result.DocumentsIngested);
        Assert.Equal(docs.Select(d => d.Id), result.Documents.Select(d => d.DocumentId));
        foreach (var doc in docs)
            await AssertFullyIn(sink, doc, generator);
        var totalChunks = sink.CountChunks(Company);
        Assert.Equal(totalChunks, result.ChunksWritten);
        Assert.Equal(totalChunks, generator.InputCount); // every chunk embedded exactly once
        Assert.All(generator.Calls, c => Assert.InRange(c.Length, 1, 8));
        Assert.True(result.EmbeddingTime > TimeSpan.Zero && result.EmbeddingTime <= result.Elapsed);

        var reports = progress.Reports.Where(r => r.Document.Status != DocumentStatus.Processing).ToList(); // one per finished document
        Assert.Equal(Enumerable.Range(1, 10), reports.Select(r => r.DocumentNumber));
        Assert.All(reports, r => Assert.Equal(r.DocumentChunkCount, r.DocumentChunksEmbedded));
        Assert.All(reports, r => Assert.Equal(10, r.DocumentCount));
        Assert.StartsWith("document 3 of 10 (doc02.md: Ingested, ", reports[2].ToString());
        Assert.Contains("chunks/s", reports[2].ToString());
        Assert.Equal(docs[2].Id, reports[2].Document.DocumentId);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First.ChunksWritten <= p.Second.ChunksWritten));
        Assert.Equal(totalChunks, reports[^1].ChunksWritten);
        Assert.True(reports[^1].ChunksPerSecond > 0);
        Assert.Equal(10, reports[^1].DocumentsIngested);
    }

    /// <summary>Issue 15, defect 7: a long document showed "1 documents 0%" until it was done. While it is embedded,
    /// each batch reports the chunks embedded so far and an estimate of the time left.</summary>
    [Fact]
    public async Task A_long_document_reports_its_chunks_as_they_are_embedded_with_an_estimate_of_the_time_left()
    {
        var generator = new HashingEmbeddingGenerator { DelayPerBatch = TimeSpan.FromMilliseconds(2) };
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(generator, sink, new DocumentIngestorOptions { EmbeddingBatchSize = 8 });
        var text = string.Join("\n\n", Enumerable.Range(0, 120).Select(i => ChunkInvariants.Prose(i, 1, headings: false)));
        var progress = new RecordingProgress<IngestProgress>();

        await ingestor.IngestAsync([SourceDocument.FromText("small.md", "A short note."), SourceDocument.FromText("long.txt", text)], Company, progress);

        var chunks = sink.GetDocument(Company, "long.txt")!.Chunks.Count;
        Assert.True(chunks > 24, $"{chunks} chunks: the test needs a document of several batches");
        var during = progress.Reports.Where(r => r.Document.Status == DocumentStatus.Processing).ToList();
        Assert.NotEmpty(during);
        Assert.All(during, r =>
        {
            Assert.Equal("long.txt", r.Document.DocumentId);
            Assert.Equal(2, r.DocumentNumber);
            Assert.Equal(chunks, r.DocumentChunkCount);
            Assert.InRange(r.DocumentChunksEmbedded, 1, chunks - 1);
            Assert.NotNull(r.DocumentTimeRemaining);
            Assert.True(r.DocumentTimeRemaining > TimeSpan.Zero);
        });
        Assert.Equal(during.Select(r => r.DocumentChunksEmbedded).Order(), during.Select(r => r.DocumentChunksEmbedded)); // never backwards
        Assert.True(during.Count >= chunks / 8 - 2, $"{during.Count} reports for {chunks} chunks in batches of 8");
        Assert.Matches(@"^document 2 of 2 \(long\.txt: chunk \d+ of \d+, about \d+s left\)", during[0].ToString());
        var last = progress.Reports[^1];
        Assert.Equal((DocumentStatus.Ingested, chunks, chunks), (last.Document.Status, last.DocumentChunksEmbedded, last.DocumentChunkCount));
    }

    [Fact]
    public async Task Chunks_are_embedded_with_their_heading_path_unless_disabled()
    {
        var doc = SourceDocument.FromText("h.md", "# Handbook\n\n## Expenses\n\nKeep every receipt.");
        var generator = new HashingEmbeddingGenerator();
        var sink = new InMemoryChunkSink();
        await new DocumentIngestor(generator, sink).IngestAsync([doc], Company);
        // The fixed-size chunk starts at "# Handbook", so its path is the one in effect there.
        Assert.Equal("Handbook\n\n# Handbook\n\n## Expenses\n\nKeep every receipt.", Assert.Single(Assert.Single(generator.Calls)));
        Assert.Equal("# Handbook\n\n## Expenses\n\nKeep every receipt.", sink.GetDocument(Company, "h.md")!.Chunks[0].Chunk.Text);

        // Turning it off changes what the vectors mean, so the same text is embedded again.
        var plain = new HashingEmbeddingGenerator();
        var result = await new DocumentIngestor(plain, sink, new DocumentIngestorOptions { EmbedHeadingPath = false }).IngestAsync([doc], Company);
        Assert.Equal(DocumentStatus.Ingested, result.Documents[0].Status);
        Assert.Equal("# Handbook\n\n## Expenses\n\nKeep every receipt.", Assert.Single(Assert.Single(plain.Calls)));
    }

    [Fact]
    public async Task Embedding_batches_span_documents()
    {
        // Single-chunk documents and a slow model: while one batch embeds, the next documents are prepared and fill the next batch.
        var generator = new HashingEmbeddingGenerator { DelayPerBatch = TimeSpan.FromMilliseconds(40) };
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(generator, sink, new DocumentIngestorOptions { EmbeddingBatchSize = 4 });
        var docs = Enumerable.Range(0, 12).Select(i => SourceDocument.FromText($"n{i}.txt", $"note number {i} about expenses")).ToList();

        await ingestor.IngestAsync(docs, Company);

        Assert.Equal(12, generator.InputCount);
        Assert.Contains(generator.Calls, c => c.Length == 4);
        Assert.True(generator.Calls.Count <= 6, $"{generator.Calls.Count} calls for 12 one-chunk documents in batches of 4");
    }

    [Fact]
    public async Task Concurrent_embedding_calls_keep_input_order_and_complete_documents()
    {
        var generator = new HashingEmbeddingGenerator { DelayPerBatch = TimeSpan.FromMilliseconds(20) };
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(generator, sink, new DocumentIngestorOptions { EmbeddingBatchSize = 2, MaxConcurrentEmbeddingCalls = 3 });
        var docs = Corpus(12);
        var progress = new RecordingProgress<IngestProgress>();

        var result = await ingestor.IngestAsync(docs, Company, progress);

        Assert.Equal(12, result.DocumentsIngested);
        Assert.InRange(generator.MaxConcurrentCalls, 2, 3);
        Assert.Equal(Enumerable.Range(1, 12), progress.Reports.Where(r => r.Document.Status != DocumentStatus.Processing).Select(r => r.DocumentNumber));
        foreach (var doc in docs)
            await AssertFullyIn(sink, doc, generator);
        Assert.Equal(sink.CountChunks(Company), generator.InputCount);
    }

    [Fact]
    public async Task Reingesting_unchanged_documents_does_nothing()
    {
        var generator = new HashingEmbeddingGenerator();
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(generator, sink);
        await ingestor.IngestAsync(Corpus(), Company);
        var calls = generator.Calls.Count;
        var writes = sink.WriteCount;

        var again = await ingestor.IngestAsync(Corpus(), Company);

        Assert.All(again.Documents, d => Assert.Equal(DocumentStatus.Unchanged, d.Status));
        Assert.Equal(10, again.DocumentsUnchanged);
        Assert.Equal(0, again.ChunksWritten);
        Assert.Equal(calls, generator.Calls.Count);
        Assert.Equal(writes, sink.WriteCount);
    }

    [Fact]
    public async Task A_changed_document_has_its_old_chunks_replaced()
    {
        var generator = new HashingEmbeddingGenerator();
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(generator, sink);
        var docs = Corpus();
        await ingestor.IngestAsync(docs, Company);
        var before = sink.GetDocument(Company, "doc05.md")!;
        Assert.True(before.Chunks.Count > 2);
        var inputsBefore = generator.InputCount;

        docs[5] = SourceDocument.FromText("doc05.md", "# Rewritten\n\nThe policy changed completely. Only this sentence remains.");
        var result = await ingestor.IngestAsync(docs, Company);

        Assert.Equal(DocumentStatus.Ingested, result.Documents[5].Status);
        Assert.Equal(9, result.DocumentsUnchanged);
        var after = sink.GetDocument(Company, "doc05.md")!;
        Assert.Single(after.Chunks);
        Assert.Equal(["Rewritten"], after.Chunks[0].Chunk.HeadingPath);
        Assert.NotEqual(before.ContentHash, after.ContentHash);
        Assert.Equal(1, generator.InputCount - inputsBefore); // only the changed document was embedded
        await AssertFullyIn(sink, docs[5], generator);
    }

    [Fact]
    public async Task Deleting_a_document_removes_its_chunks()
    {
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(new HashingEmbeddingGenerator(), sink);
        await ingestor.IngestAsync(Corpus(3), Company);
        var total = sink.CountChunks(Company);
        var removed = sink.GetDocument(Company, "doc01.md")!.Chunks.Count;

        Assert.True(await ingestor.DeleteDocumentAsync(Company, "doc01.md"));
        Assert.False(await ingestor.DeleteDocumentAsync(Company, "doc01.md"));

        Assert.Null(sink.GetDocument(Company, "doc01.md"));
        Assert.Equal(total - removed, sink.CountChunks(Company));
        Assert.Equal(["doc00.md", "doc02.md"], sink.GetDocumentIds(Company));
    }

    [Fact]
    public async Task Sync_mirrors_a_folder_deleting_documents_that_disappeared()
    {
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(new HashingEmbeddingGenerator(), sink);
        using var folder = new TempFolder();
        folder.Write("keep.md", "# Keep\n\nThis file stays.");
        folder.Write("sub/gone.md", "# Gone\n\nThis file will be removed.");
        await ingestor.SyncAsync(SourceDocument.FromDirectory(folder.Path), Company);
        await ingestor.IngestAsync([SourceDocument.FromText("other.md", "other company text")], "globex");
        Assert.Equal(["keep.md", "sub/gone.md"], sink.GetDocumentIds(Company));

        File.Delete(Path.Combine(folder.Path, "sub", "gone.md"));
        folder.Write("new.md", "# New\n\nA new file.");
        var result = await ingestor.SyncAsync(SourceDocument.FromDirectory(folder.Path), Company);

        Assert.Equal(["keep.md", "new.md"], sink.GetDocumentIds(Company));
        Assert.Equal(1, result.DocumentsUnchanged);
        Assert.Equal(1, result.DocumentsIngested);
        Assert.Equal(1, result.DocumentsDeleted);
        Assert.Equal(("sub/gone.md", DocumentStatus.Deleted), (result.Documents[^1].DocumentId, result.Documents[^1].Status));
        Assert.Equal(["other.md"], sink.GetDocumentIds("globex")); // other companies are never touched
    }

    [Fact]
    public async Task A_failed_or_cancelled_sync_deletes_nothing()
    {
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(new HashingEmbeddingGenerator(), sink);
        await ingestor.IngestAsync(Corpus(3), Company);
        await Assert.ThrowsAsync<UnsupportedDocumentFormatException>(() =>
            ingestor.SyncAsync([SourceDocument.FromText("a.md", "a"), SourceDocument.FromBytes("b.xlsx", "b.xlsx", new byte[] { 1 })], Company));
        Assert.Contains("doc00.md", sink.GetDocumentIds(Company));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ingestor.SyncAsync([SourceDocument.FromText("a.md", "a")], Company, cancellationToken: cts.Token));
        Assert.Contains("doc00.md", sink.GetDocumentIds(Company));
        await Assert.ThrowsAsync<ArgumentException>(() => ingestor.SyncAsync([SourceDocument.FromText("a.md", "a"), SourceDocument.FromText("a.md", "b")], Company));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 1)]
    [InlineData(5, 1)]
    [InlineData(8, 1)]
    [InlineData(2, 4)] // with concurrent embedding calls
    [InlineData(6, 4)]
    public async Task Cancelling_halfway_leaves_every_document_fully_in_or_fully_out(int cancelAtCall, int concurrentCalls)
    {
        using var cts = new CancellationTokenSource();
        var generator = new HashingEmbeddingGenerator
        {
            DelayPerBatch = TimeSpan.FromMilliseconds(5),
            OnCall = n => { if (n == cancelAtCall) cts.Cancel(); },
        };
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(generator, sink, new DocumentIngestorOptions { EmbeddingBatchSize = 3, MaxConcurrentEmbeddingCalls = concurrentCalls });
        var docs = Corpus(12);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ingestor.IngestAsync(docs, Company, cancellationToken: cts.Token));

        var stored = sink.GetDocumentIds(Company);
        Assert.True(stored.Count < docs.Count, "the run was cancelled before the end");
        foreach (var id in stored)
            await AssertFullyIn(sink, docs.Single(d => d.Id == id), generator);
        // Writes are in input order: what is in is a prefix of the input.
        Assert.Equal(docs.Take(stored.Count).Select(d => d.Id), stored);

        // Resuming finishes the job and skips what was already written.
        var resumed = await ingestor.IngestAsync(docs, Company);
        Assert.Equal(stored.Count, resumed.DocumentsUnchanged);
        Assert.Equal(docs.Count - stored.Count, resumed.DocumentsIngested);
        foreach (var doc in docs)
            await AssertFullyIn(sink, doc, generator);
    }

    [Fact]
    public async Task Cancelling_from_progress_after_document_4_stops_with_whole_documents_only()
    {
        using var cts = new CancellationTokenSource();
        var generator = new HashingEmbeddingGenerator { DelayPerBatch = TimeSpan.FromMilliseconds(5) };
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(generator, sink, new DocumentIngestorOptions { EmbeddingBatchSize = 2 });
        var docs = Corpus(12);
        var progress = new RecordingProgress<IngestProgress>(p => { if (p.DocumentNumber == 4 && p.Document.Status != DocumentStatus.Processing) cts.Cancel(); });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ingestor.IngestAsync(docs, Company, progress, cts.Token));

        var stored = sink.GetDocumentIds(Company);
        Assert.InRange(stored.Count, 4, 11);
        foreach (var id in stored)
            await AssertFullyIn(sink, docs.Single(d => d.Id == id), generator);
    }

    [Fact]
    public async Task An_unsupported_document_stops_the_run_with_its_typed_exception_after_the_earlier_ones_are_written()
    {
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(new HashingEmbeddingGenerator(), sink);
        List<SourceDocument> docs = [.. Corpus(3), SourceDocument.FromBytes("budget.xlsx", "budget.xlsx", new byte[] { 1, 2 }), .. Corpus(2, seedOffset: 50).Select((d, i) => SourceDocument.FromText($"late{i}.md", "late"))];

        var e = await Assert.ThrowsAsync<UnsupportedDocumentFormatException>(() => ingestor.IngestAsync(docs, Company));

        Assert.Contains("budget.xlsx", e.Message);
        // Everything before the bad document is written, nothing after it.
        Assert.Equal(["doc00.md", "doc01.md", "doc02.md"], sink.GetDocumentIds(Company));
    }

    [Fact]
    public async Task With_ContinueOnDocumentError_bad_documents_fail_alone()
    {
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(new HashingEmbeddingGenerator(), sink, new DocumentIngestorOptions { ContinueOnDocumentError = true });
        List<SourceDocument> docs =
        [
            SourceDocument.FromText("a.md", "alpha"),
            SourceDocument.FromBytes("budget.xlsx", "budget.xlsx", new byte[] { 1 }),
            SourceDocument.FromBytes("broken.pdf", "broken.pdf", "not a pdf"u8.ToArray()),
            SourceDocument.FromText("b.md", "beta"),
        ];
        var progress = new RecordingProgress<IngestProgress>();

        var result = await ingestor.IngestAsync(docs, Company, progress);

        Assert.Equal([DocumentStatus.Ingested, DocumentStatus.Failed, DocumentStatus.Failed, DocumentStatus.Ingested], result.Documents.Select(d => d.Status));
        Assert.IsType<UnsupportedDocumentFormatException>(result.Documents[1].Error);
        Assert.IsType<DocumentExtractionException>(result.Documents[2].Error);
        Assert.Equal(["a.md", "b.md"], sink.GetDocumentIds(Company));
        Assert.Equal(2, progress.Reports[^1].DocumentsFailed);
    }

    [Fact]
    public async Task Vectors_of_changing_length_are_rejected()
    {
        var generator = new HashingEmbeddingGenerator { DimensionsOverride = (call, _) => call == 1 ? 32 : 16 };
        var ingestor = new DocumentIngestor(generator, new InMemoryChunkSink(), new DocumentIngestorOptions { EmbeddingBatchSize = 1 });
        var e = await Assert.ThrowsAsync<DimensionMismatchException>(() => ingestor.IngestAsync(Corpus(2), Company));
        Assert.Equal(32, e.ExpectedDimensions);
        Assert.Equal(16, e.ActualDimensions);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public async Task Invalid_company_ids_are_rejected_before_any_work(string company)
    {
        var generator = new HashingEmbeddingGenerator();
        var ingestor = new DocumentIngestor(generator, new InMemoryChunkSink());
        await Assert.ThrowsAsync<InvalidIdentifierException>(() => ingestor.IngestAsync(Corpus(1), company));
        Assert.Empty(generator.Calls);
    }

    [Fact]
    public async Task Changing_the_chunker_reingests_unchanged_text()
    {
        var generator = new HashingEmbeddingGenerator();
        var sink = new InMemoryChunkSink();
        await new DocumentIngestor(generator, sink).IngestAsync(Corpus(3), Company);
        var semantic = new SemanticChunker();
        var result = await new DocumentIngestor(generator, sink, new DocumentIngestorOptions { Chunker = semantic }).IngestAsync(Corpus(3), Company);
        Assert.Equal(3, result.DocumentsIngested);
        foreach (var doc in Corpus(3))
            await AssertFullyIn(sink, doc, generator, semantic);
    }

    [Fact]
    public async Task A_document_emptied_of_text_is_reported_empty_and_its_old_chunks_are_removed()
    {
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(new HashingEmbeddingGenerator(), sink);
        await ingestor.IngestAsync([SourceDocument.FromText("e.md", "some words")], Company);
        var result = await ingestor.IngestAsync([SourceDocument.FromText("e.md", "  \n")], Company);
        Assert.Equal(DocumentStatus.Empty, result.Documents[0].Status);
        Assert.Equal(1, result.DocumentsEmpty);
        Assert.Null(sink.GetDocument(Company, "e.md"));
    }

    /// <summary>Issue 15, defect 4: empty and whitespace-only files were counted as ingested ("company now holds 8
    /// documents" while stats said 4) and re-ingested on every run. They are skipped as empty, stored nowhere, and
    /// counted once per run.</summary>
    [Fact]
    public async Task Empty_and_whitespace_only_documents_are_skipped_as_empty_on_every_run_and_never_stored()
    {
        var generator = new HashingEmbeddingGenerator();
        using var index = Werkly.VectorIndex.Documents.Indexing.DocumentIndex.CreateInMemory(generator);
        var ingestor = new DocumentIngestor(generator, index);
        List<SourceDocument> docs =
        [
            SourceDocument.FromText("a.md", "# Parking\n\nVisitors park in the north lot."),
            SourceDocument.FromText("empty.txt", ""),
            SourceDocument.FromText("blank.md", " \n\t\n  \r\n"),
            SourceDocument.FromText("scripts.html", "<html><head><title></title></head><body><script>var x = 1;</script></body></html>"),
            SourceDocument.FromText("b.txt", "The canteen opens at noon."),
        ];
        for (var run = 0; run < 2; run++)
        {
            var result = await ingestor.IngestAsync(docs, Company);
            Assert.Equal(run == 0 ? 2 : 0, result.DocumentsIngested);
            Assert.Equal(run == 0 ? 0 : 2, result.DocumentsUnchanged);
            Assert.Equal(3, result.DocumentsEmpty);
            Assert.Equal(["empty.txt", "blank.md", "scripts.html"], result.Documents.Where(d => d.Status == DocumentStatus.Empty).Select(d => d.DocumentId));
            Assert.Equal(2, index.DocumentCount(Company)); // what 'company now holds' prints: the empty files are not in it
            Assert.Equal(docs.Count, result.Documents.Count); // each document reported once
        }
        Assert.Equal(2, generator.Calls.Sum(c => c.Length)); // the empty ones were never embedded
    }

    [Fact]
    public async Task Extraction_warnings_reach_the_document_outcome()
    {
        var sink = new InMemoryChunkSink();
        byte[] bytes = [.. System.Text.Encoding.UTF8.GetBytes("Le café est naïve. stray "), 0xFF, .. " end."u8.ToArray()];
        var result = await new DocumentIngestor(new HashingEmbeddingGenerator(), sink).IngestAsync([SourceDocument.FromBytes("mixed.txt", "mixed.txt", bytes)], Company);
        var outcome = Assert.Single(result.Documents);
        Assert.Equal(DocumentStatus.Ingested, outcome.Status);
        Assert.Contains("U+FFFD", Assert.Single(outcome.Warnings), StringComparison.Ordinal);
        Assert.Contains("café est naïve", sink.GetDocument(Company, "mixed.txt")!.Chunks[0].Chunk.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Async_streams_are_ingested_with_an_unknown_total()
    {
        var sink = new InMemoryChunkSink();
        var progress = new RecordingProgress<IngestProgress>();
        var result = await new DocumentIngestor(new HashingEmbeddingGenerator(), sink).IngestAsync(Stream(), "globex", progress);
        Assert.Equal(4, result.DocumentsIngested);
        Assert.All(progress.Reports, r => Assert.Null(r.DocumentCount));
        Assert.StartsWith("document 2 of ? (", progress.Reports[1].ToString());
        Assert.Equal(4, sink.GetDocumentIds("globex").Count);

        static async IAsyncEnumerable<SourceDocument> Stream()
        {
            for (var i = 0; i < 4; i++)
            {
                await Task.Yield();
                yield return SourceDocument.FromText($"s{i}.txt", $"streamed document {i}");
            }
        }
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DocumentIngestor(new HashingEmbeddingGenerator(), new InMemoryChunkSink(), new DocumentIngestorOptions { EmbeddingBatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DocumentIngestor(new HashingEmbeddingGenerator(), new InMemoryChunkSink(), new DocumentIngestorOptions { PrefetchDocuments = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DocumentIngestor(new HashingEmbeddingGenerator(), new InMemoryChunkSink(), new DocumentIngestorOptions { MaxConcurrentEmbeddingCalls = 0 }));
    }

    [Fact]
    public void Changing_the_options_an_ingestor_hands_out_does_not_change_the_ingestor()
    {
        var ingestor = new DocumentIngestor(new HashingEmbeddingGenerator(), new InMemoryChunkSink(),
            new DocumentIngestorOptions { EmbeddingBatchSize = 8, EmbeddingOptions = new Microsoft.Extensions.AI.EmbeddingGenerationOptions { Dimensions = 32 } });
        var handedOut = ingestor.Options;
        handedOut.EmbeddingBatchSize = 0; // would not pass validation
        handedOut.EmbeddingOptions!.Dimensions = 16;
        Assert.Equal(8, ingestor.Options.EmbeddingBatchSize);
        Assert.Equal(32, ingestor.Options.EmbeddingOptions!.Dimensions);
    }
}
