using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Storage;

/// <summary>The fixed 64-byte header at offset 0 of every file of an index directory (little-endian).</summary>
/// <remarks>
/// <para>The magic, <see cref="FormatVersion"/>, <see cref="FileKind"/>, <see cref="RecordVersion"/> and
/// <see cref="HeaderChecksum"/> stay at these offsets in every future version, so that any version can tell a corrupt
/// file from a newer one. <see cref="FormatVersion"/> versions the container (header, blocks, table of contents,
/// footer); <see cref="RecordVersion"/> versions the payload layout of the file kind.</para>
/// <para>Keep in sync with docs/FORMAT.md, section "File header".</para>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct FileHeader
{
    /// <summary>The header's size in bytes.</summary>
    public const int Size = 64;

    /// <summary>Offset of <see cref="HeaderChecksum"/>; the checksum covers the bytes before it.</summary>
    public const int ChecksumOffset = 56;

    /// <summary><see cref="StorageFormat.HeaderMagic"/>.</summary>
    [FieldOffset(0)] public ulong Magic;

    /// <summary>Container format version.</summary>
    [FieldOffset(8)] public ushort FormatVersion;

    /// <summary>The kind of file (<see cref="Storage.FileKind"/>).</summary>
    [FieldOffset(10)] public ushort FileKind;

    /// <summary>Payload layout version of this file kind.</summary>
    [FieldOffset(12)] public ushort RecordVersion;

    /// <summary>Always <see cref="Size"/>.</summary>
    [FieldOffset(14)] public ushort HeaderSize;

    /// <summary>A random id, repeated in the footer and recorded by the manifest, so a file cannot be swapped for another.</summary>
    [FieldOffset(16)] public ulong FileId;

    /// <summary>Reserved flags, zero in version 1.</summary>
    [FieldOffset(24)] public ulong Flags;

    /// <summary>Reserved, zero.</summary>
    [FieldOffset(32)] public ulong Reserved0;

    /// <summary>Reserved, zero.</summary>
    [FieldOffset(40)] public ulong Reserved1;

    /// <summary>Reserved, zero.</summary>
    [FieldOffset(48)] public ulong Reserved2;

    /// <summary>XXH3-64 of bytes [0, 56).</summary>
    [FieldOffset(ChecksumOffset)] public ulong HeaderChecksum;

    /// <summary>Creates a header for a new file and seals its checksum.</summary>
    public static FileHeader Create(FileKind kind, ulong fileId, ushort recordVersion = StorageFormat.RecordVersion)
    {
        var header = new FileHeader
        {
            Magic = StorageFormat.HeaderMagic,
            FormatVersion = StorageFormat.FormatVersion,
            FileKind = (ushort)kind,
            RecordVersion = recordVersion,
            HeaderSize = Size,
            FileId = fileId,
        };
        header.HeaderChecksum = StorageFormat.Checksum(header.AsBytes()[..ChecksumOffset]);
        return header;
    }

    /// <summary>The header's 64 bytes (little-endian hosts only; checked by <see cref="LittleEndianGuard"/>).</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> AsBytes() => MemoryMarshal.AsBytes(new ReadOnlySpan<FileHeader>(in this));

    /// <summary>Reads a header from the first 64 bytes of <paramref name="bytes"/>.</summary>
    public static FileHeader Read(ReadOnlySpan<byte> bytes)
    {
        LittleEndianGuard.Check();
        return MemoryMarshal.Read<FileHeader>(bytes);
    }

    /// <summary>Reads the header from the first 64 bytes of <paramref name="bytes"/> and checks it: magic, checksum,
    /// versions (up to <see cref="StorageFormat.MaxRecordVersion"/> of <paramref name="kind"/>), kind, header size,
    /// reserved fields and, when given, the file id.</summary>
    /// <param name="bytes">The file's first bytes (at least <see cref="Size"/>).</param>
    /// <param name="path">The file, for error messages.</param>
    /// <param name="kind">The kind the file must be.</param>
    /// <param name="expectedFileId">The id the manifest recorded, or null.</param>
    /// <exception cref="IndexCorruptedException">A check fails.</exception>
    /// <exception cref="IncompatibleFormatException">The file was written by a newer format version.</exception>
    public static FileHeader Validate(ReadOnlySpan<byte> bytes, string path, FileKind kind, ulong? expectedFileId)
    {
        var header = Read(bytes);
        if (header.Magic != StorageFormat.HeaderMagic)
            throw new IndexCorruptedException(path, 0, "bad magic number: not a Werkly.VectorIndex file.");
        if (StorageFormat.Checksum(bytes[..ChecksumOffset]) != header.HeaderChecksum)
            throw new IndexCorruptedException(path, ChecksumOffset, "header checksum mismatch.");
        if (header.FormatVersion > StorageFormat.FormatVersion)
            throw new IncompatibleFormatException(path, header.FormatVersion, StorageFormat.FormatVersion);
        if (header.FileKind == (ushort)kind && header.RecordVersion > StorageFormat.MaxRecordVersion(kind))
            throw new IncompatibleFormatException(path, header.RecordVersion, StorageFormat.MaxRecordVersion(kind));
        if (header.FormatVersion == 0 || header.RecordVersion == 0 || header.HeaderSize != Size)
            throw new IndexCorruptedException(path, 8, "invalid version or header size.");
        if (header.FileKind != (ushort)kind)
            throw new IndexCorruptedException(path, 10, $"expected a {kind} file but the header says kind {header.FileKind}.");
        if (header.Flags != 0 || header.Reserved0 != 0 || header.Reserved1 != 0 || header.Reserved2 != 0)
            throw new IndexCorruptedException(path, 24, "reserved header fields are not zero.");
        if (expectedFileId is { } id && header.FileId != id)
            throw new IndexCorruptedException(path, 16, "the file id differs from the one the manifest recorded: the file was replaced.");
        return header;
    }
}

/// <summary>The 64-byte header in front of every block's payload (little-endian).</summary>
/// <remarks>Keep in sync with docs/FORMAT.md, section "Block header".</remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct BlockHeader
{
    /// <summary>The header's size in bytes.</summary>
    public const int Size = 64;

    /// <summary>Offset of <see cref="HeaderChecksum"/>; the checksum covers the bytes before it.</summary>
    public const int ChecksumOffset = 56;

    /// <summary>The block's <see cref="BlockTag"/>.</summary>
    [FieldOffset(0)] public uint Tag;

    /// <summary>Block-specific index (the list number of a LIST block; 0 otherwise).</summary>
    [FieldOffset(4)] public uint Index;

    /// <summary>Payload bytes (the payload is followed by zero padding up to a multiple of 64).</summary>
    [FieldOffset(8)] public ulong PayloadLength;

    /// <summary>XXH3-64 of the payload.</summary>
    [FieldOffset(16)] public ulong PayloadChecksum;

    /// <summary>Reserved, zero.</summary>
    [FieldOffset(24)] public ulong Reserved0;

    /// <summary>Reserved, zero.</summary>
    [FieldOffset(32)] public ulong Reserved1;

    /// <summary>Reserved, zero.</summary>
    [FieldOffset(40)] public ulong Reserved2;

    /// <summary>Reserved, zero.</summary>
    [FieldOffset(48)] public ulong Reserved3;

    /// <summary>XXH3-64 of bytes [0, 56) of this header.</summary>
    [FieldOffset(ChecksumOffset)] public ulong HeaderChecksum;

    /// <summary>Creates a sealed block header.</summary>
    public static BlockHeader Create(uint tag, uint index, ulong payloadLength, ulong payloadChecksum)
    {
        var header = new BlockHeader { Tag = tag, Index = index, PayloadLength = payloadLength, PayloadChecksum = payloadChecksum };
        header.HeaderChecksum = StorageFormat.Checksum(header.AsBytes()[..ChecksumOffset]);
        return header;
    }

    /// <summary>The header's 64 bytes.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> AsBytes() => MemoryMarshal.AsBytes(new ReadOnlySpan<BlockHeader>(in this));
}

/// <summary>The fixed 64-byte footer at the end of every file (little-endian): where the table of contents is.</summary>
/// <remarks>Keep in sync with docs/FORMAT.md, section "Footer".</remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct FileFooter
{
    /// <summary>The footer's size in bytes.</summary>
    public const int Size = 64;

    /// <summary>Offset of <see cref="FooterChecksum"/>; the checksum covers the bytes before it.</summary>
    public const int ChecksumOffset = 56;

    /// <summary><see cref="StorageFormat.FooterMagic"/>.</summary>
    [FieldOffset(0)] public ulong Magic;

    /// <summary>File offset of the TOC block's header.</summary>
    [FieldOffset(8)] public ulong TocOffset;

    /// <summary>Payload length of the TOC block.</summary>
    [FieldOffset(16)] public ulong TocPayloadLength;

    /// <summary>XXH3-64 of the TOC payload.</summary>
    [FieldOffset(24)] public ulong TocChecksum;

    /// <summary>The whole file's length, footer included.</summary>
    [FieldOffset(32)] public ulong FileLength;

    /// <summary>Equals <see cref="FileHeader.FileId"/>.</summary>
    [FieldOffset(40)] public ulong FileId;

    /// <summary>Reserved, zero.</summary>
    [FieldOffset(48)] public ulong Reserved0;

    /// <summary>XXH3-64 of bytes [0, 56) of this footer.</summary>
    [FieldOffset(ChecksumOffset)] public ulong FooterChecksum;

    /// <summary>The footer's 64 bytes.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> AsBytes() => MemoryMarshal.AsBytes(new ReadOnlySpan<FileFooter>(in this));
}

/// <summary>One 32-byte entry of the table of contents (little-endian).</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct TocEntry
{
    /// <summary>The entry's size in bytes.</summary>
    public const int Size = 32;

    /// <summary>The block's tag.</summary>
    [FieldOffset(0)] public uint Tag;

    /// <summary>The block's index.</summary>
    [FieldOffset(4)] public uint Index;

    /// <summary>File offset of the block header.</summary>
    [FieldOffset(8)] public ulong Offset;

    /// <summary>Payload length.</summary>
    [FieldOffset(16)] public ulong PayloadLength;

    /// <summary>XXH3-64 of the payload.</summary>
    [FieldOffset(24)] public ulong PayloadChecksum;
}

/// <summary>The format is little-endian and read by reinterpreting mapped bytes: refuse big-endian hosts clearly.</summary>
internal static class LittleEndianGuard
{
    /// <summary>Throws <see cref="PlatformNotSupportedException"/> on a big-endian host.</summary>
    public static void Check()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Werkly.VectorIndex index files are little-endian and can only be opened on little-endian hosts.");
    }
}
