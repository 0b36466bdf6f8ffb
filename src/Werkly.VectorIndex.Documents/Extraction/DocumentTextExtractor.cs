using System.Collections.Frozen;
using Werkly.VectorIndex.Documents.Exceptions;

namespace Werkly.VectorIndex.Documents.Extraction;

/// <summary>Extracts text from a <see cref="SourceDocument"/>, choosing the format extractor by file extension:
/// <c>.md</c>/<c>.markdown</c>, <c>.txt</c>, <c>.html</c>/<c>.htm</c>, <c>.pdf</c> and <c>.docx</c> by default.</summary>
/// <remarks>Thread-safe. Every failure surfaces as one of two typed exceptions naming the file:
/// <see cref="UnsupportedDocumentFormatException"/> for an extension no extractor reads, and
/// <see cref="DocumentExtractionException"/> for a file that is missing, unreadable, corrupt, encrypted or binary.</remarks>
public sealed class DocumentTextExtractor
{
    private readonly FrozenDictionary<string, IDocumentFormatExtractor> _byExtension;

    /// <summary>The extractor for every built-in format.</summary>
    public static DocumentTextExtractor Default { get; } = new(
    [
        new MarkdownExtractor(),
        new PlainTextExtractor(),
        new HtmlExtractor(),
        new PdfExtractor(),
        new DocxExtractor(),
    ]);

    /// <summary>Creates an extractor over the given format extractors; a later one wins for an extension claimed twice.</summary>
    /// <param name="extractors">The format extractors.</param>
    public DocumentTextExtractor(IEnumerable<IDocumentFormatExtractor> extractors)
    {
        ArgumentNullException.ThrowIfNull(extractors);
        var map = new Dictionary<string, IDocumentFormatExtractor>(StringComparer.OrdinalIgnoreCase);
        foreach (var extractor in extractors)
        {
            foreach (var extension in extractor.Extensions)
                map[extension.StartsWith('.') ? extension : "." + extension] = extractor;
        }
        _byExtension = map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        SupportedExtensions = [.. map.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>The supported extensions, lower case with the leading dot, sorted.</summary>
    public IReadOnlyList<string> SupportedExtensions { get; }

    /// <summary>Whether a file with this name has a supported extension.</summary>
    /// <param name="fileName">A file name or path.</param>
    public bool IsSupported(string fileName) => _byExtension.ContainsKey(Path.GetExtension(fileName));

    /// <summary>Extracts the text of <paramref name="document"/>.</summary>
    /// <param name="document">The document.</param>
    /// <param name="cancellationToken">Cancels extraction.</param>
    /// <exception cref="UnsupportedDocumentFormatException">No extractor reads the document's extension.</exception>
    /// <exception cref="DocumentExtractionException">The document is missing, unreadable or cannot be parsed.</exception>
    public async ValueTask<ExtractedDocument> ExtractAsync(SourceDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (!_byExtension.TryGetValue(Path.GetExtension(document.FileName), out var extractor))
            throw new UnsupportedDocumentFormatException(document.FileName, SupportedExtensions);
        var name = document.FilePath ?? document.FileName;
        try
        {
            var stream = await document.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
                return await extractor.ExtractAsync(stream, name, cancellationToken).ConfigureAwait(false);
        }
        catch (DocumentExtractionException)
        {
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (FileNotFoundException e)
        {
            throw new DocumentExtractionException(name, "the file does not exist.", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new DocumentExtractionException(name, "the folder does not exist.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DocumentExtractionException(name, "access is denied.", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Parsers throw a zoo of types for corrupt input (zip, XML, PDF tokenizer errors): name the file, keep the cause.
            throw new DocumentExtractionException(name, $"the file is unreadable or corrupt ({e.GetType().Name}: {e.Message})", e);
        }
    }
}
