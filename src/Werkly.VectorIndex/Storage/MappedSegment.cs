using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MessagePack;
using Werkly.VectorIndex.Distance.Kernels;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Ivf;

namespace Werkly.VectorIndex.Storage;

/// <summary>An immutable segment file, memory-mapped: inverted lists read in place, keys and metadata decoded on demand.</summary>
/// <remarks>
/// <para>Opening validates the header, footer, table of contents and the small SEGI block; it never reads vector,
/// key or metadata bytes, so it costs the same for 10,000 rows as for 1,000,000. Each LIST block is verified (checksum,
/// padding, row ids in range) on its first access, the KEYS and META blocks on the first key or metadata read; a
/// damaged block throws <see cref="IndexCorruptedException"/> naming the file and offset, on that and every later access.</para>
/// <para>Threading: every member is safe to call from any number of threads. Lifetime is managed by
/// <see cref="IndexDirectory"/> through snapshots; do not use a segment after the snapshot that handed it out is disposed.</para>
/// </remarks>
internal sealed unsafe class MappedSegment : IDisposable
{
    private readonly BlockFile _file;
    private readonly int _keysBlock;
    private readonly int _metadataBlock;
    private readonly int _keywordBlock;
    private long[]? _locations;
    private int _keysVerified;
    private int _metadataVerified;
    private int _keywordsVerified;

    private MappedSegment(BlockFile file, string companyId, long segmentId, int dimensions, int rowCount, MappedInvertedLists lists, int keysBlock, int metadataBlock,
        int keywordBlock, MappedInvertedLists? codedLists, ulong codeRangesChecksum, bool hasNorms)
    {
        CodedLists = codedLists;
        CodeRangesChecksum = codeRangesChecksum;
        HasNorms = hasNorms;
        _keywordBlock = keywordBlock;
        _file = file;
        CompanyId = companyId;
        SegmentId = segmentId;
        Dimensions = dimensions;
        RowCount = rowCount;
        Lists = lists;
        _keysBlock = keysBlock;
        _metadataBlock = metadataBlock;
    }

    /// <summary>The segment file's path.</summary>
    public string Path => _file.Path;

    /// <summary>The company the segment belongs to.</summary>
    public string CompanyId { get; }

    /// <summary>The segment's id within its company.</summary>
    public long SegmentId { get; }

    /// <summary>Vector dimensions.</summary>
    public int Dimensions { get; }

    /// <summary>Rows (row ids are 0..RowCount-1).</summary>
    public int RowCount { get; }

    /// <summary>The mapped inverted lists, without codes (searched in float32).</summary>
    public MappedInvertedLists Lists { get; }

    /// <summary>The same lists with their codes (record version 3 with QINF/QLST blocks), or null when the segment has none.</summary>
    public MappedInvertedLists? CodedLists { get; }

    /// <summary>The checksum of the code ranges the codes were encoded with (0 without codes).</summary>
    public ulong CodeRangesChecksum { get; }

    /// <summary>Whether the code blocks hold each row's squared norm.</summary>
    public bool HasNorms { get; }

    /// <summary>Maps and validates a segment file.</summary>
    /// <exception cref="IndexCorruptedException">The file is missing or damaged, or does not hold the expected segment.</exception>
    /// <exception cref="IncompatibleFormatException">The file was written by a newer format.</exception>
    public static MappedSegment Open(IStorageDevice device, string path, string? expectedCompanyId = null, long? expectedSegmentId = null,
        ulong? expectedFileId = null, long? expectedLength = null)
    {
        var file = BlockFile.Open(device, path, FileKind.Segment, expectedFileId, expectedLength);
        try
        {
            return Create(file, expectedCompanyId, expectedSegmentId);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static MappedSegment Create(BlockFile file, string? expectedCompanyId, long? expectedSegmentId)
    {
        var blocks = file.Blocks;
        if (blocks.Length < 4 || blocks[0].Tag != BlockTag.SegmentInfo)
            throw file.Corrupt(FileHeader.Size, "the segment does not start with a SEGI block.");
        file.Verify(0);
        var info = file.Payload(0);
        if (info.Length < SegmentWriter.InfoFixedBytes) throw file.Corrupt(file.PayloadOffset(0), "the SEGI block is too short.");
        uint dimensions = BinaryPrimitives.ReadUInt32LittleEndian(info);
        uint stride = BinaryPrimitives.ReadUInt32LittleEndian(info[4..]);
        uint listCount = BinaryPrimitives.ReadUInt32LittleEndian(info[8..]);
        uint rowCount = BinaryPrimitives.ReadUInt32LittleEndian(info[12..]);
        long segmentId = BinaryPrimitives.ReadInt64LittleEndian(info[16..]);
        uint companyBytes = BinaryPrimitives.ReadUInt32LittleEndian(info[24..]);
        if (dimensions is 0 or > 65536 || stride != StorageFormat.StrideFor((int)dimensions) || rowCount > int.MaxValue - 1
            || segmentId < 0 || companyBytes != info.Length - SegmentWriter.InfoFixedBytes || BinaryPrimitives.ReadUInt32LittleEndian(info[28..]) != 0)
            throw file.Corrupt(file.PayloadOffset(0), "the SEGI block holds invalid values.");
        // Record version 2 allows one optional KWIX block after META; version 3 also a QINF block and one QLST block per
        // list after that.
        if (listCount == 0 || listCount > int.MaxValue / 4)
            throw file.Corrupt(file.PayloadOffset(0), "the SEGI block holds invalid values.");
        int afterMetadata = (int)listCount + 3;
        bool hasKeywords = file.Header.RecordVersion >= StorageFormat.SegmentRecordVersionWithKeywords && blocks.Length > afterMetadata
            && blocks[afterMetadata].Tag == BlockTag.KeywordIndex;
        int codesBlock = afterMetadata + (hasKeywords ? 1 : 0);
        bool hasCodes = file.Header.RecordVersion >= StorageFormat.SegmentRecordVersionWithCodes && blocks.Length > codesBlock;
        if (blocks.Length != codesBlock + (hasCodes ? 1 + (int)listCount : 0))
            throw file.Corrupt(file.PayloadOffset(0), $"the segment declares {listCount} lists but has {blocks.Length} blocks.");
        string companyId = file.DecodeUtf8(info[SegmentWriter.InfoFixedBytes..], file.PayloadOffset(0) + SegmentWriter.InfoFixedBytes, "text");
        if (expectedCompanyId is not null && !string.Equals(companyId, expectedCompanyId, StringComparison.Ordinal))
            throw file.Corrupt(file.PayloadOffset(0), $"the segment belongs to company '{companyId}', not '{expectedCompanyId}'.");
        if (expectedSegmentId is { } id && id != segmentId)
            throw file.Corrupt(file.PayloadOffset(0) + 16, $"the file holds segment {segmentId}, not {id}.");

        long rowBytes = ((long)stride + 1) * sizeof(float);
        var counts = new int[listCount];
        long totalRows = 0;
        for (int list = 0; list < listCount; list++)
        {
            var entry = blocks[list + 1];
            if (entry.Tag != BlockTag.List || entry.Index != (uint)list || (long)entry.PayloadLength % rowBytes != 0)
                throw file.Corrupt((long)entry.Offset, $"block {list + 1} should be LIST#{list} with a whole number of rows.");
            long count = (long)entry.PayloadLength / rowBytes;
            if (count * stride > int.MaxValue) throw file.Corrupt((long)entry.Offset, "a list is too large.");
            counts[list] = (int)count;
            totalRows += count;
        }
        if (totalRows > rowCount) throw file.Corrupt(file.PayloadOffset(0), $"the lists hold {totalRows} rows but the segment has {rowCount}.");

        int keysBlock = (int)listCount + 1;
        int metadataBlock = keysBlock + 1;
        long tableBytes = ((long)rowCount + 1) * sizeof(ulong);
        if (blocks[keysBlock].Tag != BlockTag.Keys || (long)blocks[keysBlock].PayloadLength < tableBytes)
            throw file.Corrupt((long)blocks[keysBlock].Offset, "the KEYS block is missing or too short.");
        if (blocks[metadataBlock].Tag != BlockTag.Metadata || (long)blocks[metadataBlock].PayloadLength < tableBytes)
            throw file.Corrupt((long)blocks[metadataBlock].Offset, "the META block is missing or too short.");

        int keywordBlock = -1;
        if (hasKeywords)
        {
            keywordBlock = metadataBlock + 1;
            if (blocks[keywordBlock].Tag != BlockTag.KeywordIndex || blocks[keywordBlock].Index != 0)
                throw file.Corrupt((long)blocks[keywordBlock].Offset, "the block after META is not a KWIX block.");
        }

        var lists = new MappedInvertedLists(file, (int)stride, (int)rowCount, counts);
        MappedInvertedLists? codedLists = null;
        ulong rangesChecksum = 0;
        bool hasNorms = false;
        if (hasCodes) (codedLists, rangesChecksum, hasNorms) = OpenCodes(file, codesBlock, (int)dimensions, (int)stride, (int)rowCount, counts);
        return new MappedSegment(file, companyId, segmentId, (int)dimensions, (int)rowCount, lists, keysBlock, metadataBlock, keywordBlock,
            codedLists, rangesChecksum, hasNorms);
    }

    /// <summary>Checks the QINF block (verified now: it is small) and the QLST blocks' tags and lengths (their payloads
    /// are verified on first access), and returns the lists' coded view.</summary>
    private static (MappedInvertedLists Lists, ulong RangesChecksum, bool HasNorms) OpenCodes(BlockFile file, int infoBlock, int dimensions, int stride,
        int rowCount, int[] counts)
    {
        var blocks = file.Blocks;
        if (blocks[infoBlock].Tag != BlockTag.QuantizerInfo || blocks[infoBlock].Index != 0)
            throw file.Corrupt((long)blocks[infoBlock].Offset, "the block after META (and KWIX) is not a QINF block.");
        file.Verify(infoBlock);
        var info = file.Payload(infoBlock);
        long offset = file.PayloadOffset(infoBlock);
        if (info.Length != SegmentWriter.QuantizerInfoBytes)
            throw file.Corrupt(offset, "the QINF block has the wrong length.");
        uint layout = BinaryPrimitives.ReadUInt32LittleEndian(info);
        uint bits = BinaryPrimitives.ReadUInt32LittleEndian(info[4..]);
        uint codeDimensions = BinaryPrimitives.ReadUInt32LittleEndian(info[8..]);
        uint codeStride = BinaryPrimitives.ReadUInt32LittleEndian(info[12..]);
        uint listCount = BinaryPrimitives.ReadUInt32LittleEndian(info[16..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(info[20..]);
        ulong rangesChecksum = BinaryPrimitives.ReadUInt64LittleEndian(info[24..]);
        if (layout != SegmentWriter.QuantizerLayoutVersion)
            throw file.Corrupt(offset, $"the QINF block has layout version {layout}; this library reads version {SegmentWriter.QuantizerLayoutVersion}.");
        int expectedStride = bits == 8 ? CodeBlockKernel.StrideFor(dimensions) : NibbleBlockKernel.StrideFor(dimensions);
        if (bits is not (4 or 8) || codeDimensions != (uint)dimensions || codeStride != (uint)expectedStride || listCount != (uint)counts.Length
            || (flags & ~SegmentWriter.QuantizerFlagNorms) != 0 || info[32..].IndexOfAnyExcept((byte)0) >= 0)
            throw file.Corrupt(offset, "the QINF block holds invalid values.");
        bool hasNorms = (flags & SegmentWriter.QuantizerFlagNorms) != 0;
        long perRow = codeStride + sizeof(int) + (hasNorms ? sizeof(float) : 0) + sizeof(ulong);
        for (int list = 0; list < counts.Length; list++)
        {
            var entry = blocks[infoBlock + 1 + list];
            if (entry.Tag != BlockTag.QuantizedList || entry.Index != (uint)list || (long)entry.PayloadLength != counts[list] * perRow)
                throw file.Corrupt((long)entry.Offset, $"block {infoBlock + 1 + list} should be QLST#{list} with the codes of {counts[list]} rows.");
        }
        var coded = new MappedInvertedLists(file, stride, rowCount, counts, new MappedCodes((int)bits, (int)codeStride, hasNorms, infoBlock + 1));
        return (coded, rangesChecksum, hasNorms);
    }

    /// <summary>Whether the segment carries a keyword index block.</summary>
    public bool HasKeywords => _keywordBlock >= 0;

    /// <summary>The payload of the keyword index block (verified on first access), or empty when there is none.</summary>
    /// <param name="offset">The payload's file offset, for error messages.</param>
    /// <exception cref="IndexCorruptedException">The block is damaged.</exception>
    public ReadOnlySpan<byte> GetKeywords(out long offset)
    {
        offset = -1;
        if (_keywordBlock < 0) return [];
        if (Volatile.Read(ref _keywordsVerified) == 0)
        {
            _file.Verify(_keywordBlock);
            Volatile.Write(ref _keywordsVerified, 1);
        }
        offset = _file.PayloadOffset(_keywordBlock);
        if (_file.PayloadLength(_keywordBlock) > int.MaxValue) throw _file.Corrupt(offset, "the KWIX block is larger than 2 GiB.");
        return _file.Payload(_keywordBlock);
    }

    /// <summary>The key of row <paramref name="rowId"/>.</summary>
    /// <exception cref="IndexCorruptedException">The KEYS block is damaged.</exception>
    public string GetKey(int rowId)
    {
        var bytes = RowBytes(_keysBlock, rowId, ref _keysVerified, out long offset);
        if (bytes.IsEmpty) throw _file.Corrupt(offset, $"row {rowId} has an empty key.");
        return _file.DecodeUtf8(bytes, offset, "text");
    }

    /// <summary>The metadata of row <paramref name="rowId"/>, or null when it has none.</summary>
    /// <exception cref="IndexCorruptedException">The META block is damaged.</exception>
    public IReadOnlyDictionary<string, MetadataValue>? GetMetadata(int rowId)
    {
        var bytes = RowBytes(_metadataBlock, rowId, ref _metadataVerified, out long offset);
        if (bytes.IsEmpty) return null;
        try
        {
            return MetadataCodec.Read(bytes.ToArray());
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or FormatException or ArgumentException or EndOfStreamException)
        {
            throw new IndexCorruptedException(_file.Path, offset, $"the metadata of row {rowId} cannot be decoded.", ex);
        }
    }

    /// <summary>The string stored under <paramref name="key"/> in row <paramref name="rowId"/>'s metadata, or null; decodes
    /// nothing else of the row (see <see cref="MetadataCodec.ReadString"/>).</summary>
    /// <exception cref="IndexCorruptedException">The META block is damaged.</exception>
    public string? GetMetadataString(int rowId, string key)
    {
        var bytes = RowBytes(_metadataBlock, rowId, ref _metadataVerified, out long offset);
        if (bytes.IsEmpty) return null;
        // The reader needs memory, not a span of the map: a pooled copy (the string found is copied out of it).
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(bytes.Length);
        try
        {
            bytes.CopyTo(buffer);
            return MetadataCodec.ReadString(buffer.AsMemory(0, bytes.Length), key);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or FormatException or ArgumentException or EndOfStreamException)
        {
            throw new IndexCorruptedException(_file.Path, offset, $"the metadata of row {rowId} cannot be decoded.", ex);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The stored (stride-padded) vector of row <paramref name="rowId"/>, in place; empty for a row that no list holds.</summary>
    /// <remarks>The first call builds a row → (list, position) table (8 bytes per row, touching every list once);
    /// searches never need it, retraining and merging do.</remarks>
    /// <exception cref="IndexCorruptedException">A list block is damaged.</exception>
    public ReadOnlySpan<float> GetVector(int rowId)
    {
        if ((uint)rowId >= (uint)RowCount) throw new ArgumentOutOfRangeException(nameof(rowId), $"Row {rowId} is outside 0..{RowCount - 1}.");
        var locations = _locations ?? BuildLocations();
        long location = locations[rowId];
        if (location < 0) return [];
        int list = (int)(location >> 32), index = (int)location;
        return Lists.GetVectors(list).Slice(index * Lists.Stride, Lists.Stride);
    }

    private long[] BuildLocations()
    {
        var locations = new long[RowCount];
        Array.Fill(locations, -1L);
        for (int list = 0; list < Lists.ListCount; list++)
        {
            var rowIds = Lists.GetRowIds(list);
            for (int i = 0; i < rowIds.Length; i++) locations[rowIds[i]] = ((long)list << 32) | (uint)i;
        }
        Interlocked.CompareExchange(ref _locations, locations, null);
        return _locations!;
    }

    /// <summary>Verifies every block of the file now (the whole file is read).</summary>
    /// <exception cref="IndexCorruptedException">A block is damaged.</exception>
    public void VerifyAll()
    {
        for (int list = 0; list < Lists.ListCount; list++) Lists.EnsureVerified(list);
        EnsureTableVerified(_keysBlock, ref _keysVerified);
        EnsureTableVerified(_metadataBlock, ref _metadataVerified);
        GetKeywords(out _);
        if (CodedLists is { } coded)
        {
            for (int list = 0; list < coded.ListCount; list++) coded.VerifyRows(list);
        }
    }

    /// <summary>Unmaps the file.</summary>
    public void Dispose() => _file.Dispose();

    private ReadOnlySpan<byte> RowBytes(int block, int rowId, ref int verified, out long offset)
    {
        if ((uint)rowId >= (uint)RowCount) throw new ArgumentOutOfRangeException(nameof(rowId), $"Row {rowId} is outside 0..{RowCount - 1}.");
        EnsureTableVerified(block, ref verified);
        byte* payload = _file.PayloadPointer(block);
        long tableBytes = ((long)RowCount + 1) * sizeof(ulong);
        ulong start = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(payload + (long)rowId * 8, 8));
        ulong end = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(payload + ((long)rowId + 1) * 8, 8));
        offset = _file.PayloadOffset(block) + tableBytes + (long)start;
        return new ReadOnlySpan<byte>(payload + tableBytes + (long)start, (int)(end - start));
    }

    private void EnsureTableVerified(int block, ref int verified)
    {
        if (Volatile.Read(ref verified) != 0) return;
        _file.Verify(block);
        // Offsets must start at 0, never decrease, and end exactly at the blob's end (each row's slice below 2 GiB).
        byte* payload = _file.PayloadPointer(block);
        long tableBytes = ((long)RowCount + 1) * sizeof(ulong);
        ulong blobBytes = (ulong)(_file.PayloadLength(block) - tableBytes);
        ulong previous = 0;
        for (long row = 0; row <= RowCount; row++)
        {
            ulong value = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(payload + row * 8, 8));
            if ((row == 0 && value != 0) || value < previous || value - previous > int.MaxValue || value > blobBytes || (row == RowCount && value != blobBytes))
                throw _file.Corrupt(_file.PayloadOffset(block) + row * 8, $"invalid offset table in block {BlockTag.ToText(_file.Blocks[block].Tag)}.");
            previous = value;
        }
        Volatile.Write(ref verified, 1);
    }
}

/// <summary>Where a segment's code blocks are: bits per code, bytes per code row, whether norms are stored, and the
/// block index of QLST #0.</summary>
internal sealed record MappedCodes(int Bits, int CodeStride, bool HasNorms, int FirstBlock);

/// <summary>The inverted lists of a <see cref="MappedSegment"/>, read in place from the mapped file.</summary>
/// <remarks>
/// <para>Each LIST block is verified (checksum, padding, row ids in range) on the first call that reads its vectors as a
/// block or (without codes) its row ids. <see cref="GetCount"/> comes from the validated table of contents and touches
/// nothing. The spans point into the mapping: they are valid while the owning snapshot is alive.</para>
/// <para>A coded view (<see cref="MappedSegment.CodedLists"/>) reads row ids, codes and norms from the list's QLST block,
/// verified on first access, and serves single vectors for re-ranking (<see cref="GetVector(int, int)"/>) checked
/// against the row's own checksum from that block, so a quantized search never reads (or hashes) a whole LIST block:
/// only the codes are hot.</para>
/// <para>Threading: safe for any number of concurrent readers; two threads touching a new list or row may both verify
/// it, which is harmless.</para>
/// </remarks>
internal sealed unsafe class MappedInvertedLists : IInvertedLists
{
    private readonly BlockFile _file;
    private readonly int _rowCount;
    private readonly int[] _counts;
    private readonly int[] _verified;
    private readonly MappedCodes? _codes;
    private readonly int[] _codesVerified = [];
    private readonly long[] _firstPosition = []; // per list: index of its first row among all rows, for the row bits
    private int[]? _rowsVerified;

    internal MappedInvertedLists(BlockFile file, int stride, int rowCount, int[] counts, MappedCodes? codes = null)
    {
        _file = file;
        Stride = stride;
        _rowCount = rowCount;
        _counts = counts;
        _verified = new int[counts.Length];
        _codes = codes;
        if (codes is null) return;
        _codesVerified = new int[counts.Length];
        _firstPosition = new long[counts.Length + 1];
        for (int list = 0; list < counts.Length; list++) _firstPosition[list + 1] = _firstPosition[list] + counts[list];
    }

    /// <inheritdoc />
    public int ListCount => _counts.Length;

    /// <inheritdoc />
    public int Stride { get; }

    /// <inheritdoc />
    public int CodeBits => _codes?.Bits ?? 0;

    /// <inheritdoc />
    public int CodeStride => _codes?.CodeStride ?? 0;

    /// <inheritdoc />
    public int GetCount(int list) => _counts[list];

    /// <inheritdoc />
    /// <exception cref="IndexCorruptedException">The list's block is damaged.</exception>
    public ReadOnlySpan<float> GetVectors(int list)
    {
        EnsureVerified(list);
        return new ReadOnlySpan<float>(_file.PayloadPointer(list + 1), _counts[list] * Stride);
    }

    /// <inheritdoc />
    /// <exception cref="IndexCorruptedException">The list's block is damaged.</exception>
    public ReadOnlySpan<int> GetRowIds(int list)
    {
        if (_codes is { } codes)
        {
            EnsureCodesVerified(list);
            return new ReadOnlySpan<int>(_file.PayloadPointer(codes.FirstBlock + list) + (long)_counts[list] * codes.CodeStride, _counts[list]);
        }
        EnsureVerified(list);
        return new ReadOnlySpan<int>(_file.PayloadPointer(list + 1) + (long)_counts[list] * Stride * sizeof(float), _counts[list]);
    }

    /// <inheritdoc />
    /// <exception cref="IndexCorruptedException">The list's code block is damaged.</exception>
    public ReadOnlySpan<byte> GetCodes(int list)
    {
        if (_codes is not { } codes) return [];
        EnsureCodesVerified(list);
        return new ReadOnlySpan<byte>(_file.PayloadPointer(codes.FirstBlock + list), _counts[list] * codes.CodeStride);
    }

    /// <inheritdoc />
    /// <exception cref="IndexCorruptedException">The list's code block is damaged.</exception>
    public ReadOnlySpan<float> GetNorms(int list)
    {
        if (_codes is not { HasNorms: true } codes) return [];
        EnsureCodesVerified(list);
        long count = _counts[list];
        return new ReadOnlySpan<float>(_file.PayloadPointer(codes.FirstBlock + list) + count * (codes.CodeStride + sizeof(int)), (int)count);
    }

    /// <inheritdoc />
    /// <exception cref="IndexCorruptedException">The row (or, without codes, its list's block) is damaged.</exception>
    public ReadOnlySpan<float> GetVector(int list, int position)
    {
        if ((uint)position >= (uint)_counts[list]) throw new ArgumentOutOfRangeException(nameof(position));
        if (_codes is null) return GetVectors(list).Slice(position * Stride, Stride);
        var row = new ReadOnlySpan<float>(_file.PayloadPointer(list + 1) + (long)position * Stride * sizeof(float), Stride);
        var bits = _rowsVerified ?? InitializeRowBits();
        long at = _firstPosition[list] + position;
        int mask = 1 << (int)(at & 31);
        if ((Volatile.Read(ref bits[at >> 5]) & mask) == 0)
        {
            EnsureCodesVerified(list);
            if (StorageFormat.Checksum(MemoryMarshal.AsBytes(row)) != RowChecksums(list)[position])
                throw _file.Corrupt(_file.PayloadOffset(list + 1) + (long)position * Stride * sizeof(float), $"checksum mismatch in row {position} of list {list}.");
            Interlocked.Or(ref bits[at >> 5], mask);
        }
        return row;
    }

    private int[] InitializeRowBits()
    {
        Interlocked.CompareExchange(ref _rowsVerified, new int[(int)((_firstPosition[^1] + 31) >> 5)], null);
        return _rowsVerified!;
    }

    /// <summary>The stored checksum of each vector row of a list (coded view, codes verified).</summary>
    private ReadOnlySpan<ulong> RowChecksums(int list)
    {
        var codes = _codes!;
        long count = _counts[list];
        long offset = count * (codes.CodeStride + sizeof(int) + (codes.HasNorms ? sizeof(float) : 0));
        return MemoryMarshal.Cast<byte, ulong>(new ReadOnlySpan<byte>(_file.PayloadPointer(codes.FirstBlock + list) + offset, (int)(count * sizeof(ulong))));
    }

    /// <summary>Verifies list <paramref name="list"/> unless it already was.</summary>
    /// <exception cref="IndexCorruptedException">The list's block is damaged.</exception>
    public void EnsureVerified(int list)
    {
        if ((uint)list >= (uint)_counts.Length) throw new ArgumentOutOfRangeException(nameof(list));
        if (Volatile.Read(ref _verified[list]) != 0) return;
        int block = list + 1;
        _file.Verify(block);
        var rowIds = new ReadOnlySpan<int>(_file.PayloadPointer(block) + (long)_counts[list] * Stride * sizeof(float), _counts[list]);
        CheckRowIds(rowIds, _file.PayloadOffset(block) + (long)_counts[list] * Stride * sizeof(float), list);
        Volatile.Write(ref _verified[list], 1);
    }

    /// <summary>Verifies list <paramref name="list"/>'s code block (checksum, padding, row ids in range) unless it already was.</summary>
    /// <exception cref="IndexCorruptedException">The code block is damaged.</exception>
    private void EnsureCodesVerified(int list)
    {
        if ((uint)list >= (uint)_counts.Length) throw new ArgumentOutOfRangeException(nameof(list));
        if (Volatile.Read(ref _codesVerified[list]) != 0) return;
        var codes = _codes!;
        int block = codes.FirstBlock + list;
        _file.Verify(block);
        long idsOffset = (long)_counts[list] * codes.CodeStride;
        CheckRowIds(new ReadOnlySpan<int>(_file.PayloadPointer(block) + idsOffset, _counts[list]), _file.PayloadOffset(block) + idsOffset, list);
        Volatile.Write(ref _codesVerified[list], 1);
    }

    /// <summary>Verifies a list's code block and every one of its vector rows against its row checksum (a full check).</summary>
    /// <exception cref="IndexCorruptedException">A block or row is damaged.</exception>
    public void VerifyRows(int list)
    {
        EnsureCodesVerified(list);
        for (int position = 0; position < _counts[list]; position++) GetVector(list, position);
    }

    private void CheckRowIds(ReadOnlySpan<int> rowIds, long offset, int list)
    {
        for (int i = 0; i < rowIds.Length; i++)
        {
            if ((uint)rowIds[i] >= (uint)_rowCount)
                throw _file.Corrupt(offset + (long)i * sizeof(int), $"list {list} holds row id {rowIds[i]}, outside the segment's {_rowCount} rows.");
        }
    }
}
