using System.IO.MemoryMappedFiles;

namespace Werkly.VectorIndex.Storage;

/// <summary>A whole file mapped read-only into memory; dispose it to unmap.</summary>
/// <remarks>
/// <para>The pointer stays valid until <see cref="Dispose"/>. The owner must make sure no span over the mapping
/// outlives it; <see cref="IndexDirectory"/> does that with reference-counted snapshots.</para>
/// <para>No file descriptor is held while the file is mapped: the stream and the <see cref="MemoryMappedFile"/> are
/// closed as soon as the view exists. The view owns the mapping on its own (on Unix an <c>mmap</c> keeps its own
/// reference to the file, and .NET's view handle only <c>munmap</c>s; on Windows a view keeps its section and file
/// open until <c>UnmapViewOfFile</c>), so an index of hundreds of files opens under a small <c>ulimit -n</c>.</para>
/// <para>Threading: reading through <see cref="Pointer"/> is safe from any number of threads; <see cref="Dispose"/>
/// must not race with readers.</para>
/// </remarks>
internal sealed unsafe class MappedFileRegion : IDisposable
{
    private readonly MemoryMappedViewAccessor? _view;
    private int _disposed;

    /// <summary>Maps <paramref name="stream"/> (which must be readable and seekable) and closes it: the region takes
    /// ownership of the stream and disposes it before the constructor returns, whether mapping succeeds or not.</summary>
    public MappedFileRegion(string path, FileStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Path = path;
        using (stream)
        {
            Length = stream.Length;
            if (Length == 0) return;
            // leaveOpen: the using above closes the stream; the map object is closed right after the view is made.
            using var file = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read,
                HandleInheritability.None, leaveOpen: true);
            _view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            try
            {
                byte* pointer = null;
                _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
                Pointer = pointer + _view.PointerOffset;
            }
            catch
            {
                _view.Dispose();
                throw;
            }
        }
    }

    /// <summary>The mapped file's path.</summary>
    public string Path { get; }

    /// <summary>The first byte of the file (null when <see cref="Length"/> is 0).</summary>
    public byte* Pointer { get; }

    /// <summary>The file's length in bytes at the time it was mapped.</summary>
    public long Length { get; }

    /// <summary>A span over <paramref name="length"/> bytes at <paramref name="offset"/>; the range must lie in the file.</summary>
    public ReadOnlySpan<byte> Slice(long offset, int length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Range [{offset}, {offset}+{length}) is outside the {Length}-byte file '{Path}'.");
        return new ReadOnlySpan<byte>(Pointer + offset, length);
    }

    /// <summary>Unmaps the file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
    }
}
