namespace Werkly.VectorIndex.Ivf;

/// <summary>Growable in-memory inverted lists: per list a 64-byte aligned vector block and a parallel row-id array.</summary>
/// <remarks>Threading: one writer at a time (the partition's write lock); readers holding the read lock scan
/// concurrently with each other, never with a writer. Growth doubles the block, so appends are amortised O(stride).</remarks>
internal sealed class MemoryInvertedLists : IInvertedLists
{
    private readonly AlignedFloatBuffer?[] _vectors;
    private readonly int[][] _rowIds;
    private readonly int[] _counts;

    public MemoryInvertedLists(int listCount, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(listCount, 1);
        if (stride <= 0 || stride % 16 != 0) throw new ArgumentOutOfRangeException(nameof(stride));
        ListCount = listCount;
        Stride = stride;
        _vectors = new AlignedFloatBuffer?[listCount];
        _rowIds = new int[listCount][];
        Array.Fill(_rowIds, []);
        _counts = new int[listCount];
    }

    public int ListCount { get; }

    public int Stride { get; }

    public int GetCount(int list) => _counts[list];

    public ReadOnlySpan<float> GetVectors(int list) =>
        _vectors[list] is { } buffer ? buffer.Span[..(_counts[list] * Stride)] : [];

    public ReadOnlySpan<int> GetRowIds(int list) => _rowIds[list].AsSpan(0, _counts[list]);

    /// <summary>Appends a padded vector (exactly <see cref="Stride"/> floats) to <paramref name="list"/>; returns its position.</summary>
    public int Append(int list, ReadOnlySpan<float> paddedVector, int rowId)
    {
        var count = _counts[list];
        EnsureCapacity(list, count + 1);
        paddedVector[..Stride].CopyTo(_vectors[list]!.Span.Slice(count * Stride, Stride));
        _rowIds[list][count] = rowId;
        _counts[list] = count + 1;
        return count;
    }

    /// <summary>Removes the last row appended to <paramref name="list"/> (undoing an append).</summary>
    public void RemoveLast(int list) => _counts[list]--;

    /// <summary>Pre-sizes list <paramref name="list"/> for <paramref name="capacity"/> rows.</summary>
    public void EnsureCapacity(int list, int capacity)
    {
        var current = _rowIds[list].Length;
        if (capacity <= current) return;
        var grown = Math.Max(capacity, Math.Max(8, current * 2));
        var buffer = new AlignedFloatBuffer(checked(grown * Stride));
        if (_vectors[list] is { } old) old.Span[..(_counts[list] * Stride)].CopyTo(buffer.Span);
        var ids = new int[grown];
        _rowIds[list].AsSpan(0, _counts[list]).CopyTo(ids);
        _vectors[list] = buffer;
        _rowIds[list] = ids;
    }
}
