namespace Werkly.VectorIndex.Exceptions;

/// <summary>A persisted index file was written in a format version this library cannot read.</summary>
public sealed class IncompatibleFormatException : IOException
{
    /// <summary>Creates the exception naming the file and the versions involved.</summary>
    public IncompatibleFormatException(string filePath, int fileVersion, int supportedVersion)
        : base($"Index file '{filePath}' has format version {fileVersion}; this library reads versions up to {supportedVersion}.")
    {
        FilePath = filePath;
        FileVersion = fileVersion;
        SupportedVersion = supportedVersion;
    }

    /// <summary>The file with the unsupported version.</summary>
    public string FilePath { get; }

    /// <summary>The version found in the file.</summary>
    public int FileVersion { get; }

    /// <summary>The newest version this library reads.</summary>
    public int SupportedVersion { get; }
}
