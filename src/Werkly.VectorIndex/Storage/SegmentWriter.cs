using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Werkly.VectorIndex.Storage;

/// <summary>Writes a <see cref="SegmentImage"/> as a segment file: SEGI, LIST×n, KEYS, META, [KWIX], [QINF, QLST×n], TOC, footer.</summary>
/// <remarks>Layout: docs/FORMAT.md, section "Segment file". Thread-safe (stateless).</remarks>
internal static class SegmentWriter
{
    /// <summary>Bytes of the fixed part of the SEGI payload (the company id follows).</summary>
    public const int InfoFixedBytes = 32;

    /// <summary>Bytes of the QINF payload.</summary>
    public const int QuantizerInfoBytes = 64;

    /// <summary>The QINF layout version this library writes and reads.</summary>
    public const uint QuantizerLayoutVersion = 1;

    /// <summary>QINF flag: each QLST block holds the rows' squared norms.</summary>
    public const uint QuantizerFlagNorms = 1;

    /// <summary>Validates <paramref name="image"/> and writes it to <paramref name="file"/>; does not sync.</summary>
    /// <returns>The file's length and id.</returns>
    public static (long Length, ulong FileId) Write(IWritableFile file, string companyId, SegmentImage image, CancellationToken cancellationToken)
    {
        var lists = image.Lists;
        int rowCount = image.Keys.Count;
        int stride = lists.Stride;
        Validate(image);

        bool keywords = !image.Keywords.IsEmpty;
        bool codes = lists.CodeBits != 0;
        var writer = new BlockFileWriter(file, FileKind.Segment,
            codes ? StorageFormat.SegmentRecordVersionWithCodes : keywords ? StorageFormat.SegmentRecordVersionWithKeywords : StorageFormat.RecordVersion);
        byte[] company = Encoding.UTF8.GetBytes(companyId);
        var info = new byte[InfoFixedBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(0), (uint)image.Dimensions);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(4), (uint)stride);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(8), (uint)lists.ListCount);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(12), (uint)rowCount);
        BinaryPrimitives.WriteInt64LittleEndian(info.AsSpan(16), image.SegmentId);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(24), (uint)company.Length);
        writer.WriteBlock(BlockTag.SegmentInfo, 0, info, company);

        for (int list = 0; list < lists.ListCount; list++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            writer.WriteBlock(BlockTag.List, (uint)list, MemoryMarshal.AsBytes(lists.GetVectors(list)), MemoryMarshal.AsBytes(lists.GetRowIds(list)));
        }

        cancellationToken.ThrowIfCancellationRequested();
        WriteOffsetTableBlock(writer, BlockTag.Keys, rowCount, (buffer, row) => Encoding.UTF8.GetBytes(image.Keys[row], buffer));
        cancellationToken.ThrowIfCancellationRequested();
        WriteOffsetTableBlock(writer, BlockTag.Metadata, rowCount, (buffer, row) =>
        {
            var map = image.Metadata?[row];
            if (map is not null) MetadataCodec.Write(buffer, map);
        });
        if (keywords)
        {
            cancellationToken.ThrowIfCancellationRequested();
            writer.WriteBlock(BlockTag.KeywordIndex, 0, image.Keywords.Span);
        }
        if (codes) WriteCodes(writer, image, cancellationToken);
        return (writer.Finish(), writer.FileId);
    }

    /// <summary>QINF, then per list a QLST block: codes, row ids, [squared norms], and the XXH3-64 of each row's stored
    /// vector, so a re-ranking read verifies one row without reading (or checksumming) the rest of the list.</summary>
    private static void WriteCodes(BlockFileWriter writer, SegmentImage image, CancellationToken cancellationToken)
    {
        var lists = image.Lists;
        var info = new byte[QuantizerInfoBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(0), QuantizerLayoutVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(4), (uint)lists.CodeBits);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(8), (uint)image.Dimensions);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(12), (uint)lists.CodeStride);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(16), (uint)lists.ListCount);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(20), image.WithNorms ? QuantizerFlagNorms : 0);
        BinaryPrimitives.WriteUInt64LittleEndian(info.AsSpan(24), image.CodeRangesChecksum);
        writer.WriteBlock(BlockTag.QuantizerInfo, 0, info);

        var tail = new ArrayBufferWriter<byte>();
        for (int list = 0; list < lists.ListCount; list++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = lists.GetCount(list);
            tail.ResetWrittenCount();
            tail.Write(MemoryMarshal.AsBytes(lists.GetRowIds(list)));
            if (image.WithNorms) tail.Write(MemoryMarshal.AsBytes(lists.GetNorms(list)));
            var vectors = MemoryMarshal.AsBytes(lists.GetVectors(list));
            int rowBytes = lists.Stride * sizeof(float);
            var checksums = MemoryMarshal.Cast<byte, ulong>(tail.GetSpan(count * sizeof(ulong))[..(count * sizeof(ulong))]);
            for (int i = 0; i < count; i++) checksums[i] = StorageFormat.Checksum(vectors.Slice(i * rowBytes, rowBytes));
            tail.Advance(count * sizeof(ulong));
            writer.WriteBlock(BlockTag.QuantizedList, (uint)list, lists.GetCodes(list), tail.WrittenSpan);
        }
    }

    // Payload: (rows + 1) little-endian u64 offsets into the blob that follows, then the blob.
    private static void WriteOffsetTableBlock(BlockFileWriter writer, uint tag, int rowCount, Action<ArrayBufferWriter<byte>, int> writeRow)
    {
        var offsets = new ulong[rowCount + 1];
        var blob = new ArrayBufferWriter<byte>(Math.Max(256, rowCount * 16));
        for (int row = 0; row < rowCount; row++)
        {
            writeRow(blob, row);
            offsets[row + 1] = (ulong)blob.WrittenCount;
        }
        writer.WriteBlock(tag, 0, MemoryMarshal.AsBytes(offsets.AsSpan()), blob.WrittenSpan);
    }

    private static void Validate(SegmentImage image)
    {
        var lists = image.Lists;
        int rowCount = image.Keys.Count;
        var seen = new bool[rowCount];
        for (int list = 0; list < lists.ListCount; list++)
        {
            int count = lists.GetCount(list);
            var vectors = lists.GetVectors(list);
            var rowIds = lists.GetRowIds(list);
            if (vectors.Length != (long)count * lists.Stride || rowIds.Length != count)
                throw new ArgumentException($"List {list} holds {count} rows but {vectors.Length} floats and {rowIds.Length} row ids.", nameof(image));
            foreach (int row in rowIds)
            {
                if ((uint)row >= (uint)rowCount)
                    throw new ArgumentException($"List {list} holds row id {row}, outside 0..{rowCount - 1}.", nameof(image));
                if (seen[row]) throw new ArgumentException($"Row id {row} appears in more than one list position.", nameof(image));
                seen[row] = true;
            }
        }
        for (int row = 0; row < rowCount; row++)
            if (string.IsNullOrEmpty(image.Keys[row])) throw new ArgumentException($"Row {row} has no key.", nameof(image));
        if (lists.CodeBits == 0) return;
        if (lists.CodeBits is not (4 or 8) || lists.CodeStride <= 0 || lists.CodeStride % StorageFormat.Alignment != 0)
            throw new ArgumentException($"The lists' codes have {lists.CodeBits} bits and stride {lists.CodeStride}.", nameof(image));
        for (int list = 0; list < lists.ListCount; list++)
        {
            int count = lists.GetCount(list);
            if (lists.GetCodes(list).Length != (long)count * lists.CodeStride || (image.WithNorms && lists.GetNorms(list).Length != count))
                throw new ArgumentException($"List {list} holds {count} rows but not as many codes (or norms).", nameof(image));
        }
    }
}
