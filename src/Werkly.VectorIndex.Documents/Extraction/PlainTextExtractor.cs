namespace Werkly.VectorIndex.Documents.Extraction;

/// <summary>Reads <c>.txt</c> files: the text as is (line endings normalized), paragraphs split on blank lines.</summary>
/// <remarks>Thread-safe (stateless). Encoding: BOM-detected UTF-8/16/32, else UTF-8 (bad bytes replaced with U+FFFD and a warning), else Windows-1252 with a warning; binary content is rejected (see <see cref="DocumentTextExtractor"/>).</remarks>
public sealed class PlainTextExtractor : IDocumentFormatExtractor
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".txt", ".text"];

    /// <inheritdoc />
    public async ValueTask<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        var (text, warning) = await TextDecoding.ReadAllTextAsync(content, fileName, cancellationToken).ConfigureAwait(false);
        return new ExtractedDocument(text, TextStructure.ParsePlainText(text)) { Warnings = warning is null ? [] : [warning] };
    }
}
