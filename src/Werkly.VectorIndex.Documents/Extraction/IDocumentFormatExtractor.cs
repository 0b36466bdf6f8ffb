namespace Werkly.VectorIndex.Documents.Extraction;

/// <summary>Extracts text and structure from one family of file formats. Implement it to add a format to
/// <see cref="DocumentTextExtractor"/>.</summary>
/// <remarks>Implementations must be thread-safe: the pipeline extracts several documents at once.</remarks>
public interface IDocumentFormatExtractor
{
    /// <summary>The file extensions this extractor reads, lower case with the leading dot (for example <c>.md</c>).</summary>
    IReadOnlyCollection<string> Extensions { get; }

    /// <summary>Reads <paramref name="content"/> and returns its text and structure.</summary>
    /// <param name="content">The document bytes; the caller owns and disposes the stream.</param>
    /// <param name="fileName">The document's name, for error messages.</param>
    /// <param name="cancellationToken">Cancels extraction.</param>
    /// <remarks>Throw <see cref="Exceptions.DocumentExtractionException"/> for content that cannot be parsed; any other
    /// exception is wrapped in one by <see cref="DocumentTextExtractor"/>.</remarks>
    ValueTask<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken);
}
