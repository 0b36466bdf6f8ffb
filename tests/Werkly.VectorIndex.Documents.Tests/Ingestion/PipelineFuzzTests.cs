using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Extraction;
using Werkly.VectorIndex.Documents.Ingestion;
using Werkly.VectorIndex.Documents.Tests.Chunking;

namespace Werkly.VectorIndex.Documents.Tests.Ingestion;

/// <summary>Random pipeline settings and cancellation points (fixed seeds): whatever happens, every document is fully in
/// or fully out, what is in is a prefix of the input (documents without text are never stored), and resuming completes the job embedding only what is missing.</summary>
public class PipelineFuzzTests
{
    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Any_settings_and_cancellation_point_leave_whole_documents(int seed)
    {
        var rng = new Random(seed);
        IChunker chunker = rng.Next(2) == 0
            ? new FixedSizeChunker(rng.Next(40, 400), rng.Next(0, 39))
            : new SemanticChunker(rng.Next(40, 600), rng.Next(0, 40));
        var options = new DocumentIngestorOptions
        {
            Chunker = chunker,
            EmbeddingBatchSize = rng.Next(1, 9),
            MaxConcurrentEmbeddingCalls = rng.Next(1, 5),
            PrefetchDocuments = rng.Next(1, 5),
            EmbedHeadingPath = rng.Next(2) == 0,
        };
        var docs = Enumerable.Range(0, rng.Next(1, 16))
            .Select(i => SourceDocument.FromText($"f{i:D2}.md", ChunkInvariants.Prose(seed * 100 + i, rng.Next(0, 6), headings: rng.Next(2) == 0)))
            .ToList();
        var cancelAt = rng.Next(0, 12); // 0: never
        using var cts = new CancellationTokenSource();
        var generator = new HashingEmbeddingGenerator
        {
            DelayPerBatch = TimeSpan.FromMilliseconds(rng.Next(0, 3)),
            OnCall = n => { if (n == cancelAt) cts.Cancel(); },
        };
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(generator, sink, options);

        var cancelled = false;
        try
        {
            await ingestor.IngestAsync(docs, "fuzz", cancellationToken: cts.Token);
        }
        catch (OperationCanceledException)
        {
            cancelled = true;
        }

        var expected = new Dictionary<string, IReadOnlyList<DocumentChunk>>();
        foreach (var doc in docs)
            expected[doc.Id] = chunker.Chunk(doc.Id, await DocumentTextExtractor.Default.ExtractAsync(doc));
        var withText = docs.Where(d => expected[d.Id].Count > 0).ToList(); // documents without text are never stored
        var stored = sink.GetDocumentIds("fuzz");
        Assert.Equal(withText.Take(stored.Count).Select(d => d.Id), stored);
        if (!cancelled)
            Assert.Equal(withText.Count, stored.Count);
        foreach (var id in stored)
            AssertWhole(sink, id, expected[id], options.EmbedHeadingPath);

        var before = generator.InputCount;
        var resumed = await new DocumentIngestor(generator, sink, options).IngestAsync(docs, "fuzz");
        Assert.Equal(stored.Count, resumed.DocumentsUnchanged);
        Assert.Equal(docs.Count - withText.Count, resumed.DocumentsEmpty);
        Assert.Equal(withText.Skip(stored.Count).Sum(d => expected[d.Id].Count), generator.InputCount - before);
        foreach (var doc in withText)
            AssertWhole(sink, doc.Id, expected[doc.Id], options.EmbedHeadingPath);
    }

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= 40; seed++)
            data.Add(seed);
        return data;
    }

    private static void AssertWhole(InMemoryChunkSink sink, string id, IReadOnlyList<DocumentChunk> expected, bool withHeadingPath)
    {
        var stored = sink.GetDocument("fuzz", id)!;
        Assert.Equal(expected.Count, stored.Chunks.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((expected[i].Ordinal, expected[i].Start, expected[i].End, expected[i].Text), (stored.Chunks[i].Chunk.Ordinal, stored.Chunks[i].Chunk.Start, stored.Chunks[i].Chunk.End, stored.Chunks[i].Chunk.Text));
            Assert.Equal(HashingEmbeddingGenerator.Embed(expected[i].EmbeddingText(withHeadingPath), 32), stored.Chunks[i].Vector.ToArray());
        }
    }
}
