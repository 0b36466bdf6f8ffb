namespace Werkly.VectorIndex.Storage;

/// <summary>
/// The only way the storage layer touches the file system: create, append, read, sync, rename, delete, list and
/// memory-map files, and fsync directories.
/// </summary>
/// <remarks>
/// <para>Every file operation of <see cref="IndexDirectory"/> goes through this interface so that tests can inject I/O
/// errors, a full disk and torn writes (STYLE.md habit 9). <see cref="FileStorageDevice"/> is the real implementation.</para>
/// <para>Paths are absolute, or relative to the process's working directory, exactly as <see cref="System.IO.Path"/>
/// composes them. Threading: implementations must allow concurrent calls on different files.</para>
/// </remarks>
internal interface IStorageDevice
{
    /// <summary>Creates (or truncates) <paramref name="path"/> for writing.</summary>
    IWritableFile Create(string path);

    /// <summary>Opens <paramref name="path"/> for appending; creates it when missing.</summary>
    IWritableFile OpenAppend(string path);

    /// <summary>Opens <paramref name="path"/> for sequential reading.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    Stream OpenRead(string path);

    /// <summary>Maps the whole of <paramref name="path"/> read-only into memory.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <remarks>A zero-length file yields a region of length 0 (nothing is mapped). The file's handle is closed before
    /// this returns: a region pins no file descriptor, only its mapping, until it is disposed.</remarks>
    MappedFileRegion MapReadOnly(string path);

    /// <summary>Renames <paramref name="sourcePath"/> to <paramref name="destinationPath"/>, atomically replacing it.</summary>
    void Rename(string sourcePath, string destinationPath);

    /// <summary>Makes the directory entries of <paramref name="directoryPath"/> (creations, renames, deletions) durable.</summary>
    void SyncDirectory(string directoryPath);

    /// <summary>Deletes <paramref name="path"/>; does nothing when it does not exist.</summary>
    void Delete(string path);

    /// <summary>True when <paramref name="path"/> exists as a file.</summary>
    bool Exists(string path);

    /// <summary>The file names (not paths) in <paramref name="directoryPath"/>, in ordinal order.</summary>
    IReadOnlyList<string> ListFiles(string directoryPath);

    /// <summary>Creates <paramref name="directoryPath"/> and its parents when missing.</summary>
    /// <exception cref="UnauthorizedAccessException">A parent folder is not writable; the message says so.</exception>
    void CreateDirectory(string directoryPath);

    /// <summary>Takes an exclusive, cross-process lock on <paramref name="lockFilePath"/> for a writer, without waiting;
    /// dispose the result to release it.</summary>
    /// <exception cref="Exceptions.IndexLockedException">Another process or instance holds the lock (and only then).</exception>
    /// <exception cref="UnauthorizedAccessException">The lock file's folder is not writable by this process; the message says so.</exception>
    /// <exception cref="IOException">The folder is on a read-only file system (the message says it is not writable), or another I/O error.</exception>
    IDisposable AcquireExclusiveLock(string lockFilePath);
}

/// <summary>A file open for writing through an <see cref="IStorageDevice"/>.</summary>
/// <remarks>Not thread-safe: one writer uses it at a time.</remarks>
internal interface IWritableFile : IDisposable
{
    /// <summary>The file's path.</summary>
    string Path { get; }

    /// <summary>Bytes written so far (the file's length, for an appended file including what it held before).</summary>
    long Length { get; }

    /// <summary>Appends <paramref name="bytes"/>.</summary>
    void Write(ReadOnlySpan<byte> bytes);

    /// <summary>Flushes buffers and forces the file's contents to stable storage (fsync).</summary>
    void Sync();

    /// <summary>Cuts the file back to <paramref name="length"/> bytes (dropping anything buffered beyond it) and forces
    /// that to stable storage; later writes append at <paramref name="length"/>.</summary>
    void Truncate(long length);
}
