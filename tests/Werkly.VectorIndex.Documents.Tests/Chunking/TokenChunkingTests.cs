using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Extraction;
using Werkly.VectorIndex.Documents.Ingestion;
using Werkly.VectorIndex.Embeddings.Onnx;

namespace Werkly.VectorIndex.Documents.Tests.Chunking;

/// <summary>Chunks sized in all-MiniLM-L6-v2's own tokens never exceed what it reads, whatever the text.</summary>
public sealed class TokenChunkingTests(MiniLmFixture fixture) : IClassFixture<MiniLmFixture>
{
    private readonly OnnxEmbeddingGenerator _generator = fixture.Generator;

    [Property(MaxTest = 150)]
    public Property Token_sized_chunks_never_exceed_the_models_limit() =>
        Prop.ForAll(
            Gen.Choose(0, 1_000_000).ToArbitrary(),
            Gen.Choose(8, 300).ToArbitrary(),
            Gen.Choose(0, 50).ToArbitrary(),
            (seed, size, overlapPercent) =>
            {
                var doc = Markdown(RandomText(seed));
                var overlap = size * overlapPercent / 100;
                AssertFits(doc, new FixedSizeChunker(_generator.Tokenizer, size, overlap).Chunk("doc", doc), size, overlapping: true);
                AssertFits(doc, new SemanticChunker(_generator.Tokenizer, size, size / 5).Chunk("doc", doc), size, overlapping: false);
            });

    [Fact]
    public void The_default_chunkers_follow_the_models_tokens_and_explicit_sizes_stay_in_characters()
    {
        var fixedSize = Assert.IsType<FixedSizeChunker>(ModelSizing.For(new FixedSizeChunker(), _generator));
        Assert.Same(_generator.Tokenizer, fixedSize.Tokenizer);
        Assert.Equal(254, fixedSize.ChunkSizeTokens); // 256 less [CLS] and [SEP]
        Assert.Equal(254 * FixedSizeChunker.DefaultOverlapTokensPercent / 100, fixedSize.OverlapTokens);
        var semantic = Assert.IsType<SemanticChunker>(ModelSizing.For(new SemanticChunker(), _generator));
        Assert.Equal(254, semantic.MaxChunkTokens);

        var explicitChars = new FixedSizeChunker(1000, 200);
        Assert.Same(explicitChars, ModelSizing.For(explicitChars, _generator));
        var withoutTokenizer = new FixedSizeChunker();
        using var plain = new PlainGenerator();
        Assert.Same(withoutTokenizer, ModelSizing.For(withoutTokenizer, plain));
    }

    [Fact]
    public void The_keys_the_generator_answers_are_the_ones_the_pipeline_asks_for()
    {
        Assert.Equal(ModelSizing.MaxInputTokensKey, OnnxEmbeddingGenerator.MaxInputTokensKey);
        Assert.Equal(ModelSizing.TruncatedInputsKey, OnnxEmbeddingGenerator.TruncatedInputsKey);
    }

    [Fact]
    public async Task Ingestion_reports_truncated_chunks_and_the_default_chunker_leaves_none()
    {
        // Dense technical text: 1,000 characters of it run past MiniLM's 256 tokens.
        var text = string.Join(' ', Enumerable.Range(0, 400).Select(i => $"x{i}=0x{i * 7919:X6};"));
        var documents = new[] { SourceDocument.FromText("dense", text, "dense.txt") };

        var byChars = new DocumentIngestor(_generator, new InMemoryChunkSink(), new DocumentIngestorOptions { Chunker = new FixedSizeChunker(1000, 200) });
        var charResult = await byChars.IngestAsync(documents, "acme");
        Assert.True(charResult.ChunksTruncated > 0, "1,000-character chunks of dense text must overflow 256 tokens");

        IngestProgress? last = null;
        var byTokens = new DocumentIngestor(_generator, new InMemoryChunkSink());
        var tokenResult = await byTokens.IngestAsync(documents, "acme", new SynchronousProgress(p => last = p));
        Assert.Equal(0, tokenResult.ChunksTruncated);
        Assert.True(tokenResult.ChunksWritten > charResult.ChunksWritten);
        Assert.Equal(0, last!.ChunksTruncated);
    }

    private void AssertFits(ExtractedDocument doc, IReadOnlyList<DocumentChunk> chunks, int maxTokens, bool overlapping)
    {
        var text = doc.Text;
        for (var i = 0; i < chunks.Count; i++)
        {
            var c = chunks[i];
            Assert.Equal(i, c.Ordinal);
            Assert.Equal(text[c.Start..c.End], c.Text);
            Assert.False(char.IsWhiteSpace(text[c.Start]), $"chunk {i} starts on whitespace");
            Assert.False(char.IsWhiteSpace(text[c.End - 1]), $"chunk {i} ends on whitespace");
            // What the pipeline embeds (heading path, blank line, text) fits the limit.
            var tokens = _generator.Tokenizer.CountTokens(c.EmbeddingText(includeHeadingPath: true));
            Assert.True(tokens <= maxTokens, $"chunk {i} has {tokens} > {maxTokens} tokens: '{c.EmbeddingText(true)}'");
            if (i > 0)
            {
                var p = chunks[i - 1];
                Assert.True(overlapping ? c.Start > p.Start && c.End > p.End : c.Start >= p.End,
                    $"{(overlapping ? "fixed" : "semantic")}: chunk {i} [{c.Start}, {c.End}) '{c.Text}' does not advance past chunk {i - 1} [{p.Start}, {p.End}) '{p.Text}'");
            }
        }

        var covered = new bool[text.Length];
        foreach (var c in chunks)
            Array.Fill(covered, true, c.Start, c.Length);
        for (var i = 0; i < text.Length; i++)
            Assert.True(covered[i] || char.IsWhiteSpace(text[i]), $"character {i} ('{text[i]}') is in no chunk");
    }

    /// <summary>Prose mixed with what tokenizes densely: long words, CJK runs, numbers, symbols, emoji, headings.</summary>
    private static string RandomText(int seed)
    {
        var rng = new Random(seed);
        string[] words = ["policy", "employee", "the", "approval", "naïve", "café", "reimbursement", "Überweisung", "résumé", "of"];
        var sb = new StringBuilder();
        var pieces = rng.Next(1, 400);
        for (var p = 0; p < pieces; p++)
        {
            switch (rng.Next(12))
            {
                case 0:
                    sb.Append("\n\n").Append(new string('#', rng.Next(1, 4))).Append(' ').Append(words[rng.Next(words.Length)]).Append(" heading ").Append(p).Append("\n\n");
                    break;
                case 1:
                    for (var i = rng.Next(1, 700); i > 0; i--)
                        sb.Append((char)('a' + rng.Next(26))); // a long word: a hash, a URL, base64
                    break;
                case 2:
                    for (var i = rng.Next(1, 600); i > 0; i--)
                        sb.Append((char)(0x4E00 + rng.Next(0x5000))); // CJK, one token per character, no spaces
                    break;
                case 3:
                    sb.Append(rng.Next()).Append('.').Append(rng.Next(1000)).Append(rng.Next(2) == 0 ? "%" : ",000");
                    break;
                case 4:
                    for (var i = rng.Next(1, 80); i > 0; i--)
                        sb.Append(Symbols[rng.Next(Symbols.Length)]); // a token per symbol
                    break;
                case 5:
                    sb.Append("😀🚀").Append(char.ConvertFromUtf32(0x1F600 + rng.Next(80)));
                    break;
                case 6:
                    sb.Append(rng.Next(2) == 0 ? "\n" : "\t");
                    break;
                default:
                    sb.Append(words[rng.Next(words.Length)]);
                    break;
            }

            sb.Append(rng.Next(5) == 0 ? ". " : " ");
        }

        return sb.ToString();
    }

    private const string Symbols = "()[]{}<>=+-*/;:,.!?\"'#@$&|\\~^";

    private static ExtractedDocument Markdown(string text) => new(text, TextStructure.ParseMarkdown(text));

    private sealed class SynchronousProgress(Action<IngestProgress> report) : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) => report(value);
    }

    /// <summary>A generator that offers no tokenizer.</summary>
    private sealed class PlainGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(new float[] { 1, 0 }))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}

/// <summary>The bundled all-MiniLM-L6-v2, loaded once for the class.</summary>
public sealed class MiniLmFixture : IDisposable
{
    public OnnxEmbeddingGenerator Generator { get; } = OnnxEmbeddingGenerator.CreateDefault();

    public void Dispose() => Generator.Dispose();
}
