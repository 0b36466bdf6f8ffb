namespace Werkly.VectorIndex.Documents.Extraction;

/// <summary>Reads <c>.md</c> and <c>.markdown</c> files. The extracted text is the Markdown source (line endings
/// normalized): its markup is readable text, and keeping it makes chunk ranges point straight into the file.
/// Headings and paragraphs come from <see cref="TextStructure.ParseMarkdown"/>.</summary>
/// <remarks>Thread-safe (stateless).</remarks>
public sealed class MarkdownExtractor : IDocumentFormatExtractor
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".md", ".markdown"];

    /// <inheritdoc />
    public async ValueTask<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        var (text, warning) = await TextDecoding.ReadAllTextAsync(content, fileName, cancellationToken).ConfigureAwait(false);
        return new ExtractedDocument(text, TextStructure.ParseMarkdown(text)) { Warnings = warning is null ? [] : [warning] };
    }
}
