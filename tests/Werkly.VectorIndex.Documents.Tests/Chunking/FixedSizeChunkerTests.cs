using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Extraction;

namespace Werkly.VectorIndex.Documents.Tests.Chunking;

public class FixedSizeChunkerTests
{
    private static ExtractedDocument Markdown(string text) => new(text, TextStructure.ParseMarkdown(text));

    [Fact]
    public void Defaults_are_1000_characters_with_200_overlap()
    {
        var chunker = new FixedSizeChunker();
        Assert.Equal(1000, chunker.ChunkSizeChars);
        Assert.Equal(200, chunker.OverlapChars);
        Assert.Equal("fixed-size/v1/size=1000/overlap=200", chunker.Fingerprint);
    }

    [Fact]
    public void Prose_is_cut_into_full_windows_on_word_boundaries_with_overlap()
    {
        var doc = Markdown(ChunkInvariants.Prose(seed: 1, paragraphs: 40, headings: false));
        var chunks = new FixedSizeChunker().Chunk("doc", doc);
        ChunkInvariants.AssertHold(doc, chunks, 1000, 200);
        Assert.True(chunks.Count >= doc.Text.Length / 800 - 1);
        for (var i = 1; i < chunks.Count; i++)
        {
            // Windows are nearly full (a word shorter than 12 characters is lost at most) and overlap by nearly 200.
            Assert.InRange(chunks[i - 1].Length, 1000 - 12, 1000);
            Assert.InRange(chunks[i - 1].End - chunks[i].Start, 200 - 12, 200);
        }
    }

    [Fact]
    public void Short_text_is_one_trimmed_chunk_and_blank_text_is_none()
    {
        var chunks = new FixedSizeChunker().Chunk("d", Markdown("  \n hello world \n"));
        var c = Assert.Single(chunks);
        Assert.Equal("hello world", c.Text);
        Assert.Equal((4, 15), (c.Start, c.End));
        Assert.Empty(new FixedSizeChunker().Chunk("d", Markdown(" \n\t ")));
    }

    [Fact]
    public void A_word_longer_than_the_window_is_the_only_thing_split()
    {
        var longWord = new string('x', 250);
        var text = "short words here " + longWord + " and after";
        var chunks = new FixedSizeChunker(100, 20).Chunk("d", Markdown(text));
        Assert.All(chunks, c => Assert.True(c.Length <= 100));
        Assert.Equal(["short words here", new string('x', 100), new string('x', 100), new string('x', 50) + " and after"], chunks.Select(c => c.Text));
    }

    [Fact]
    public void Surrogate_pairs_are_never_cut()
    {
        var emoji = string.Concat(Enumerable.Repeat("\U0001F600", 30)); // 60 UTF-16 units, one "word"
        var chunks = new FixedSizeChunker(7, 0).Chunk("d", Markdown(emoji));
        Assert.All(chunks, c => Assert.False(char.IsLowSurrogate(c.Text[0])));
        Assert.Equal(emoji, string.Concat(chunks.Select(c => c.Text)));
    }

    [Fact]
    public void Heading_path_is_the_one_in_effect_where_the_chunk_starts()
    {
        var text = "# Handbook\n\nIntro text.\n\n## Vacation\n\n" + string.Join(' ', Enumerable.Repeat("holiday", 40)) +
                   "\n\n### Carry over\n\nFive days carry over.\n\n## Expenses\n\nKeep receipts.";
        var chunks = new FixedSizeChunker(120, 30).Chunk("d", Markdown(text));
        Assert.True(chunks.Count > 4);
        foreach (var c in chunks)
        {
            // Reference: the Markdown headings before the chunk start, applied as a stack.
            var stack = new List<(int Level, string Title)>();
            var offset = 0;
            foreach (var line in text.Split('\n'))
            {
                var lineStart = offset;
                offset += line.Length + 1;
                if (lineStart > c.Start || !line.StartsWith('#'))
                    continue;
                var level = line.TakeWhile(ch => ch == '#').Count();
                stack.RemoveAll(h => h.Level >= level);
                stack.Add((level, line[(level + 1)..]));
            }
            Assert.Equal(stack.Select(h => h.Title), c.HeadingPath);
        }
        Assert.Equal(["Handbook"], chunks[0].HeadingPath);
        Assert.Contains(chunks, c => c.HeadingPath.SequenceEqual(["Handbook", "Vacation"]));
        Assert.Contains(chunks, c => c.HeadingPath.SequenceEqual(["Handbook", "Vacation", "Carry over"]));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(100, 100)]
    [InlineData(100, -1)]
    public void Invalid_settings_are_rejected(int size, int overlap) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedSizeChunker(size, overlap));

    [Property(MaxTest = 200)]
    public Property Invariants_hold_for_any_text_and_settings() =>
        Prop.ForAll(
            Gen.Choose(0, 1000).ToArbitrary(),
            Gen.Choose(5, 300).ToArbitrary(),
            Gen.Choose(0, 99).ToArbitrary(),
            (seed, size, overlapPercent) =>
            {
                var overlap = size * overlapPercent / 100;
                var doc = Markdown(ChunkInvariants.Prose(seed, 1 + seed % 15, headings: seed % 2 == 0));
                ChunkInvariants.AssertHold(doc, new FixedSizeChunker(size, overlap).Chunk("doc", doc), size, overlap);
            });
}
