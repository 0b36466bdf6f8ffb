using System.Collections.Frozen;
using System.Globalization;
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

    /// <summary>The extractor for every built-in format, with the default size limit.</summary>
    public static DocumentTextExtractor Default { get; } = CreateDefault();

    /// <summary>An extractor for every built-in format: Markdown, plain text, HTML, PDF and DOCX.</summary>
    /// <param name="maxDocumentSizeBytes">Documents larger than this are rejected before they are read into memory.</param>
    public static DocumentTextExtractor CreateDefault(long maxDocumentSizeBytes = DefaultMaxDocumentSizeBytes) => new(
    [
        new MarkdownExtractor(),
        new PlainTextExtractor(),
        new HtmlExtractor(),
        new PdfExtractor(),
        new DocxExtractor(),
    ], maxDocumentSizeBytes);

    /// <summary>The default <see cref="MaxDocumentSizeBytes"/>: 256 MiB.</summary>
    public const long DefaultMaxDocumentSizeBytes = 256L << 20;

    /// <summary>Creates an extractor over the given format extractors; a later one wins for an extension claimed twice.</summary>
    /// <param name="extractors">The format extractors.</param>
    /// <param name="maxDocumentSizeBytes">Documents larger than this are rejected before they are read into memory (1 byte to 2 GiB).</param>
    public DocumentTextExtractor(IEnumerable<IDocumentFormatExtractor> extractors, long maxDocumentSizeBytes = DefaultMaxDocumentSizeBytes)
    {
        ArgumentNullException.ThrowIfNull(extractors);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDocumentSizeBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDocumentSizeBytes, int.MaxValue);
        MaxDocumentSizeBytes = maxDocumentSizeBytes;
        var map = new Dictionary<string, IDocumentFormatExtractor>(StringComparer.OrdinalIgnoreCase);
        foreach (var extractor in extractors)
        {
            foreach (var extension in extractor.Extensions)
                map[extension.StartsWith('.') ? extension : "." + extension] = extractor;
        }
        _byExtension = map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        SupportedExtensions = [.. map.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>The largest document, in bytes, this extractor reads; larger ones throw <see cref="DocumentExtractionException"/>.</summary>
    public long MaxDocumentSizeBytes { get; }

    /// <summary>The supported extensions, lower case with the leading dot, sorted.</summary>
    public IReadOnlyList<string> SupportedExtensions { get; }

    /// <summary>Whether a file with this name has a supported extension.</summary>
    /// <param name="fileName">A file name or path.</param>
    public bool IsSupported(string fileName) => _byExtension.ContainsKey(Path.GetExtension(fileName));

    /// <summary>Enforces <see cref="MaxDocumentSizeBytes"/>: by length for seekable streams, by counting while buffering otherwise.</summary>
    private async ValueTask<Stream> LimitAsync(Stream stream, string name, CancellationToken cancellationToken)
    {
        if (stream.CanSeek)
        {
            if (stream.Length - stream.Position > MaxDocumentSizeBytes)
                throw TooLarge(name, stream.Length - stream.Position);
            return stream;
        }
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxDocumentSizeBytes)
                throw TooLarge(name, buffer.Length + read);
            buffer.Write(chunk, 0, read);
        }
        buffer.Position = 0;
        return buffer;
    }

    private DocumentExtractionException TooLarge(string name, long sizeBytes) =>
        new(name, string.Create(CultureInfo.InvariantCulture, $"the document has at least {sizeBytes} bytes, more than the limit of {MaxDocumentSizeBytes} bytes (MaxDocumentSizeBytes)."));

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
            {
                var content = await LimitAsync(stream, name, cancellationToken).ConfigureAwait(false);
                return await extractor.ExtractAsync(content, name, cancellationToken).ConfigureAwait(false);
            }
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
