using System.Collections.Frozen;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Werkly.VectorIndex.Documents.Extraction;

/// <summary>Reads <c>.html</c> and <c>.htm</c> files with AngleSharp's HTML5 parser: tags are stripped, entities
/// decoded, <c>script</c>, <c>style</c>, <c>noscript</c>, <c>template</c> and the <c>head</c> dropped; <c>h1</c>–<c>h6</c>
/// become headings and block elements (<c>p</c>, <c>li</c>, <c>div</c>, table rows, …) become paragraphs.</summary>
/// <remarks>Thread-safe: each call uses its own parser. Whitespace is collapsed as a browser would, except inside
/// <c>pre</c>. Table cells of a row are joined with <c>" | "</c>. A page without an <c>h1</c> gets its <c>title</c> as
/// the top heading. The encoding comes from the BOM or a <c>meta charset</c> in the first 1,024 bytes, as the HTML5 spec
/// says; an undeclared page is decoded like a text file (UTF-8, bad bytes replaced with a warning). Binary content under
/// an .html name (an image, an archive) is rejected like any text format's.</remarks>
public sealed class HtmlExtractor : IDocumentFormatExtractor
{
    private static readonly FrozenSet<string> Dropped = FrozenSet.ToFrozenSet(
        ["script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object", "embed", "canvas", "select", "button"],
        StringComparer.Ordinal);

    private static readonly FrozenSet<string> Blocks = FrozenSet.ToFrozenSet(
        ["p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "blockquote", "pre", "ul", "ol", "li",
         "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "caption", "figure", "figcaption", "form", "fieldset",
         "legend", "address", "details", "summary", "hr", "body", "html", "center", "hgroup"],
        StringComparer.Ordinal);

    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".html", ".htm"];

    /// <inheritdoc />
    public async ValueTask<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var bytes = await TextDecoding.ReadAllBytesAsync(content, cancellationToken).ConfigureAwait(false);
        var parser = new HtmlParser();
        string? warning = null;
        IDocument document;
        if (TextDecoding.DetectByteOrderMark(bytes) is null && DeclaresCharset(bytes))
        {
            // The page names its encoding: the parser decodes it as the HTML spec says, once the bytes are known to be text.
            TextDecoding.RejectBinary(bytes, fileName);
            document = await parser.ParseDocumentAsync(new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            (var text, warning) = TextDecoding.Decode(bytes, fileName);
            document = await parser.ParseDocumentAsync(text, cancellationToken).ConfigureAwait(false);
        }
        using var _ = document;
        var builder = new StructuredTextBuilder();
        var root = (INode?)document.Body ?? document.DocumentElement;
        // A page without an <h1> is still about its <title>: make it the top heading so chunks carry it in their path.
        if (document.Title is { Length: > 0 } title && document.QuerySelector("body h1") is null)
            builder.AddHeading(1, title);
        if (root is not null)
            Walk(root, builder, preformatted: false, cancellationToken);
        var extracted = builder.Build();
        return warning is null ? extracted : new ExtractedDocument(extracted.Text, extracted.Blocks) { Warnings = [warning] };
    }

    /// <summary>Whether the first 1,024 bytes (where the HTML spec's prescan looks) declare a character encoding.</summary>
    private static bool DeclaresCharset(ReadOnlySpan<byte> bytes) =>
        System.Text.Encoding.Latin1.GetString(bytes[..Math.Min(bytes.Length, 1024)]).Contains("charset", StringComparison.OrdinalIgnoreCase);

    private static void Walk(INode node, StructuredTextBuilder builder, bool preformatted, CancellationToken cancellationToken)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText text:
                    builder.AppendInline(text.Data, preformatted);
                    break;
                case IElement element:
                    VisitElement(element, builder, preformatted, cancellationToken);
                    break;
            }
        }
    }

    private static void VisitElement(IElement element, StructuredTextBuilder builder, bool preformatted, CancellationToken cancellationToken)
    {
        var name = element.LocalName;
        if (Dropped.Contains(name) || element.HasAttribute("hidden"))
            return;
        if (name.Length == 2 && name[0] == 'h' && name[1] is >= '1' and <= '6')
        {
            cancellationToken.ThrowIfCancellationRequested();
            builder.AddHeading(name[1] - '0', element.TextContent);
            return;
        }
        switch (name)
        {
            case "br":
                builder.LineBreak();
                return;
            case "td" or "th":
                if (element.PreviousElementSibling is not null)
                    builder.AppendInline(" | ", preserveWhitespace: true);
                Walk(element, builder, preformatted, cancellationToken);
                return;
            case "img":
                // Alt text is content a reader would see when the image does not load.
                if (element.GetAttribute("alt") is { Length: > 0 } alt)
                    builder.AppendInline(" " + alt + " ");
                return;
        }
        var block = Blocks.Contains(name);
        if (block)
            builder.EndParagraph();
        Walk(element, builder, preformatted || name == "pre", cancellationToken);
        if (block)
            builder.EndParagraph();
    }
}
