using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Embeddings.Onnx;

// File layout (little-endian), version 1:
//   header, 32 bytes: magic "WKEC" | u16 format version | u16 reserved (0) | i64 entry count | 16 reserved bytes (0)
//   entry, repeated:  u64 key low | u64 key high | i32 dimensions | dimensions × f32
//   trailer, 4 bytes: CRC-32 of everything before it
// Entries are written most recently used first.
public sealed partial class EmbeddingCache
{
    /// <summary>The format version <see cref="Save"/> writes and <see cref="Load"/> reads.</summary>
    public const int FormatVersion = 1;

    internal const int HeaderBytes = 32;
    private const uint Magic = 0x4345_4B57; // "WKEC"
    private const int MaxDimensions = 65_536;

    /// <summary>
    /// Writes the cache to <paramref name="path"/>, replacing any existing file only once the new one is complete
    /// (written to a temporary file, flushed to disk, then renamed).
    /// </summary>
    /// <param name="path">The file to write, for example <c>embeddings.cache</c> in an index's folder.</param>
    /// <param name="cancellationToken">Stops the write between entries; the existing file is then left untouched.</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="PlatformNotSupportedException">The host is big-endian.</exception>
    public void Save(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RequireLittleEndian();
        var entries = Snapshot();
        AtomicFile.Write(path, 1 << 16, stream =>
        {
            var crc = new Crc32();
            Span<byte> header = stackalloc byte[HeaderBytes];
            header.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], FormatVersion);
            BinaryPrimitives.WriteInt64LittleEndian(header[8..], entries.Count);
            Write(stream, crc, header);

            Span<byte> entryHeader = stackalloc byte[20];
            foreach (var entry in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                BinaryPrimitives.WriteUInt64LittleEndian(entryHeader, (ulong)entry.Key);
                BinaryPrimitives.WriteUInt64LittleEndian(entryHeader[8..], (ulong)(entry.Key >> 64));
                BinaryPrimitives.WriteInt32LittleEndian(entryHeader[16..], entry.Vector.Length);
                Write(stream, crc, entryHeader);
                Write(stream, crc, MemoryMarshal.AsBytes(entry.Vector.AsSpan()));
            }

            Span<byte> trailer = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc.GetCurrentHashAsUInt32());
            stream.Write(trailer);
        });
    }

    /// <summary>Reads a cache written by <see cref="Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="capacityBytes">The byte budget of the loaded cache; when the file holds more, the least recently used entries are dropped.</param>
    /// <returns>The loaded cache.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IndexCorruptedException">The file is truncated, has a bad magic number, a bad entry or a checksum mismatch; the message names the offset.</exception>
    /// <exception cref="IncompatibleFormatException">The file was written by a newer format version.</exception>
    /// <exception cref="PlatformNotSupportedException">The host is big-endian.</exception>
    public static EmbeddingCache Load(string path, long capacityBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RequireLittleEndian();
        var cache = new EmbeddingCache(capacityBytes);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Embedding cache file '{path}' does not exist.", path);

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var crc = new Crc32();
        Span<byte> header = stackalloc byte[HeaderBytes];
        Read(stream, crc, header, path);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
            throw new IndexCorruptedException(path, 0, "not an embedding cache file (bad magic number).");
        int version = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        if (version > FormatVersion || version == 0)
            throw new IncompatibleFormatException(path, version, FormatVersion);
        var count = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        if (count < 0 || count > (stream.Length - HeaderBytes) / 24)
            throw new IndexCorruptedException(path, 8, $"entry count {count} does not fit the file's {stream.Length} bytes.");

        var entries = new List<Entry>((int)count);
        Span<byte> entryHeader = stackalloc byte[20];
        for (long i = 0; i < count; i++)
        {
            var offset = stream.Position;
            Read(stream, crc, entryHeader, path);
            var key = ((UInt128)BinaryPrimitives.ReadUInt64LittleEndian(entryHeader[8..]) << 64) | BinaryPrimitives.ReadUInt64LittleEndian(entryHeader);
            var dimensions = BinaryPrimitives.ReadInt32LittleEndian(entryHeader[16..]);
            if (dimensions < 1 || dimensions > MaxDimensions)
                throw new IndexCorruptedException(path, offset + 16, $"entry {i} claims {dimensions} dimensions.");
            var vector = new float[dimensions];
            Read(stream, crc, MemoryMarshal.AsBytes(vector.AsSpan()), path);
            entries.Add(new Entry(key, vector));
        }

        Span<byte> trailer = stackalloc byte[4];
        var trailerOffset = stream.Position;
        if (stream.Read(trailer) != 4 || BinaryPrimitives.ReadUInt32LittleEndian(trailer) != crc.GetCurrentHashAsUInt32())
            throw new IndexCorruptedException(path, trailerOffset, "checksum mismatch or missing checksum.");
        if (stream.Position != stream.Length)
            throw new IndexCorruptedException(path, stream.Position, "unexpected bytes after the checksum.");

        // Oldest first, so that the most recently used end up at the front and survive a smaller budget.
        for (var i = entries.Count - 1; i >= 0; i--)
            cache.Add(entries[i].Key, entries[i].Vector);
        return cache;
    }

    /// <summary>Loads <paramref name="path"/> when it exists, otherwise returns an empty cache.</summary>
    /// <param name="path">The cache file, which need not exist.</param>
    /// <param name="capacityBytes">The byte budget.</param>
    /// <returns>The loaded or new cache.</returns>
    /// <exception cref="IndexCorruptedException">The file exists but is damaged.</exception>
    /// <exception cref="IncompatibleFormatException">The file was written by a newer format version.</exception>
    public static EmbeddingCache LoadOrCreate(string path, long capacityBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return File.Exists(path) ? Load(path, capacityBytes) : new EmbeddingCache(capacityBytes);
    }

    private static void Write(FileStream stream, Crc32 crc, ReadOnlySpan<byte> bytes)
    {
        crc.Append(bytes);
        stream.Write(bytes);
    }

    private static void Read(FileStream stream, Crc32 crc, Span<byte> destination, string path)
    {
        var offset = stream.Position;
        try
        {
            stream.ReadExactly(destination);
        }
        catch (EndOfStreamException e)
        {
            throw new IndexCorruptedException(path, offset, "the file is truncated.", e);
        }

        crc.Append(destination);
    }

    // Vectors are written and read as raw native floats (as keys hash native UTF-16): the file is little-endian only.
    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Embedding cache files are little-endian and can only be used on little-endian hosts.");
    }
}
