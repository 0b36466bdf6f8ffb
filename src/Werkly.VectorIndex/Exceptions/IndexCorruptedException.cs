namespace Werkly.VectorIndex.Exceptions;

/// <summary>A file of a persisted index failed validation: bad magic, checksum mismatch, truncation, or a missing file.</summary>
public sealed class IndexCorruptedException : IOException
{
    /// <summary>Creates the exception naming the file, the byte offset where the damage was found, and what was wrong.</summary>
    public IndexCorruptedException(string filePath, long offset, string problem, Exception? innerException = null)
        : base($"Index file '{filePath}' is corrupted at offset {offset}: {problem}", innerException)
    {
        FilePath = filePath;
        Offset = offset;
    }

    /// <summary>The damaged file.</summary>
    public string FilePath { get; }

    /// <summary>The byte offset in <see cref="FilePath"/> where the damage was detected (-1 when the file is missing).</summary>
    public long Offset { get; }
}
