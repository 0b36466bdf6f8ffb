using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Storage;

/// <summary>A memory-mapped file of the block container format, with its header, footer and table of contents
/// validated; block payloads are verified on demand.</summary>
/// <remarks>
/// <para>Opening checks the magic, versions, kind, file id, length, footer and the checksummed table of contents,
/// and that the blocks tile the file exactly: cost grows with the number of blocks, never with their size.
/// <see cref="Verify"/> then checks one block (its header, payload checksum and zero padding); once every block is
/// verified, every byte of the file has been checked.</para>
/// <para>Threading: all members are safe to call concurrently; <see cref="Dispose"/> must not race with readers.</para>
/// </remarks>
internal sealed unsafe class BlockFile : IDisposable
{
    private const long ChecksumChunkBytes = 1L << 30;
    private readonly MappedFileRegion _region;
    private readonly TocEntry[] _blocks;

    private BlockFile(MappedFileRegion region, FileHeader header, TocEntry[] blocks)
    {
        _region = region;
        Header = header;
        _blocks = blocks;
    }

    /// <summary>The file's path.</summary>
    public string Path => _region.Path;

    /// <summary>The file's length in bytes.</summary>
    public long Length => _region.Length;

    /// <summary>The validated header.</summary>
    public FileHeader Header { get; }

    /// <summary>The blocks in file order (the TOC block itself excluded).</summary>
    public ReadOnlySpan<TocEntry> Blocks => _blocks;

    /// <summary>Maps and validates <paramref name="path"/>.</summary>
    /// <param name="device">The device to map through.</param>
    /// <param name="path">The file.</param>
    /// <param name="kind">The kind the file must be.</param>
    /// <param name="expectedFileId">The id the manifest recorded, or null.</param>
    /// <param name="expectedLength">The length the manifest recorded, or null.</param>
    /// <exception cref="IndexCorruptedException">The file is missing, truncated, or fails a check.</exception>
    /// <exception cref="IncompatibleFormatException">The file was written by a newer format version.</exception>
    public static BlockFile Open(IStorageDevice device, string path, FileKind kind, ulong? expectedFileId = null, long? expectedLength = null)
    {
        MappedFileRegion region;
        try
        {
            region = device.MapReadOnly(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new IndexCorruptedException(path, -1, "the file is missing.", ex);
        }

        try
        {
            var (header, blocks) = Validate(region, kind, expectedFileId, expectedLength);
            return new BlockFile(region, header, blocks);
        }
        catch
        {
            region.Dispose();
            throw;
        }
    }

    /// <summary>The index in <see cref="Blocks"/> of the block with <paramref name="tag"/> and <paramref name="index"/>, or -1.</summary>
    public int Find(uint tag, uint index = 0)
    {
        for (int i = 0; i < _blocks.Length; i++)
            if (_blocks[i].Tag == tag && _blocks[i].Index == index) return i;
        return -1;
    }

    /// <summary>File offset of block <paramref name="block"/>'s payload.</summary>
    public long PayloadOffset(int block) => (long)_blocks[block].Offset + BlockHeader.Size;

    /// <summary>Payload length of block <paramref name="block"/>.</summary>
    public long PayloadLength(int block) => (long)_blocks[block].PayloadLength;

    /// <summary>A pointer to block <paramref name="block"/>'s payload (not verified).</summary>
    public byte* PayloadPointer(int block) => _region.Pointer + PayloadOffset(block);

    /// <summary>The payload of block <paramref name="block"/> as a span (not verified); the payload must be below 2 GiB.</summary>
    public ReadOnlySpan<byte> Payload(int block) => _region.Slice(PayloadOffset(block), checked((int)PayloadLength(block)));

    /// <summary>Checks block <paramref name="block"/>: its header against the TOC, its payload checksum and its padding.</summary>
    /// <exception cref="IndexCorruptedException">The block is damaged.</exception>
    public void Verify(int block)
    {
        var entry = _blocks[block];
        long offset = (long)entry.Offset;
        var expected = BlockHeader.Create(entry.Tag, entry.Index, entry.PayloadLength, entry.PayloadChecksum);
        if (!_region.Slice(offset, BlockHeader.Size).SequenceEqual(expected.AsBytes()))
            throw Corrupt(offset, $"the header of block {BlockTag.ToText(entry.Tag)}#{entry.Index} does not match the table of contents.");
        long payloadOffset = offset + BlockHeader.Size;
        if (ChecksumOf(_region.Pointer + payloadOffset, (long)entry.PayloadLength) != entry.PayloadChecksum)
            throw Corrupt(payloadOffset, $"checksum mismatch in block {BlockTag.ToText(entry.Tag)}#{entry.Index} ({entry.PayloadLength} bytes).");
        long end = payloadOffset + (long)entry.PayloadLength;
        var padding = _region.Slice(end, (int)(StorageFormat.AlignUp(end) - end));
        int nonZero = padding.IndexOfAnyExcept((byte)0);
        if (nonZero >= 0) throw Corrupt(end + nonZero, "non-zero padding after a block.");
    }

    /// <summary>Builds an <see cref="IndexCorruptedException"/> for this file.</summary>
    public IndexCorruptedException Corrupt(long offset, string problem) => new(Path, offset, problem);

    /// <summary>Decodes <paramref name="bytes"/> of this file with <see cref="StorageFormat.StrictUtf8"/>.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="offset">Their file offset, for the error.</param>
    /// <param name="what">What they hold, for the error ("invalid UTF-8 {what}.").</param>
    /// <exception cref="IndexCorruptedException">The bytes are not valid UTF-8.</exception>
    public string DecodeUtf8(ReadOnlySpan<byte> bytes, long offset, string what)
    {
        try
        {
            return StorageFormat.StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new IndexCorruptedException(Path, offset, $"invalid UTF-8 {what}.", ex);
        }
    }

    /// <summary>Unmaps the file.</summary>
    public void Dispose() => _region.Dispose();

    private static ulong ChecksumOf(byte* pointer, long length)
    {
        if (length <= ChecksumChunkBytes) return StorageFormat.Checksum(new ReadOnlySpan<byte>(pointer, (int)length));
        var hash = new XxHash3();
        for (long done = 0; done < length; done += ChecksumChunkBytes)
            hash.Append(new ReadOnlySpan<byte>(pointer + done, (int)Math.Min(ChecksumChunkBytes, length - done)));
        return hash.GetCurrentHashAsUInt64();
    }

    private static (FileHeader Header, TocEntry[] Blocks) Validate(MappedFileRegion region, FileKind kind, ulong? expectedFileId, long? expectedLength)
    {
        string path = region.Path;
        long length = region.Length;
        if (length < FileHeader.Size + BlockHeader.Size + FileFooter.Size)
            throw new IndexCorruptedException(path, length, $"the file is truncated ({length} bytes is shorter than an empty {kind} file).");

        var header = FileHeader.Validate(region.Slice(0, FileHeader.Size), path, kind, expectedFileId);
        if (expectedLength is { } expectedBytes && expectedBytes != length)
            throw new IndexCorruptedException(path, Math.Min(expectedBytes, length), $"the file is {length} bytes but the manifest recorded {expectedBytes}.");
        if (length % StorageFormat.Alignment != 0)
            throw new IndexCorruptedException(path, length, "the file length is not a multiple of 64: truncated or extended.");

        long footerOffset = length - FileFooter.Size;
        var footer = MemoryMarshal.Read<FileFooter>(region.Slice(footerOffset, FileFooter.Size));
        if (footer.Magic != StorageFormat.FooterMagic)
            throw new IndexCorruptedException(path, footerOffset, "bad footer magic: the file is truncated or was not completely written.");
        if (StorageFormat.Checksum(region.Slice(footerOffset, FileFooter.ChecksumOffset)) != footer.FooterChecksum)
            throw new IndexCorruptedException(path, footerOffset + FileFooter.ChecksumOffset, "footer checksum mismatch.");
        if (footer.FileLength != (ulong)length || footer.FileId != header.FileId || footer.Reserved0 != 0)
            throw new IndexCorruptedException(path, footerOffset, "the footer does not match the file (length or id).");

        ulong tocOffset = footer.TocOffset;
        ulong tocLength = footer.TocPayloadLength;
        if (tocOffset < FileHeader.Size || tocOffset % StorageFormat.Alignment != 0 || tocLength % TocEntry.Size != 0
            || tocLength > (ulong)footerOffset || tocLength > int.MaxValue
            || (ulong)StorageFormat.AlignUp((long)tocOffset + BlockHeader.Size + (long)tocLength) != (ulong)footerOffset)
            throw new IndexCorruptedException(path, footerOffset + 8, "the footer's table-of-contents location is invalid.");

        var tocHeader = BlockHeader.Create(BlockTag.TableOfContents, 0, tocLength, footer.TocChecksum);
        if (!region.Slice((long)tocOffset, BlockHeader.Size).SequenceEqual(tocHeader.AsBytes()))
            throw new IndexCorruptedException(path, (long)tocOffset, "the table-of-contents block header is damaged.");
        var tocBytes = region.Slice((long)tocOffset + BlockHeader.Size, (int)tocLength);
        if (StorageFormat.Checksum(tocBytes) != footer.TocChecksum)
            throw new IndexCorruptedException(path, (long)tocOffset + BlockHeader.Size, "table-of-contents checksum mismatch.");
        long tocEnd = (long)tocOffset + BlockHeader.Size + (long)tocLength;
        int tocPad = region.Slice(tocEnd, (int)(footerOffset - tocEnd)).IndexOfAnyExcept((byte)0);
        if (tocPad >= 0) throw new IndexCorruptedException(path, tocEnd + tocPad, "non-zero padding after the table of contents.");

        var blocks = MemoryMarshal.Cast<byte, TocEntry>(tocBytes).ToArray();
        // The blocks must tile [64, tocOffset) exactly, so every byte of the file belongs to a checked structure.
        ulong expectedOffset = FileHeader.Size;
        foreach (var block in blocks)
        {
            if (block.Offset != expectedOffset || block.PayloadLength > tocOffset - block.Offset - BlockHeader.Size)
                throw new IndexCorruptedException(path, (long)tocOffset + BlockHeader.Size, $"table-of-contents entry for {BlockTag.ToText(block.Tag)}#{block.Index} points outside the file.");
            expectedOffset = (ulong)StorageFormat.AlignUp((long)(block.Offset + BlockHeader.Size + block.PayloadLength));
        }
        if (expectedOffset != tocOffset)
            throw new IndexCorruptedException(path, (long)tocOffset, "the blocks do not end where the table of contents starts.");
        return (header, blocks);
    }
}
