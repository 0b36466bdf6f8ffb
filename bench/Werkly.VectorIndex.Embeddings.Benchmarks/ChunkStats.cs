using System.Globalization;
using Werkly.VectorIndex.Documents;
using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Extraction;
using Werkly.VectorIndex.Embeddings.Onnx;
using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.Embeddings.Benchmarks;

/// <summary>How often chunks overflow the model's input (and lose their tail), by chunker, on Cranfield or a folder of documents.</summary>
internal static class ChunkStats
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    internal static async Task RunAsync(string source, string modelName)
    {
        using var generator = new OnnxEmbeddingGenerator(Models.Load(modelName));
        var documents = source == "cranfield"
            ? BeirDataset.Load(Path.Combine(Workloads.RepoRoot(), "tests", "data", "cranfield")).Corpus
                .Select(d => SourceDocument.FromText(d.Id + ".txt", d.Title + "\n\n" + d.Text)).ToList()
            : SourceDocument.FromDirectory(source).ToList();
        var extracted = new List<(string Id, ExtractedDocument Document)>();
        foreach (var document in documents)
        {
            try
            {
                extracted.Add((document.Id, await DocumentTextExtractor.Default.ExtractAsync(document)));
            }
            catch (Exception e) when (e is Documents.Exceptions.DocumentExtractionException or Documents.Exceptions.UnsupportedDocumentFormatException)
            {
                Console.Error.WriteLine($"skipped {document.Id}: {e.Message}");
            }
        }

        var limit = generator.MaxInputTokens;
        Console.WriteLine(string.Create(Invariant,
            $"## Chunks over {generator.Model.ModelId}'s {generator.Model.MaxTokens} tokens ({limit} of text) — {source}: {extracted.Count} documents, {extracted.Sum(e => (long)e.Document.Text.Length) / 1e6:F1} M characters of text"));
        Console.WriteLine();
        Console.WriteLine("| chunker | chunks | truncated chunks | documents with one | mean tokens per chunk | max tokens | tokens never embedded |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        var chunkers = new (string Name, IChunker Chunker)[]
        {
            ("fixed 1,000/200 characters (today)", new FixedSizeChunker(1000, 200)),
            ("semantic 1,000 characters", new SemanticChunker(1000, 200)),
            ("fixed, model tokens (new default)", ModelSizing.For(new FixedSizeChunker(), generator)),
            ("semantic, model tokens", ModelSizing.For(new SemanticChunker(), generator)),
        };
        foreach (var (name, chunker) in chunkers)
        {
            long chunks = 0, truncated = 0, tokens = 0, lost = 0;
            var max = 0;
            var documentsTruncated = 0;
            foreach (var (id, document) in extracted)
            {
                var any = false;
                foreach (var chunk in chunker.Chunk(id, document))
                {
                    var count = generator.Tokenizer.CountTokens(chunk.EmbeddingText(includeHeadingPath: true));
                    chunks++;
                    tokens += count;
                    max = Math.Max(max, count);
                    if (count > limit)
                    {
                        truncated++;
                        lost += count - limit;
                        any = true;
                    }
                }

                documentsTruncated += any ? 1 : 0;
            }

            Console.WriteLine(string.Create(Invariant,
                $"| {name} | {chunks} | {truncated} ({100.0 * truncated / Math.Max(1, chunks):F1} %) | {documentsTruncated} ({100.0 * documentsTruncated / Math.Max(1, extracted.Count):F1} %) | {tokens / (double)Math.Max(1, chunks):F0} | {max} | {lost} ({100.0 * lost / Math.Max(1, tokens):F1} %) |"));
        }

        Console.WriteLine();
    }
}
