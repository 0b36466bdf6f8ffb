namespace Werkly.VectorIndex.Ivf;

/// <summary>Per-row facts of one company: key, metadata, where the vector lives, and whether the row is deleted.</summary>
/// <remarks>Rows are append-only until a rebuild compacts them. Guarded by the owning <see cref="IvfIndex"/>'s lock.</remarks>
internal sealed class RowTable
{
    private ulong[] _deleted = new ulong[4];

    public List<string> Keys { get; } = [];

    public List<IReadOnlyDictionary<string, MetadataValue>?> Metadata { get; } = [];

    public List<int> ListOf { get; } = [];

    public List<int> PositionOf { get; } = [];

    public Dictionary<string, int> RowByKey { get; } = new(StringComparer.Ordinal);

    public int Count => Keys.Count;

    public int LiveCount => RowByKey.Count;

    public bool IsDeleted(int row) => (_deleted[row >> 6] & (1UL << row)) != 0;

    public int Add(string key, IReadOnlyDictionary<string, MetadataValue>? metadata, int list, int position)
    {
        var row = Keys.Count;
        Keys.Add(key);
        Metadata.Add(metadata);
        ListOf.Add(list);
        PositionOf.Add(position);
        if ((row >> 6) >= _deleted.Length) Array.Resize(ref _deleted, _deleted.Length * 2);
        if (RowByKey.TryGetValue(key, out var previous)) MarkDeleted(previous);
        RowByKey[key] = row;
        return row;
    }

    public bool Delete(string key)
    {
        if (!RowByKey.Remove(key, out var row)) return false;
        MarkDeleted(row);
        return true;
    }

    private void MarkDeleted(int row) => _deleted[row >> 6] |= 1UL << row;
}
