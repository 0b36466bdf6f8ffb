namespace Werkly.VectorIndex.Documents.Extraction;

/// <summary>Reads <c>.txt</c> files: the text as is (line endings normalized), paragraphs split on blank lines.</summary>
/// <remarks>Thread-safe (stateless). Encoding: BOM-detected UTF-8/16/32, else UTF-8, else Latin-1; files with NUL bytes are rejected as binary.</remarks>
public sealed class PlainTextExtractor : IDocumentFormatExtractor
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".txt", ".text"];

    /// <inheritdoc />
    public async ValueTask<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        var text = await TextDecoding.ReadAllTextAsync(content, fileName, cancellationToken).ConfigureAwait(false);
        return new ExtractedDocument(text, TextStructure.ParsePlainText(text));
    }
}
