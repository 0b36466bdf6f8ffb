using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Werkly.VectorIndex.Documents.Extraction;

/// <summary>Reads Word <c>.docx</c> files with the Open XML SDK: every body paragraph (tables included) in document
/// order; paragraphs styled as headings (<c>Title</c>, <c>Heading 1</c>–<c>6</c>, or with an outline level) become headings.</summary>
/// <remarks>Thread-safe: each call opens its own package. Tabs, line breaks and non-breaking hyphens are kept;
/// deleted revisions, field codes, headers, footers and comments are not part of the text.</remarks>
public sealed class DocxExtractor : IDocumentFormatExtractor
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".docx"];

    /// <inheritdoc />
    public async ValueTask<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var bytes = await TextDecoding.ReadAllBytesAsync(content, cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false);
        using var word = WordprocessingDocument.Open(buffer, isEditable: false);
        var main = word.MainDocumentPart;
        var body = main?.Document?.Body;
        var builder = new StructuredTextBuilder();
        if (body is null)
            return builder.Build();
        var headingLevels = HeadingStyles(main!);
        var text = new System.Text.StringBuilder();
        foreach (var paragraph in body.Descendants<Paragraph>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            text.Clear();
            AppendRunText(paragraph, text);
            var level = HeadingLevel(paragraph, headingLevels);
            if (level > 0)
            {
                builder.AddHeading(level, text.ToString());
                continue;
            }
            builder.AddLines(text.ToString().Split('\n'));
        }
        return builder.Build();
    }

    private static void AppendRunText(Paragraph paragraph, System.Text.StringBuilder text)
    {
        foreach (var element in paragraph.Descendants())
        {
            switch (element)
            {
                case DocumentFormat.OpenXml.Wordprocessing.Text t:
                    text.Append(t.Text);
                    break;
                case TabChar:
                    text.Append('\t');
                    break;
                case Break or CarriageReturn:
                    text.Append('\n');
                    break;
                case NoBreakHyphen:
                    text.Append('-');
                    break;
            }
        }
    }

    private static int HeadingLevel(Paragraph paragraph, Dictionary<string, int> headingLevels)
    {
        var properties = paragraph.ParagraphProperties;
        if (properties?.OutlineLevel?.Val?.Value is int outline && outline < 9)
            return Math.Min(outline + 1, 6);
        var styleId = properties?.ParagraphStyleId?.Val?.Value;
        return styleId is not null && headingLevels.TryGetValue(styleId, out var level) ? level : 0;
    }

    /// <summary>Style id → heading level, from the style names ("heading 2", "Title") or their outline level,
    /// so localized style ids ("berschrift1") still count.</summary>
    private static Dictionary<string, int> HeadingStyles(MainDocumentPart main)
    {
        var map = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["Title"] = 1 };
        for (var i = 1; i <= 9; i++)
            map["Heading" + i.ToString(CultureInfo.InvariantCulture)] = Math.Min(i, 6);
        var styles = main.StyleDefinitionsPart?.Styles;
        if (styles is null)
            return map;
        foreach (var style in styles.Elements<Style>())
        {
            if (style.StyleId?.Value is not { } id)
                continue;
            var name = style.StyleName?.Val?.Value ?? "";
            if (style.StyleParagraphProperties?.OutlineLevel?.Val?.Value is int outline && outline < 9)
                map[id] = Math.Min(outline + 1, 6);
            else if (name.Equals("title", StringComparison.OrdinalIgnoreCase))
                map[id] = 1;
            else if (name.StartsWith("heading ", StringComparison.OrdinalIgnoreCase)
                     && int.TryParse(name.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out var level) && level is >= 1 and <= 9)
                map[id] = Math.Min(level, 6);
        }
        return map;
    }
}
