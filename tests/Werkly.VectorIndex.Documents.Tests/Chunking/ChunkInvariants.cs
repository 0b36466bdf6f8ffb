using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Extraction;

namespace Werkly.VectorIndex.Documents.Tests.Chunking;

/// <summary>Checks that must hold for every chunker: ranges, text, ordinals, word boundaries and coverage.</summary>
internal static class ChunkInvariants
{
    public static void AssertHold(ExtractedDocument doc, IReadOnlyList<DocumentChunk> chunks, int maxChars, int maxOverlapChars, string documentId = "doc")
    {
        var text = doc.Text;
        var longestWord = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(w => w.Length).DefaultIfEmpty(0).Max();
        for (var i = 0; i < chunks.Count; i++)
        {
            var c = chunks[i];
            Assert.Equal(documentId, c.DocumentId);
            Assert.Equal(i, c.Ordinal);
            Assert.InRange(c.Start, 0, text.Length - 1);
            Assert.InRange(c.End, c.Start + 1, text.Length);
            Assert.Equal(text[c.Start..c.End], c.Text);
            Assert.True(c.Length <= maxChars, $"chunk {i} has {c.Length} > {maxChars} characters");
            Assert.False(char.IsWhiteSpace(text[c.Start]), $"chunk {i} starts on whitespace");
            Assert.False(char.IsWhiteSpace(text[c.End - 1]), $"chunk {i} ends on whitespace");
            if (longestWord <= maxChars)
            {
                Assert.False(WordBoundaries.InsideWord(text, c.Start), $"chunk {i} starts inside a word");
                Assert.False(WordBoundaries.InsideWord(text, c.End), $"chunk {i} ends inside a word");
            }
            if (i > 0)
            {
                var p = chunks[i - 1];
                Assert.True(c.Start > p.Start && c.End > p.End, $"chunk {i} does not advance past chunk {i - 1}");
                Assert.True(p.End - c.Start <= maxOverlapChars, $"chunks {i - 1} and {i} overlap by {p.End - c.Start} > {maxOverlapChars}");
            }
        }
        // Every non-whitespace character is in some chunk.
        var covered = new bool[text.Length];
        foreach (var c in chunks)
            Array.Fill(covered, true, c.Start, c.Length);
        for (var i = 0; i < text.Length; i++)
            Assert.True(covered[i] || char.IsWhiteSpace(text[i]), $"character {i} ('{text[i]}') is in no chunk");
    }

    /// <summary>Deterministic prose-like text: sentences of words, paragraphs, optional Markdown headings.</summary>
    public static string Prose(int seed, int paragraphs, bool headings)
    {
        var rng = new Random(seed);
        string[] words = ["policy", "employee", "the", "a", "vacation", "approval", "manager", "days", "expense", "receipt",
            "laptop", "security", "must", "should", "within", "request", "travel", "hotel", "remote", "office", "of", "to"];
        var sb = new System.Text.StringBuilder();
        for (var p = 0; p < paragraphs; p++)
        {
            if (headings && p % 3 == 0)
                sb.Append(new string('#', 1 + p % 2)).Append(" Section ").Append(p).Append("\n\n");
            var sentences = rng.Next(1, 12);
            for (var s = 0; s < sentences; s++)
            {
                var n = rng.Next(4, 20);
                for (var w = 0; w < n; w++)
                    sb.Append(w == 0 ? "" : " ").Append(words[rng.Next(words.Length)]);
                sb.Append(". ");
            }
            sb.Append("\n\n");
        }
        return sb.ToString();
    }
}
