using System.Runtime.InteropServices;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Storage;

/// <summary>The real <see cref="IStorageDevice"/>: the local file system.</summary>
/// <remarks>
/// <para>File sync is <see cref="FileStream.Flush(bool)"/> with <c>true</c> (fsync on Unix, FlushFileBuffers on
/// Windows). Directory sync opens the directory with <c>open(O_RDONLY|O_DIRECTORY)</c> and fsyncs it on Linux and
/// macOS; on Windows, where directory entries are journaled by NTFS and directories cannot be fsynced, it is a no-op.
/// The exclusive lock is a <see cref="FileShare.None"/> open, which .NET implements with <c>flock(LOCK_EX|LOCK_NB)</c>
/// on Unix and a share-mode lock on Windows: a held lock fails at once, without waiting, and both are released by the
/// OS when the process dies.</para>
/// <para>Thread-safe: the type holds no state.</para>
/// </remarks>
internal sealed partial class FileStorageDevice : IStorageDevice
{
    private const int WriteBufferBytes = 1 << 16;

    /// <summary>The shared instance.</summary>
    public static FileStorageDevice Instance { get; } = new();

    /// <inheritdoc />
    public IWritableFile Create(string path) =>
        new WritableFile(path, new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read | FileShare.Delete, WriteBufferBytes));

    /// <inheritdoc />
    public IWritableFile OpenAppend(string path) =>
        new WritableFile(path, new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete, WriteBufferBytes));

    /// <inheritdoc />
    public Stream OpenRead(string path) =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 12);

    /// <inheritdoc />
    public MappedFileRegion MapReadOnly(string path) =>
        new(path, new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1));

    /// <inheritdoc />
    public void Rename(string sourcePath, string destinationPath) => File.Move(sourcePath, destinationPath, overwrite: true);

    /// <inheritdoc />
    public void SyncDirectory(string directoryPath)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = NativeMethods.Open(directoryPath, NativeMethods.ReadOnlyDirectoryFlags);
        if (fd < 0) throw NativeError("open directory", directoryPath);
        try
        {
            if (NativeMethods.FSync(fd) != 0) throw NativeError("fsync directory", directoryPath);
        }
        finally
        {
            _ = NativeMethods.Close(fd);
        }
    }

    /// <inheritdoc />
    public void Delete(string path) => File.Delete(path);

    /// <inheritdoc />
    public bool Exists(string path) => File.Exists(path);

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles(string directoryPath)
    {
        var names = Directory.GetFiles(directoryPath).Select(Path.GetFileName).Select(n => n!).ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        return names;
    }

    /// <inheritdoc />
    public void CreateDirectory(string directoryPath)
    {
        try
        {
            Directory.CreateDirectory(directoryPath);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new UnauthorizedAccessException($"Cannot create the folder '{directoryPath}': its parent folder is not writable. {ex.Message}", ex);
        }
        catch (IOException ex) when (IsReadOnlyFileSystem(ex))
        {
            throw new IOException($"Cannot create the folder '{directoryPath}': its parent folder is not writable (read-only file system). {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    /// <remarks>The lock is taken without waiting: a conflict fails at once. Only a held lock is reported as
    /// <see cref="IndexLockedException"/>; a folder this process cannot write (permissions, a read-only file system)
    /// is reported as such, also when <c>LOCK</c> itself can still be opened (Unix: checked with <c>access(W_OK)</c>).</remarks>
    public IDisposable AcquireExclusiveLock(string lockFilePath)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(lockFilePath))!;
        FileStream stream;
        try
        {
            stream = new FileStream(lockFilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
        }
        catch (IOException ex) when (IsLockConflict(ex))
        {
            throw new IndexLockedException(lockFilePath, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new UnauthorizedAccessException(NotWritable(directory, ex.Message), ex);
        }
        catch (IOException ex) when (IsReadOnlyFileSystem(ex))
        {
            throw new IOException(NotWritable(directory, ex.Message), ex);
        }

        try
        {
            ThrowIfDirectoryNotWritable(directory);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return stream;
    }

    /// <summary>True for the exception .NET raises when the <c>LOCK</c> file's lock is held: on Unix an
    /// <see cref="IOException"/> carrying <c>EWOULDBLOCK</c> from <c>flock(LOCK_NB)</c>, on Windows a sharing or lock violation.</summary>
    private static bool IsLockConflict(IOException ex)
    {
        if (ex.GetType() != typeof(IOException)) return false;
        if (OperatingSystem.IsWindows()) return ex.HResult is unchecked((int)0x80070020) or unchecked((int)0x80070021);
        // EWOULDBLOCK (= EAGAIN): 11 on Linux, 35 on macOS and the BSDs.
        return ex.HResult == (OperatingSystem.IsLinux() || OperatingSystem.IsAndroid() ? 11 : 35);
    }

    /// <summary>True for EROFS (30 on Linux, macOS and the BSDs), which .NET reports as a plain <see cref="IOException"/> carrying the errno.</summary>
    private static bool IsReadOnlyFileSystem(IOException ex) => !OperatingSystem.IsWindows() && ex.GetType() == typeof(IOException) && ex.HResult == 30;

    private static string NotWritable(string directory, string cause) =>
        $"The index folder '{directory}' is not writable by this process, so it cannot be opened for writing: {cause.TrimEnd('.')}. Open it read-only to search it, or give this process write access.";

    /// <summary>On Unix, a writer whose <c>LOCK</c> file already exists can open it in a folder it cannot write (mode
    /// 0555, or a file system remounted read-only); <c>access(W_OK|X_OK)</c> tells, before the first commit fails.</summary>
    private static void ThrowIfDirectoryNotWritable(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        if (NativeMethods.Access(directory, NativeMethods.WriteAndSearch) == 0) return;
        int errno = Marshal.GetLastPInvokeError();
        string cause = $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).";
        // EACCES is 13 and EPERM 1 on Linux, macOS and the BSDs.
        if (errno is 13 or 1) throw new UnauthorizedAccessException(NotWritable(directory, cause));
        throw new IOException(NotWritable(directory, cause), errno);
    }

    private static IOException NativeError(string operation, string path)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{operation} failed for '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
    }

    private sealed class WritableFile(string path, FileStream stream) : IWritableFile
    {
        public string Path { get; } = path;

        public long Length => stream.Position;

        public void Write(ReadOnlySpan<byte> bytes) => stream.Write(bytes);

        public void Sync() => stream.Flush(flushToDisk: true);

        public void Truncate(long length)
        {
            // SetLength writes what the stream still buffers first; the truncation then cuts it off again.
            stream.SetLength(length);
            stream.Position = length;
            stream.Flush(flushToDisk: true);
        }

        public void Dispose() => stream.Dispose();
    }

    private static partial class NativeMethods
    {
        // O_RDONLY | O_DIRECTORY: 0x10000 on Linux x64/arm64, 0x100000 on macOS.
        public static readonly int ReadOnlyDirectoryFlags = OperatingSystem.IsMacOS() ? 0x100000 : 0x10000;

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int FSync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);

        // W_OK | X_OK: write and search permission on a directory.
        public const int WriteAndSearch = 2 | 1;

        [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Access(string path, int mode);
    }
}
