using System.Numerics.Tensors;
using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Ingestion;

namespace Werkly.VectorIndex.Documents.Tests.Ingestion;

/// <summary>The Acme handbook under samples/ is the demo's second company: it must ingest cleanly and hold real prose.</summary>
public class SampleCorpusTests
{
    private static string Handbook => Path.Combine(RepositoryPaths.Root, "samples", "acme-handbook");

    [Fact]
    public void The_handbook_has_six_to_ten_files_of_300_to_800_words()
    {
        var files = Directory.GetFiles(Handbook, "*.md");
        Assert.InRange(files.Length, 6, 10);
        foreach (var file in files)
        {
            var words = File.ReadAllText(file).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            Assert.InRange(words, 300, 800);
        }
    }

    [Fact]
    public async Task The_handbook_ingests_with_semantic_chunks_under_each_files_title()
    {
        var sink = new InMemoryChunkSink();
        var generator = new HashingEmbeddingGenerator(dimensions: 256);
        var ingestor = new DocumentIngestor(generator, sink, new DocumentIngestorOptions { Chunker = new SemanticChunker() });
        var documents = SourceDocument.FromDirectory(Handbook);

        var result = await ingestor.IngestAsync(documents, "acme");

        Assert.Equal(documents.Count, result.DocumentsIngested);
        foreach (var id in sink.GetDocumentIds("acme"))
        {
            var chunks = sink.GetDocument("acme", id)!.Chunks;
            Assert.True(chunks.Count >= 3, $"{id}: {chunks.Count} chunks");
            var title = chunks[0].Chunk.HeadingPath[0];
            Assert.All(chunks, c => Assert.Equal(title, c.Chunk.HeadingPath[0]));
            Assert.All(chunks, c => Assert.InRange(c.Chunk.Length, 1, SemanticChunker.DefaultMaxChunkChars));
        }

        // Even a bag-of-words "model" finds the right file for a handbook question: the chunks carry real content.
        var query = HashingEmbeddingGenerator.Embed("how many unused vacation days can I carry over into the next year", 256);
        var best = sink.GetDocumentIds("acme")
            .SelectMany(id => sink.GetDocument("acme", id)!.Chunks)
            .MaxBy(c => TensorPrimitives.Dot(query, c.Vector.Span))!;
        Assert.Equal("vacation-policy.md", best.Chunk.DocumentId);
        Assert.Contains("carry", best.Chunk.Text);
    }
}
