namespace Werkly.VectorIndex.Ivf;

/// <summary>The deleted rows of one segment: a growable bitset with a count, plus the deletions not yet committed.</summary>
/// <remarks>Guarded by the owning company partition's lock: writers mutate under the write lock, readers test bits
/// under the read lock.</remarks>
internal sealed class DeletionSet
{
    private ulong[] _bits = [];

    /// <summary>Deleted rows.</summary>
    public int Count { get; private set; }

    /// <summary>Rows deleted since the last commit (persistence turns them into tombstones).</summary>
    public List<int> Uncommitted { get; } = [];

    public bool Contains(int row) => (uint)(row >> 6) < (uint)_bits.Length && (_bits[row >> 6] & (1UL << row)) != 0;

    /// <summary>Marks <paramref name="row"/> deleted; false when it already was. <paramref name="committed"/> rows (already
    /// on disk, or in an index that never commits) are not added to <see cref="Uncommitted"/>.</summary>
    public bool Add(int row, bool committed = false)
    {
        if (Contains(row)) return false;
        var word = row >> 6;
        if (word >= _bits.Length) Array.Resize(ref _bits, Math.Max(word + 1, _bits.Length * 2));
        _bits[word] |= 1UL << row;
        Count++;
        if (!committed) Uncommitted.Add(row);
        return true;
    }

    /// <summary>Clears <paramref name="row"/>'s bit (undoing an <see cref="Add"/>); false when it was not set.</summary>
    public bool Remove(int row)
    {
        if (!Contains(row)) return false;
        _bits[row >> 6] &= ~(1UL << row);
        Count--;
        var i = Uncommitted.LastIndexOf(row);
        if (i >= 0) Uncommitted.RemoveAt(i);
        return true;
    }
}
