using System.Text;

namespace Werkly.VectorIndex.Documents.Extraction;

/// <summary>Accumulates text block by block for formats with a DOM (HTML, DOCX, PDF): inline text is whitespace-collapsed
/// into the open paragraph, and finished blocks are joined with a blank line.</summary>
internal sealed class StructuredTextBuilder
{
    private readonly StringBuilder _text = new();
    private readonly StringBuilder _paragraph = new();
    private readonly List<TextBlock> _blocks = [];
    private bool _pendingSpace;

    /// <summary>Appends inline text to the open paragraph; runs of whitespace become one space unless <paramref name="preserveWhitespace"/>.</summary>
    public void AppendInline(ReadOnlySpan<char> text, bool preserveWhitespace = false)
    {
        foreach (var c in text)
        {
            if (c == '\r')
                continue;
            if (!preserveWhitespace && char.IsWhiteSpace(c))
            {
                _pendingSpace = _paragraph.Length > 0;
                continue;
            }
            if (_pendingSpace && _paragraph.Length > 0 && _paragraph[^1] != '\n')
                _paragraph.Append(' ');
            _pendingSpace = false;
            _paragraph.Append(c == '\u00A0' ? ' ' : c);
        }
    }

    /// <summary>A hard line break inside the open paragraph.</summary>
    public void LineBreak()
    {
        TrimParagraphEnd();
        if (_paragraph.Length > 0)
            _paragraph.Append('\n');
        _pendingSpace = false;
    }

    /// <summary>Appends <paramref name="lines"/> to the open paragraph with a hard line break between each two (each line
    /// whitespace-collapsed as by <see cref="AppendInline"/>), then closes the paragraph.</summary>
    public void AddLines(ReadOnlySpan<string> lines)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            if (i > 0)
                LineBreak();
            AppendInline(lines[i]);
        }
        EndParagraph();
    }

    /// <summary>Closes the open paragraph, if it holds any text.</summary>
    public void EndParagraph()
    {
        TrimParagraphEnd();
        var start = 0;
        while (start < _paragraph.Length && char.IsWhiteSpace(_paragraph[start]))
            start++;
        if (start < _paragraph.Length)
        {
            var content = _paragraph.ToString(start, _paragraph.Length - start);
            var blockStart = Separate();
            _text.Append(content);
            _blocks.Add(new TextBlock(TextBlockKind.Paragraph, blockStart, _text.Length));
        }
        _paragraph.Clear();
        _pendingSpace = false;
    }

    /// <summary>Closes the open paragraph and adds a heading (whitespace collapsed; empty titles are dropped).</summary>
    public void AddHeading(int level, string title)
    {
        EndParagraph();
        var collapsed = string.Join(' ', title.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Replace('\u00A0', ' ').Trim();
        if (collapsed.Length == 0)
            return;
        var start = Separate();
        _text.Append(collapsed);
        _blocks.Add(new TextBlock(TextBlockKind.Heading, start, _text.Length, Math.Clamp(level, 1, 6), collapsed));
    }

    public ExtractedDocument Build()
    {
        EndParagraph();
        return new ExtractedDocument(_text.ToString(), _blocks);
    }

    private int Separate()
    {
        if (_text.Length > 0)
            _text.Append("\n\n");
        return _text.Length;
    }

    private void TrimParagraphEnd()
    {
        var end = _paragraph.Length;
        while (end > 0 && _paragraph[end - 1] is ' ' or '\t')
            end--;
        _paragraph.Length = end;
    }
}
