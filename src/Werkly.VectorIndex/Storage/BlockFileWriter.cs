using System.IO.Hashing;
using System.Security.Cryptography;

namespace Werkly.VectorIndex.Storage;

/// <summary>Writes one file of the block container format: header, tagged and checksummed 64-byte-aligned blocks,
/// the table of contents and the footer.</summary>
/// <remarks>
/// <para>The caller writes blocks in file order and then calls <see cref="Finish"/>; syncing and closing the
/// underlying <see cref="IWritableFile"/> stays with the caller. Layout: docs/FORMAT.md.</para>
/// <para>Not thread-safe.</para>
/// </remarks>
internal sealed class BlockFileWriter
{
    private static readonly byte[] s_zeros = new byte[StorageFormat.Alignment];
    private readonly IWritableFile _file;
    private readonly List<TocEntry> _toc = [];
    private bool _finished;

    /// <summary>Starts a file of <paramref name="kind"/> on <paramref name="file"/> (which must be empty) and writes its header.</summary>
    public BlockFileWriter(IWritableFile file, FileKind kind, ushort recordVersion = StorageFormat.RecordVersion)
    {
        ArgumentNullException.ThrowIfNull(file);
        LittleEndianGuard.Check();
        _file = file;
        if (file.Length != 0) throw new ArgumentException("A block file must be written from the start of an empty file.", nameof(file));
        FileId = NewFileId();
        var header = FileHeader.Create(kind, FileId, recordVersion);
        _file.Write(header.AsBytes());
    }

    /// <summary>The random id written into the header and footer.</summary>
    public ulong FileId { get; }

    /// <summary>Writes a block whose payload is <paramref name="first"/> followed by <paramref name="second"/>.</summary>
    public void WriteBlock(uint tag, uint index, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second = default)
    {
        if (_finished) throw new InvalidOperationException("The file is already finished.");
        var hash = new XxHash3();
        hash.Append(first);
        hash.Append(second);
        ulong checksum = hash.GetCurrentHashAsUInt64();
        WriteBlockCore(tag, index, checksum, first, second);
    }

    /// <summary>Writes the table of contents and the footer; returns the file's final length.</summary>
    public long Finish()
    {
        if (_finished) throw new InvalidOperationException("The file is already finished.");
        var tocBytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_toc));
        ulong tocChecksum = StorageFormat.Checksum(tocBytes);
        long tocOffset = _file.Length;
        var tocHeader = BlockHeader.Create(BlockTag.TableOfContents, 0, (ulong)tocBytes.Length, tocChecksum);
        _file.Write(tocHeader.AsBytes());
        _file.Write(tocBytes);
        Pad(tocBytes.Length);
        var footer = new FileFooter
        {
            Magic = StorageFormat.FooterMagic,
            TocOffset = (ulong)tocOffset,
            TocPayloadLength = (ulong)tocBytes.Length,
            TocChecksum = tocChecksum,
            FileLength = (ulong)(_file.Length + FileFooter.Size),
            FileId = FileId,
        };
        footer.FooterChecksum = StorageFormat.Checksum(footer.AsBytes()[..FileFooter.ChecksumOffset]);
        _file.Write(footer.AsBytes());
        _finished = true;
        return _file.Length;
    }

    private void WriteBlockCore(uint tag, uint index, ulong checksum, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        long length = (long)first.Length + second.Length;
        long offset = _file.Length;
        var header = BlockHeader.Create(tag, index, (ulong)length, checksum);
        _file.Write(header.AsBytes());
        _file.Write(first);
        _file.Write(second);
        Pad(length);
        _toc.Add(new TocEntry { Tag = tag, Index = index, Offset = (ulong)offset, PayloadLength = (ulong)length, PayloadChecksum = checksum });
    }

    private void Pad(long payloadLength)
    {
        int padding = (int)(StorageFormat.AlignUp(payloadLength) - payloadLength);
        if (padding > 0) _file.Write(s_zeros.AsSpan(0, padding));
    }

    /// <summary>A random non-zero file id.</summary>
    internal static ulong NewFileId()
    {
        Span<byte> bytes = stackalloc byte[8];
        ulong id;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            id = BitConverter.ToUInt64(bytes);
        }
        while (id == 0);
        return id;
    }
}
