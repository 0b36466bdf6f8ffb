namespace Werkly.VectorIndex.Documents.Exceptions;

/// <summary>A document could not be read or its content could not be parsed (missing, unreadable, corrupt, encrypted or binary).</summary>
/// <remarks>The message names the file and the reason; <see cref="Exception.InnerException"/> holds the underlying
/// I/O or parser error when there is one.</remarks>
public sealed class DocumentExtractionException : IOException
{
    /// <summary>Creates the exception for <paramref name="fileName"/>.</summary>
    /// <param name="fileName">The file (or document) name that failed.</param>
    /// <param name="reason">What went wrong, phrased so it completes "Could not extract text from 'file': …".</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public DocumentExtractionException(string fileName, string reason, Exception? innerException = null)
        : base($"Could not extract text from '{fileName}': {reason}", innerException)
    {
        FileName = fileName;
        Reason = reason;
    }

    /// <summary>The file (or document) name that failed.</summary>
    public string FileName { get; }

    /// <summary>What went wrong.</summary>
    public string Reason { get; }
}
