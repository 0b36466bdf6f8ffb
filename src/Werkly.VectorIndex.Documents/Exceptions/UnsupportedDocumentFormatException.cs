namespace Werkly.VectorIndex.Documents.Exceptions;

/// <summary>A document's file extension names a format the pipeline cannot extract text from.</summary>
/// <remarks>The message names the file and lists the supported extensions, so a caller can show it to a user as is.</remarks>
public sealed class UnsupportedDocumentFormatException : NotSupportedException
{
    /// <summary>Creates the exception for <paramref name="fileName"/>.</summary>
    /// <param name="fileName">The file (or document) name whose extension is not supported.</param>
    /// <param name="supportedExtensions">The extensions that are supported, with their leading dot.</param>
    public UnsupportedDocumentFormatException(string fileName, IReadOnlyCollection<string> supportedExtensions)
        : base(BuildMessage(fileName, supportedExtensions))
    {
        FileName = fileName;
        Extension = System.IO.Path.GetExtension(fileName);
        SupportedExtensions = supportedExtensions;
    }

    /// <summary>The file (or document) name that was rejected.</summary>
    public string FileName { get; }

    /// <summary>The rejected extension with its leading dot, or an empty string when the name has none.</summary>
    public string Extension { get; }

    /// <summary>The extensions that are supported, with their leading dot.</summary>
    public IReadOnlyCollection<string> SupportedExtensions { get; }

    private static string BuildMessage(string fileName, IReadOnlyCollection<string> supportedExtensions)
    {
        var extension = System.IO.Path.GetExtension(fileName);
        var what = extension.Length == 0 ? "has no file extension" : $"has the unsupported format '{extension}'";
        return $"Document '{fileName}' {what}. Supported formats: {string.Join(", ", supportedExtensions)}.";
    }
}
