namespace Werkly.VectorIndex.Documents.Extraction;

/// <summary>Finds headings and paragraphs in plain and Markdown text.</summary>
/// <remarks>Markdown: ATX headings (<c># Title</c>, up to three spaces of indent) and setext headings (a one-line
/// paragraph underlined with <c>===</c> or <c>---</c>); fenced code blocks (<c>```</c>, <c>~~~</c>) are one paragraph and
/// nothing inside them is a heading. Blank lines separate paragraphs. Thread-safe (stateless).</remarks>
public static class TextStructure
{
    /// <summary>The paragraphs of plain text: runs of non-blank lines separated by blank lines.</summary>
    /// <param name="text">Text with <c>\n</c> line endings.</param>
    public static IReadOnlyList<TextBlock> ParsePlainText(string text) => Parse(text, markdown: false);

    /// <summary>The headings and paragraphs of Markdown text.</summary>
    /// <param name="text">Text with <c>\n</c> line endings.</param>
    public static IReadOnlyList<TextBlock> ParseMarkdown(string text) => Parse(text, markdown: true);

    private static List<TextBlock> Parse(string text, bool markdown)
    {
        ArgumentNullException.ThrowIfNull(text);
        var blocks = new List<TextBlock>();
        var paragraphStart = -1; // start of the open paragraph, or -1
        var paragraphLines = 0;
        var paragraphEnd = 0;
        string? fence = null;    // the open code fence marker, or null
        var pos = 0;
        while (pos < text.Length)
        {
            var lineEnd = text.IndexOf('\n', pos);
            if (lineEnd < 0)
                lineEnd = text.Length;
            var line = text.AsSpan(pos, lineEnd - pos);
            var trimmed = line.Trim();
            var indent = line.Length - line.TrimStart().Length;

            if (fence is not null)
            {
                paragraphEnd = lineEnd;
                if (trimmed.StartsWith(fence, StringComparison.Ordinal) && trimmed.TrimStart(fence[0]).IsWhiteSpace())
                {
                    AddParagraph(blocks, text, paragraphStart, paragraphEnd);
                    paragraphStart = -1;
                    fence = null;
                }
            }
            else if (trimmed.IsEmpty)
            {
                CloseParagraph();
            }
            else if (markdown && indent <= 3 && TryFence(trimmed, out var marker))
            {
                CloseParagraph();
                fence = marker;
                paragraphStart = pos;
                paragraphEnd = lineEnd;
            }
            else if (markdown && indent <= 3 && TryAtxHeading(trimmed, out var level, out var title))
            {
                CloseParagraph();
                var start = pos + indent;
                blocks.Add(new TextBlock(TextBlockKind.Heading, start, start + trimmed.Length, level, title));
            }
            else if (markdown && indent <= 3 && paragraphStart >= 0 && paragraphLines == 1 && IsSetextUnderline(trimmed, out var setextLevel))
            {
                var start = paragraphStart;
                while (char.IsWhiteSpace(text[start]))
                    start++;
                var setextTitle = text.AsSpan(start, paragraphEnd - start).TrimEnd().ToString();
                blocks.Add(new TextBlock(TextBlockKind.Heading, start, pos + indent + trimmed.Length, setextLevel, setextTitle));
                paragraphStart = -1;
            }
            else
            {
                if (paragraphStart < 0)
                {
                    paragraphStart = pos;
                    paragraphLines = 0;
                }
                paragraphLines++;
                paragraphEnd = lineEnd;
            }
            pos = lineEnd + 1;
        }
        CloseParagraph();
        return blocks;

        void CloseParagraph()
        {
            if (paragraphStart >= 0)
                AddParagraph(blocks, text, paragraphStart, paragraphEnd);
            paragraphStart = -1;
            fence = null;
        }
    }

    private static void AddParagraph(List<TextBlock> blocks, string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
            start++;
        while (end > start && char.IsWhiteSpace(text[end - 1]))
            end--;
        if (end > start)
            blocks.Add(new TextBlock(TextBlockKind.Paragraph, start, end));
    }

    private static bool TryFence(ReadOnlySpan<char> line, out string marker)
    {
        marker = "";
        if (line.Length < 3 || (line[0] != '`' && line[0] != '~'))
            return false;
        var n = 0;
        while (n < line.Length && line[n] == line[0])
            n++;
        if (n < 3)
            return false;
        marker = new string(line[0], n);
        return true;
    }

    private static bool TryAtxHeading(ReadOnlySpan<char> line, out int level, out string title)
    {
        level = 0;
        title = "";
        while (level < line.Length && line[level] == '#')
            level++;
        if (level is 0 or > 6 || (level < line.Length && line[level] != ' ' && line[level] != '\t'))
            return false;
        var rest = line[level..].Trim();
        // Optional closing sequence: "## Title ##".
        var closing = rest.TrimEnd('#');
        if (closing.Length < rest.Length && (closing.Length == 0 || closing[^1] is ' ' or '\t'))
            rest = closing.TrimEnd();
        title = rest.ToString();
        return true;
    }

    private static bool IsSetextUnderline(ReadOnlySpan<char> line, out int level)
    {
        level = line[0] switch { '=' => 1, '-' => 2, _ => 0 };
        return level != 0 && line.TrimEnd(line[0]).IsEmpty;
    }
}
