namespace Werkly.VectorIndex.Exceptions;

/// <summary>Another writer (in this or another process) holds the index directory's write lock.</summary>
public sealed class IndexLockedException : IOException
{
    /// <summary>Creates the exception naming the lock file.</summary>
    public IndexLockedException(string lockFilePath, Exception? innerException = null)
        : base($"The index is opened for writing by another process or instance (lock file '{lockFilePath}'). Close it, or open this one read-only.", innerException)
    {
        LockFilePath = lockFilePath;
    }

    /// <summary>The lock file that is held.</summary>
    public string LockFilePath { get; }
}
