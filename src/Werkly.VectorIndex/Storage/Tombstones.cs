using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Storage;

/// <summary>The deleted row ids of one segment: an immutable set with O(1) <see cref="Contains"/>.</summary>
/// <remarks>Thread-safe (immutable). Memory: one bit per row of the segment when any row is deleted, nothing otherwise.</remarks>
internal sealed class Tombstones
{
    /// <summary>Bytes of the fixed TOMB-info part written before the row ids.</summary>
    public const int InfoBytes = 16;

    private readonly ulong[] _bits;
    private readonly int[] _rowIds;

    /// <summary>The empty set.</summary>
    public static Tombstones None { get; } = new([], 0);

    private Tombstones(int[] sortedRowIds, int rowCount)
    {
        _rowIds = sortedRowIds;
        _bits = sortedRowIds.Length == 0 ? [] : new ulong[(rowCount + 63) / 64];
        foreach (int row in sortedRowIds) _bits[row >> 6] |= 1UL << row;
    }

    /// <summary>Deleted rows.</summary>
    public int Count => _rowIds.Length;

    /// <summary>The deleted row ids, ascending.</summary>
    public ReadOnlySpan<int> RowIds => _rowIds;

    /// <summary>True when row <paramref name="rowId"/> is deleted.</summary>
    public bool Contains(int rowId) => (uint)(rowId >> 6) < (uint)_bits.Length && (_bits[rowId >> 6] & (1UL << rowId)) != 0;

    /// <summary>This set plus <paramref name="added"/> (ids outside 0..<paramref name="rowCount"/>-1 are rejected).</summary>
    public Tombstones Union(IEnumerable<int> added, int rowCount)
    {
        var set = new SortedSet<int>(_rowIds);
        foreach (int row in added)
        {
            if ((uint)row >= (uint)rowCount) throw new ArgumentOutOfRangeException(nameof(added), $"Tombstone row id {row} is outside the segment's 0..{rowCount - 1}.");
            set.Add(row);
        }
        return set.Count == _rowIds.Length ? this : new Tombstones([.. set], rowCount);
    }

    /// <summary>Writes a tombstone file for <paramref name="segmentId"/>; does not sync.</summary>
    public (long Length, ulong FileId) Write(IWritableFile file, long segmentId, int rowCount)
    {
        var writer = new BlockFileWriter(file, FileKind.Tombstones);
        var info = new byte[InfoBytes];
        BinaryPrimitives.WriteInt64LittleEndian(info, segmentId);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(8), (uint)rowCount);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(12), (uint)_rowIds.Length);
        writer.WriteBlock(BlockTag.Tombstones, 0, info, MemoryMarshal.AsBytes(_rowIds.AsSpan()));
        return (writer.Finish(), writer.FileId);
    }

    /// <summary>Reads and fully verifies a tombstone file (its size grows with deletions only).</summary>
    /// <exception cref="IndexCorruptedException">The file is missing or damaged, or belongs to another segment.</exception>
    /// <exception cref="IncompatibleFormatException">The file was written by a newer format.</exception>
    public static Tombstones Read(IStorageDevice device, string path, long segmentId, int rowCount, ulong? expectedFileId = null, long? expectedLength = null)
    {
        using var file = BlockFile.Open(device, path, FileKind.Tombstones, expectedFileId, expectedLength);
        if (file.Blocks.Length != 1 || file.Blocks[0].Tag != BlockTag.Tombstones)
            throw file.Corrupt(FileHeader.Size, "a tombstone file holds exactly one TOMB block.");
        file.Verify(0);
        var payload = file.Payload(0);
        if (payload.Length < InfoBytes || (payload.Length - InfoBytes) % sizeof(int) != 0)
            throw file.Corrupt(file.PayloadOffset(0), "the TOMB block has an invalid length.");
        long storedSegment = BinaryPrimitives.ReadInt64LittleEndian(payload);
        uint storedRows = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(payload[12..]);
        if (storedSegment != segmentId || storedRows != (uint)rowCount || count != (payload.Length - InfoBytes) / sizeof(int))
            throw file.Corrupt(file.PayloadOffset(0), $"the tombstones are for segment {storedSegment} with {storedRows} rows, not segment {segmentId} with {rowCount}.");
        var rows = MemoryMarshal.Cast<byte, int>(payload[InfoBytes..]).ToArray();
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)rowCount || (i > 0 && rows[i] <= rows[i - 1]))
                throw new IndexCorruptedException(path, file.PayloadOffset(0) + InfoBytes + (long)i * sizeof(int), "tombstone row ids are not ascending or out of range.");
        }
        return new Tombstones(rows, rowCount);
    }
}
