namespace Werkly.VectorIndex.Documents.Extraction;

/// <summary>The text of a document, with line endings normalized to <c>\n</c>, and its structure as headings and paragraphs.</summary>
/// <remarks>Chunk character ranges point into <see cref="Text"/>. Blocks are in document order, do not overlap and
/// never start or end on whitespace. Instances are immutable and thread-safe.</remarks>
public sealed class ExtractedDocument
{
    /// <summary>Creates an extracted document, checking that the blocks are ordered, within the text and not overlapping.</summary>
    /// <param name="text">The extracted text.</param>
    /// <param name="blocks">Its headings and paragraphs in document order.</param>
    /// <exception cref="ArgumentException">A block lies outside the text, is empty, or overlaps the previous block.</exception>
    public ExtractedDocument(string text, IReadOnlyList<TextBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(blocks);
        var previousEnd = 0;
        for (var i = 0; i < blocks.Count; i++)
        {
            var b = blocks[i];
            if (b.Start < previousEnd || b.End <= b.Start || b.End > text.Length)
                throw new ArgumentException($"Block {i} [{b.Start},{b.End}) is empty, outside the text of {text.Length} characters or overlaps the previous block.", nameof(blocks));
            if (b.Kind == TextBlockKind.Heading && (b.HeadingLevel is < 1 or > 6 || b.HeadingText is null))
                throw new ArgumentException($"Heading block {i} needs a level from 1 to 6 and a title.", nameof(blocks));
            previousEnd = b.End;
        }
        Text = text;
        Blocks = blocks;
    }

    /// <summary>The extracted text.</summary>
    public string Text { get; }

    /// <summary>Headings and paragraphs in document order.</summary>
    public IReadOnlyList<TextBlock> Blocks { get; }

    /// <summary>What the extractor had to guess or repair (for example bytes that were not valid UTF-8), one sentence each;
    /// empty when the document read cleanly. The text is usable either way; the warnings tell a user what to fix.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Whether the document holds no text: empty, whitespace only, or nothing a reader would see (an HTML page of
    /// scripts). Such a document has nothing to search; ingestion skips it.</summary>
    public bool IsEmpty => Blocks.Count == 0 || string.IsNullOrWhiteSpace(Text);
}
