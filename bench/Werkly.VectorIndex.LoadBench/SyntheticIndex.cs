using System.IO.Compression;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Cli;
using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Indexing;
using Werkly.VectorIndex.Documents.Ingestion;

namespace Werkly.VectorIndex.LoadBench;

/// <summary>
/// Builds the index the scenarios search: one company of <c>chunks</c> chunks written straight through
/// <see cref="DocumentIndex.ReplaceDocumentsAsync"/> (the sink the ingestor writes to), so that <c>werkly serve</c> opens
/// it like any index it built itself. Embedding 100k chunks with the bundled model would take about an hour on two cores,
/// so only a pool of real Cranfield abstracts is embedded (with the same model the server answers queries with); each
/// synthetic chunk takes the words of one pool abstract (a window of them, for BM25) and its vector plus Gaussian noise,
/// renormalised. Queries embedded by the server therefore land among real clusters, not in random noise.
/// </summary>
internal static class SyntheticIndex
{
    public const string Company = "acme";
    private const string MarkerFile = "loadbench-index.json";
    private const int ChunksPerDocument = 10;
    private const int WordsPerChunk = 80;
    private const float NoiseNorm = 0.35f; // the noise vector's expected length relative to the unit base vector

    public sealed record Marker(int Chunks, int Pool, int Seed);

    /// <summary>Builds the index in <paramref name="directory"/> unless a finished build with the same settings is there.</summary>
    public static async Task EnsureAsync(string directory, string cranfieldCorpusGz, int chunks, int poolSize, int seed, TextWriter log)
    {
        var marker = new Marker(chunks, poolSize, seed);
        var markerPath = Path.Combine(directory, "..", Path.GetFileName(directory) + "." + MarkerFile);
        if (File.Exists(markerPath) && JsonSerializer.Deserialize<Marker>(await File.ReadAllTextAsync(markerPath)) == marker)
        {
            log.WriteLine($"index: reusing {directory} ({chunks} chunks)");
            return;
        }
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var pool = ReadCorpus(cranfieldCorpusGz).Take(poolSize).ToList();
        using var model = EmbeddingModel.Create();
        var poolVectors = new List<float[]>(pool.Count);
        var documentKind = new EmbeddingGenerationOptions { AdditionalProperties = new() { [EmbeddingInputKindProperty.Key] = EmbeddingInputKindProperty.Document } };
        foreach (var batch in pool.Chunk(32))
        {
            var embeddings = await model.GenerateAsync(batch.Select(d => d.Text), documentKind);
            poolVectors.AddRange(embeddings.Select(e => e.Vector.ToArray()));
        }
        log.WriteLine($"index: embedded a pool of {pool.Count} Cranfield abstracts in {clock.Elapsed.TotalSeconds:F0} s");

        var random = new Random(seed);
        var dimensions = poolVectors[0].Length;
        var sigma = NoiseNorm / MathF.Sqrt(dimensions);
        var documents = new List<DocumentReplacement>(chunks / ChunksPerDocument + 1);
        for (int start = 0, d = 0; start < chunks; start += ChunksPerDocument, d++)
        {
            var id = $"handbook-{d / 100:D3}/page-{d:D5}.md";
            var embedded = new List<EmbeddedChunk>(ChunksPerDocument);
            var offset = 0;
            for (var ordinal = 0; ordinal < ChunksPerDocument && start + ordinal < chunks; ordinal++)
            {
                var source = random.Next(pool.Count);
                var words = pool[source].Words;
                var first = random.Next(words.Length);
                var text = string.Join(' ', Enumerable.Range(0, Math.Min(WordsPerChunk, words.Length)).Select(i => words[(first + i) % words.Length]));
                var vector = new float[dimensions];
                double norm = 0;
                for (var i = 0; i < dimensions; i++)
                {
                    vector[i] = poolVectors[source][i] + sigma * Gaussian(random);
                    norm += vector[i] * vector[i];
                }
                var scale = (float)(1 / Math.Sqrt(norm));
                for (var i = 0; i < dimensions; i++) vector[i] *= scale;
                embedded.Add(new EmbeddedChunk(new DocumentChunk(id, ordinal, offset, offset + text.Length, [$"Handbook {d / 100}", pool[source].Title], text), vector));
                offset += text.Length + 2;
            }
            documents.Add(new DocumentReplacement(id, $"synthetic-{seed}-{d}", embedded));
        }

        Directory.CreateDirectory(directory);
        using (var index = DocumentIndex.Open(directory, new DeferredEmbeddingGenerator()))
        {
            // A few large batches: each is one atomic, committed write (the index trains its lists itself as it grows).
            foreach (var batch in documents.Chunk(Math.Max(1, documents.Count / 4)))
            {
                await index.ReplaceDocumentsAsync(Company, batch, CancellationToken.None);
                log.WriteLine($"index: {index.ChunkCount(Company)} chunks written ({clock.Elapsed.TotalSeconds:F0} s)");
            }
            var statistics = index.GetStatistics(Company);
            log.WriteLine($"index: {statistics}");
        }
        await File.WriteAllTextAsync(markerPath, JsonSerializer.Serialize(marker));
        log.WriteLine($"index: built {chunks} chunks in {clock.Elapsed.TotalSeconds:F0} s");
    }

    public sealed record CorpusDocument(string Title, string Text, string[] Words);

    public static IEnumerable<CorpusDocument> ReadCorpus(string corpusGz)
    {
        using var stream = new GZipStream(File.OpenRead(corpusGz), CompressionMode.Decompress);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            var title = json.RootElement.GetProperty("title").GetString() ?? "";
            var text = json.RootElement.GetProperty("text").GetString() ?? "";
            var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length >= 20) yield return new CorpusDocument(title.TrimEnd(' ', '.'), text, words);
        }
    }

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
