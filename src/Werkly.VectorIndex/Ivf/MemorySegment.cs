namespace Werkly.VectorIndex.Ivf;

/// <summary>The mutable segment that takes new rows: growable lists plus per-row key, metadata and list position.</summary>
internal sealed class MemorySegment : IvfSegment
{
    private readonly MemoryInvertedLists _lists;
    private readonly List<string> _keys = [];
    private readonly List<IReadOnlyDictionary<string, MetadataValue>?> _metadata = [];
    private readonly List<(int List, int Position)> _locations = [];

    public MemorySegment(int listCount, int stride) => _lists = new MemoryInvertedLists(listCount, stride);

    public override IInvertedLists Lists => _lists;

    public override int RowCount => _keys.Count;

    /// <summary>Keys by row, for writing the segment out.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>Metadata by row, for writing the segment out.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, MetadataValue>?> Metadata => _metadata;

    public override string GetKey(int row) => _keys[row];

    public override IReadOnlyDictionary<string, MetadataValue>? GetMetadata(int row) => _metadata[row];

    public override ReadOnlySpan<float> GetVector(int row)
    {
        var (list, position) = _locations[row];
        return _lists.GetVectors(list).Slice(position * _lists.Stride, _lists.Stride);
    }

    /// <summary>The list holding <paramref name="row"/>.</summary>
    public int ListOf(int row) => _locations[row].List;

    public void EnsureCapacity(int list, int rows) => _lists.EnsureCapacity(list, rows);

    /// <summary>Removes the rows from <paramref name="rowCount"/> on (the last ones appended), undoing their appends.</summary>
    public void Truncate(int rowCount)
    {
        for (var row = _keys.Count - 1; row >= rowCount; row--) _lists.RemoveLast(_locations[row].List);
        _keys.RemoveRange(rowCount, _keys.Count - rowCount);
        _metadata.RemoveRange(rowCount, _metadata.Count - rowCount);
        _locations.RemoveRange(rowCount, _locations.Count - rowCount);
    }

    /// <summary>Appends a row; returns its local row number.</summary>
    public int Append(int list, ReadOnlySpan<float> paddedVector, string key, IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        var row = _keys.Count;
        var position = _lists.Append(list, paddedVector, row);
        _keys.Add(key);
        _metadata.Add(metadata);
        _locations.Add((list, position));
        return row;
    }
}
