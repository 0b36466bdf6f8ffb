namespace Werkly.VectorIndex.Documents.Extraction;

/// <summary>What a <see cref="TextBlock"/> is.</summary>
public enum TextBlockKind
{
    /// <summary>Body text: a paragraph, list, table row, code block or page text.</summary>
    Paragraph,

    /// <summary>A heading (Markdown <c>#</c>, HTML <c>h1</c>–<c>h6</c>, a Word heading style).</summary>
    Heading,
}

/// <summary>One structural block of an <see cref="ExtractedDocument"/>: a heading or a paragraph, as a character range
/// [<see cref="Start"/>, <see cref="End"/>) into <see cref="ExtractedDocument.Text"/>.</summary>
/// <param name="Kind">Heading or paragraph.</param>
/// <param name="Start">First character of the block in the extracted text.</param>
/// <param name="End">One past the last character of the block in the extracted text.</param>
/// <param name="HeadingLevel">1 (top) to 6 for headings; 0 for paragraphs.</param>
/// <param name="HeadingText">The heading's title without markup (no leading <c>#</c>); <see langword="null"/> for paragraphs.</param>
public readonly record struct TextBlock(TextBlockKind Kind, int Start, int End, int HeadingLevel = 0, string? HeadingText = null)
{
    /// <summary>The block's length in characters.</summary>
    public int Length => End - Start;
}
