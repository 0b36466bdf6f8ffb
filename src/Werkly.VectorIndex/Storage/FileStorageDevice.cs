using System.Runtime.InteropServices;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Storage;

/// <summary>The real <see cref="IStorageDevice"/>: the local file system.</summary>
/// <remarks>
/// <para>File sync is <see cref="FileStream.Flush(bool)"/> with <c>true</c> (fsync on Unix, FlushFileBuffers on
/// Windows). Directory sync opens the directory with <c>open(O_RDONLY|O_DIRECTORY)</c> and fsyncs it on Linux and
/// macOS; on Windows, where directory entries are journaled by NTFS and directories cannot be fsynced, it is a no-op.
/// The exclusive lock is a <see cref="FileShare.None"/> open, which .NET implements with <c>flock</c> on Unix and a
/// share-mode lock on Windows; both are released by the OS when the process dies.</para>
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
    public void CreateDirectory(string directoryPath) => Directory.CreateDirectory(directoryPath);

    /// <inheritdoc />
    public IDisposable AcquireExclusiveLock(string lockFilePath)
    {
        try
        {
            return new FileStream(lockFilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IndexLockedException(lockFilePath, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new IndexLockedException(lockFilePath, ex);
        }
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
    }
}
