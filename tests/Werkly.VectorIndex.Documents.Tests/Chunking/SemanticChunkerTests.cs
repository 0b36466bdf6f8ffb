using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Extraction;

namespace Werkly.VectorIndex.Documents.Tests.Chunking;

public class SemanticChunkerTests
{
    private static ExtractedDocument Markdown(string text) => new(text, TextStructure.ParseMarkdown(text));

    private static string Words(string word, int count) => string.Join(' ', Enumerable.Repeat(word, count)) + ".";

    [Fact]
    public void Sections_become_chunks_with_their_heading_and_path()
    {
        var text = $"# Handbook\n\n## Vacation\n\n{Words("rest", 60)}\n\n{Words("leave", 40)}\n\n## Expenses\n\n{Words("receipt", 50)}";
        var chunks = new SemanticChunker(maxChunkChars: 1000, minChunkChars: 100).Chunk("d", Markdown(text));
        Assert.Equal(2, chunks.Count);
        // "# Handbook" alone is glued to the section that follows it.
        Assert.StartsWith("# Handbook\n\n## Vacation", chunks[0].Text);
        Assert.Equal(["Handbook", "Vacation"], chunks[0].HeadingPath);
        Assert.Contains("leave", chunks[0].Text);
        Assert.DoesNotContain("Expenses", chunks[0].Text);
        Assert.StartsWith("## Expenses", chunks[1].Text);
        Assert.Equal(["Handbook", "Expenses"], chunks[1].HeadingPath);
        Assert.Equal("Handbook › Expenses", chunks[1].HeadingPathText);
    }

    [Fact]
    public void Paragraphs_merge_up_to_the_maximum_then_a_new_chunk_starts()
    {
        var paragraphs = Enumerable.Range(0, 10).Select(i => Words("p" + i, 30)).ToArray(); // ~100 characters each
        var text = "# Title\n\n" + string.Join("\n\n", paragraphs);
        var chunks = new SemanticChunker(maxChunkChars: 350, minChunkChars: 0).Chunk("d", Markdown(text));
        ChunkInvariants.AssertHold(Markdown(text), chunks, 350, 0, "d");
        // Chunks end at paragraph ends, never mid-paragraph.
        foreach (var c in chunks)
            Assert.EndsWith(".", c.Text);
        Assert.True(chunks.Count is >= 3 and <= 5, $"{chunks.Count} chunks");
        Assert.All(chunks, c => Assert.Equal(["Title"], c.HeadingPath));
    }

    [Fact]
    public void A_long_paragraph_is_split_at_sentence_ends()
    {
        var sentences = Enumerable.Range(0, 30).Select(i => $"Sentence number {i} talks about the travel policy in some detail.").ToArray();
        var text = string.Join(' ', sentences);
        var chunks = new SemanticChunker(maxChunkChars: 300, minChunkChars: 0).Chunk("d", Markdown(text));
        ChunkInvariants.AssertHold(Markdown(text), chunks, 300, 0, "d");
        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c => Assert.EndsWith("detail.", c.Text));
    }

    [Fact]
    public void A_small_section_grows_into_the_next_with_the_common_heading_path()
    {
        var text = $"# Guide\n\n## A\n\nTiny.\n\n## B\n\n{Words("bee", 20)}\n\n## C\n\n{Words("sea", 200)}";
        var chunks = new SemanticChunker(maxChunkChars: 500, minChunkChars: 100).Chunk("d", Markdown(text));
        Assert.Contains("Tiny.", chunks[0].Text);
        Assert.Contains("## B", chunks[0].Text);
        Assert.Equal(["Guide"], chunks[0].HeadingPath);
        Assert.True(chunks.Skip(1).All(c => c.HeadingPath.SequenceEqual(["Guide", "C"])));
    }

    [Fact]
    public async Task Html_headings_drive_sections_too()
    {
        const string html = "<h1>Security</h1><p>Lock your screen.</p><h2>Passwords</h2><p>Use a manager.</p>";
        var doc = await new HtmlExtractor().ExtractAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(html)), "s.html", default);
        var chunks = new SemanticChunker(maxChunkChars: 1000, minChunkChars: 0).Chunk("s", doc);
        Assert.Equal(2, chunks.Count);
        Assert.Equal("Security\n\nLock your screen.", chunks[0].Text);
        Assert.Equal(["Security", "Passwords"], chunks[1].HeadingPath);
    }

    [Fact]
    public void A_document_without_blocks_is_split_as_plain_text()
    {
        var text = Words("alpha", 50) + "\n\n" + Words("beta", 50);
        var chunks = new SemanticChunker(maxChunkChars: 300, minChunkChars: 0).Chunk("d", new ExtractedDocument(text, []));
        Assert.Equal(2, chunks.Count);
        Assert.StartsWith("beta", chunks[1].Text);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(100, 101)]
    [InlineData(100, -1)]
    public void Invalid_settings_are_rejected(int max, int min) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SemanticChunker(max, min));

    [Property(MaxTest = 200)]
    public Property Invariants_hold_for_any_text_and_settings() =>
        Prop.ForAll(
            Gen.Choose(0, 1000).ToArbitrary(),
            Gen.Choose(5, 1200).ToArbitrary(),
            Gen.Choose(0, 100).ToArbitrary(),
            (seed, max, minPercent) =>
            {
                var doc = Markdown(ChunkInvariants.Prose(seed, 1 + seed % 15, headings: seed % 2 == 0));
                var chunks = new SemanticChunker(max, max * minPercent / 100).Chunk("doc", doc);
                ChunkInvariants.AssertHold(doc, chunks, max, maxOverlapChars: 0);
            });
}
