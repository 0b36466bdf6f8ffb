using Werkly.VectorIndex.Distance;

namespace Werkly.VectorIndex.Ivf;

/// <summary>What one <see cref="IvfIndex.Apply"/> changed, so that <see cref="IvfIndex.Undo"/> can take it back.</summary>
internal sealed class VectorUndo
{
    /// <summary>The memory segment the rows were appended to, and its row count before.</summary>
    public MemorySegment? Memory;
    public int MemoryRows;

    /// <summary>Deletion bits set, in order.</summary>
    public readonly List<(IvfSegment Segment, int Row)> Deleted = [];

    /// <summary>Key map entries changed, in order, with the value each had before (null: absent).</summary>
    public readonly List<(string Key, (IvfSegment Segment, int Row)? Previous)> Keys = [];
}

internal sealed partial class IvfIndex
{
    /// <summary>
    /// Deletes <paramref name="deletes"/>, then appends one row per key of <paramref name="keys"/> (vectors padded to the
    /// stride), replacing a live record with the same key. Everything is validated already; the
    /// key map must be built. Records what it changed in <paramref name="undo"/>. Runs under the write lock.
    /// </summary>
    /// <returns>How many of <paramref name="deletes"/> existed.</returns>
    public int Apply(IReadOnlyList<string> keys, IReadOnlyList<IReadOnlyDictionary<string, MetadataValue>?> metadata, ReadOnlySpan<float> padded,
        IReadOnlyList<string> deletes, VectorUndo undo)
    {
        var map = _rowByKey ?? throw new InvalidOperationException("The key map is not built.");
        undo.Memory = _memory;
        undo.MemoryRows = _memory.RowCount;
        var deleted = 0;
        foreach (var key in deletes)
        {
            if (!map.Remove(key, out var location)) continue;
            deleted++;
            undo.Keys.Add((key, location));
            MarkDeleted(location.Segment, location.Row);
            undo.Deleted.Add(location);
        }
        var scratch = _quantizer is null ? null : new float[_quantizer.ListCount];
        for (var i = 0; i < keys.Count; i++)
        {
            var vector = padded.Slice(i * Stride, Stride);
            var list = _quantizer is null ? 0 : _quantizer.Assign(vector, scratch);
            var key = keys[i];
            var row = _memory.Append(list, vector, key, metadata[i]);
            if (map.TryGetValue(key, out var previous))
            {
                undo.Keys.Add((key, previous));
                MarkDeleted(previous.Segment, previous.Row);
                undo.Deleted.Add(previous);
            }
            else
            {
                undo.Keys.Add((key, null));
            }
            map[key] = (_memory, row);
        }
        return deleted;
    }

    /// <summary>Takes back everything <paramref name="undo"/> recorded, newest first. Runs under the write lock.</summary>
    public void Undo(VectorUndo undo)
    {
        var map = _rowByKey!;
        for (var i = undo.Keys.Count - 1; i >= 0; i--)
        {
            var (key, previous) = undo.Keys[i];
            if (previous is { } location) map[key] = location;
            else map.Remove(key);
        }
        for (var i = undo.Deleted.Count - 1; i >= 0; i--)
        {
            var (segment, row) = undo.Deleted[i];
            segment.Deleted.Remove(row);
        }
        undo.Memory?.Truncate(undo.MemoryRows);
    }

    /// <summary>Deletes the record with <paramref name="key"/>; false when there is none. The key map must be built.</summary>
    public bool Delete(string key, VectorUndo? undo = null)
    {
        if (!_rowByKey!.Remove(key, out var location)) return false;
        undo?.Keys.Add((key, location));
        MarkDeleted(location.Segment, location.Row);
        undo?.Deleted.Add(location);
        return true;
    }

    /// <summary>The stored (padded) vector of a live record, unit length under cosine; the key map must be built.</summary>
    public bool TryGetVector(string key, out ReadOnlySpan<float> vector)
    {
        if (!_rowByKey!.TryGetValue(key, out var location))
        {
            vector = default;
            return false;
        }
        vector = location.Segment.GetVector(location.Row)[..Dimensions];
        return true;
    }

    /// <summary>The metadata of a live record (null when it has none); false when there is no such record. The key map must be built.</summary>
    public bool TryGetMetadata(string key, out IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        if (!_rowByKey!.TryGetValue(key, out var location))
        {
            metadata = null;
            return false;
        }
        metadata = location.Segment.GetMetadata(location.Row);
        return true;
    }

    /// <summary>The keys of all live records, in no particular order; the key map must be built.</summary>
    public string[] GetKeys() => [.. _rowByKey!.Keys];

    /// <summary>Deleted rows a company may carry before a write compacts it (when they also outnumber the live rows).</summary>
    internal const int CompactionMinimumDeletedRows = 1000;

    /// <summary>
    /// Whether the policy asks for a rebuild now: crossing the flat threshold, 2× growth since training, or more
    /// deleted and replaced rows than live ones (re-ingesting documents replaces rows; without this their old rows
    /// would stay in the lists until someone called <c>Retrain</c>).
    /// </summary>
    public bool NeedsTraining()
    {
        var live = LiveCount();
        var deleted = 0;
        foreach (var segment in _segments) deleted += segment.Deleted.Count;
        if (deleted >= CompactionMinimumDeletedRows && deleted > live) return true;
        if (live < Options.FlatSearchThreshold) return false;
        return _quantizer is null || live >= 2 * _quantizer.TrainedAtCount;
    }
}
