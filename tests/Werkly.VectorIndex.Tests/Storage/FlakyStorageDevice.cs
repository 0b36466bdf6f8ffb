using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.Tests.Storage;

/// <summary>What <see cref="FlakyStorageDevice"/> injects.</summary>
public enum FaultKind
{
    /// <summary>The operation throws an I/O error and has no effect.</summary>
    IOError,

    /// <summary>The operation throws "no space left on device" (HResult <see cref="FlakyStorageDevice.DiskFullHResult"/>); a write stores nothing.</summary>
    DiskFull,

    /// <summary>A write stores only its first half, then throws; other operations throw as <see cref="IOError"/>.</summary>
    TornWrite,
}

/// <summary>An <see cref="IStorageDevice"/> decorator that injects faults: the N-th write-path operation fails, or the
/// disk fills up after a byte budget (STYLE.md habit 9; after Tsavorite's SimulatedFlakyDevice).</summary>
/// <remarks>Counted operations: Create, OpenAppend, Write, Sync, Truncate, Rename, SyncDirectory (deletes never fail: failed
/// clean-up is not a failed commit).</remarks>
internal sealed class FlakyStorageDevice(IStorageDevice inner) : IStorageDevice
{
    /// <summary>ENOSPC as .NET reports it on Unix (the errno), ERROR_DISK_FULL on Windows.</summary>
    public static readonly int DiskFullHResult = OperatingSystem.IsWindows() ? unchecked((int)0x80070070) : 28;

    private readonly object _gate = new();
    private long _operations;
    private long _bytesWritten;
    private int _lockAttempts;

    /// <summary>Write-path operations performed so far.</summary>
    public long Operations => Interlocked.Read(ref _operations);

    /// <summary>Bytes written so far.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>Fail the operation with this index (compared with <see cref="Operations"/>), once.</summary>
    public long? FailAt { get; set; }

    /// <summary>The fault <see cref="FailAt"/> injects.</summary>
    public FaultKind Kind { get; set; }

    /// <summary>When set, the disk is full once this many more bytes were written: every later write fails with ENOSPC.</summary>
    public long? FreeBytes { get; set; }

    /// <summary>Faults injected so far.</summary>
    public int FaultsInjected { get; private set; }

    public IWritableFile Create(string path)
    {
        Step(isWrite: false);
        return new FlakyFile(this, inner.Create(path));
    }

    public IWritableFile OpenAppend(string path)
    {
        Step(isWrite: false);
        return new FlakyFile(this, inner.OpenAppend(path));
    }

    public Stream OpenRead(string path) => inner.OpenRead(path);

    public MappedFileRegion MapReadOnly(string path)
    {
        BeforeMap?.Invoke(path);
        return inner.MapReadOnly(path);
    }

    /// <summary>Called before each memory map (tests use it to race a writer against a reader's open).</summary>
    public Action<string>? BeforeMap { get; set; }

    public void Rename(string sourcePath, string destinationPath)
    {
        Step(isWrite: false);
        inner.Rename(sourcePath, destinationPath);
    }

    public void SyncDirectory(string directoryPath)
    {
        Step(isWrite: false);
        inner.SyncDirectory(directoryPath);
    }

    public void Delete(string path) => inner.Delete(path);

    public bool Exists(string path) => inner.Exists(path);

    public IReadOnlyList<string> ListFiles(string directoryPath) => inner.ListFiles(directoryPath);

    public void CreateDirectory(string directoryPath) => inner.CreateDirectory(directoryPath);

    /// <summary>How many times <see cref="AcquireExclusiveLock"/> was called.</summary>
    public int LockAttempts => Volatile.Read(ref _lockAttempts);

    public IDisposable AcquireExclusiveLock(string lockFilePath)
    {
        Interlocked.Increment(ref _lockAttempts);
        return inner.AcquireExclusiveLock(lockFilePath);
    }

    /// <summary>Counts an operation; returns the fault to inject now, if any.</summary>
    private FaultKind? Step(bool isWrite)
    {
        lock (_gate)
        {
            long index = _operations++;
            if (FailAt == index)
            {
                FailAt = null;
                FaultsInjected++;
                if (Kind == FaultKind.TornWrite && isWrite) return FaultKind.TornWrite;
                throw Kind == FaultKind.DiskFull ? DiskFull() : new IOException($"Injected I/O error at operation {index}.");
            }
            return null;
        }
    }

    private static IOException DiskFull() => new("No space left on device (injected).", DiskFullHResult);

    private sealed class FlakyFile(FlakyStorageDevice owner, IWritableFile file) : IWritableFile
    {
        public string Path => file.Path;

        public long Length => file.Length;

        public void Write(ReadOnlySpan<byte> bytes)
        {
            var fault = owner.Step(isWrite: true);
            if (fault == FaultKind.TornWrite)
            {
                file.Write(bytes[..(bytes.Length / 2)]);
                file.Sync();
                throw new IOException("Injected torn write.");
            }
            lock (owner._gate)
            {
                if (owner.FreeBytes is { } free)
                {
                    if (bytes.Length > free)
                    {
                        owner.FaultsInjected++;
                        file.Write(bytes[..(int)free]);
                        owner.FreeBytes = 0;
                        throw DiskFull();
                    }
                    owner.FreeBytes = free - bytes.Length;
                }
            }
            file.Write(bytes);
            Interlocked.Add(ref owner._bytesWritten, bytes.Length);
        }

        public void Sync()
        {
            owner.Step(isWrite: false);
            file.Sync();
        }

        public void Truncate(long length)
        {
            owner.Step(isWrite: false);
            file.Truncate(length);
        }

        public void Dispose() => file.Dispose();
    }
}
