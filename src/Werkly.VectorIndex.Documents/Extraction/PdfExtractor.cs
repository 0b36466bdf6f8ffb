using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;
using UglyToad.PdfPig.Exceptions;
using Werkly.VectorIndex.Documents.Exceptions;

namespace Werkly.VectorIndex.Documents.Extraction;

/// <summary>Reads <c>.pdf</c> files with PdfPig: the text of every page in content order, paragraphs split on blank
/// lines; pages are separated by a blank line.</summary>
/// <remarks>Thread-safe: each call opens its own document. PDFs have no reliable heading markup, so every block is a
/// paragraph. Scanned pages without a text layer yield no text (there is no OCR). Encrypted files throw
/// <see cref="DocumentExtractionException"/>.</remarks>
public sealed class PdfExtractor : IDocumentFormatExtractor
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Extensions { get; } = [".pdf"];

    /// <inheritdoc />
    public async ValueTask<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var bytes = await TextDecoding.ReadAllBytesAsync(content, cancellationToken).ConfigureAwait(false);
        try
        {
            using var pdf = PdfDocument.Open(bytes.Offset == 0 && bytes.Count == bytes.Array!.Length ? bytes.Array : bytes.ToArray());
            var builder = new StructuredTextBuilder();
            foreach (var page in pdf.GetPages())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var pageText = TextDecoding.NormalizeLineEndings(ContentOrderTextExtractor.GetText(page));
                foreach (var paragraph in pageText.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    builder.AddLines(paragraph.Split('\n', StringSplitOptions.TrimEntries));
            }
            return builder.Build();
        }
        catch (PdfDocumentEncryptedException e)
        {
            throw new DocumentExtractionException(fileName, "the PDF is encrypted; decrypt it first.", e);
        }
    }
}
