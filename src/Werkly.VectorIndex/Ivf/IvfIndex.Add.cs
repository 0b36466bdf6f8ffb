using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Partitions;

namespace Werkly.VectorIndex.Ivf;

internal sealed partial class IvfIndex
{
    /// <summary>
    /// Inserts or replaces records. The whole batch is validated before anything changes, so a bad record leaves the
    /// index untouched. A replaced record's old vector is never returned again.
    /// </summary>
    /// <returns>True when the batch crossed a training threshold under <see cref="VectorIndexOptions.AutoRetrain"/>.</returns>
    public bool Upsert(IReadOnlyList<VectorRecord> records) => Apply(records, []);

    /// <summary>
    /// Deletes <paramref name="deletes"/>, then upserts <paramref name="upserts"/>, as one atomic change: a concurrent
    /// search (or a commit) sees all of it or none of it. Everything is validated before anything changes.
    /// </summary>
    /// <returns>True when the batch crossed a training threshold under <see cref="VectorIndexOptions.AutoRetrain"/>.</returns>
    public bool Apply(IReadOnlyList<VectorRecord> upserts, IReadOnlyList<string> deletes)
    {
        ArgumentNullException.ThrowIfNull(upserts);
        ArgumentNullException.ThrowIfNull(deletes);
        foreach (var key in deletes) Identifiers.ValidateKey(key);
        var padded = new float[upserts.Count * Stride];
        for (var i = 0; i < upserts.Count; i++)
        {
            var record = upserts[i] ?? throw new ArgumentNullException(nameof(upserts), $"Record {i} is null.");
            Identifiers.ValidateKey(record.Key);
            VectorValidation.Validate(record.Vector.Span, Dimensions, Metric, $"{nameof(upserts)}[{i}].{nameof(VectorRecord.Vector)}");
            Prepare(record.Vector.Span, padded.AsSpan(i * Stride, Stride));
        }

        _lock.EnterWriteLock();
        try
        {
            var map = EnsureKeyMap();
            foreach (var key in deletes)
            {
                if (map.Remove(key, out var location)) MarkDeleted(location.Segment, location.Row);
            }
            var scratch = _quantizer is null ? null : new float[_quantizer.ListCount];
            for (var i = 0; i < upserts.Count; i++)
            {
                var vector = padded.AsSpan(i * Stride, Stride);
                var list = _quantizer is null ? 0 : _quantizer.Assign(vector, scratch);
                var row = _memory.Append(list, vector, upserts[i].Key, upserts[i].Metadata);
                if (map.TryGetValue(upserts[i].Key, out var previous)) MarkDeleted(previous.Segment, previous.Row);
                map[upserts[i].Key] = (_memory, row);
            }
            return Options.AutoRetrain && NeedsTraining();
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>Deletes the record with <paramref name="key"/>; returns false when there is none.</summary>
    public bool Delete(string key)
    {
        Identifiers.ValidateKey(key);
        _lock.EnterWriteLock();
        try
        {
            if (!EnsureKeyMap().Remove(key, out var location)) return false;
            MarkDeleted(location.Segment, location.Row);
            return true;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>Copies the stored vector of <paramref name="key"/> (normalised under cosine) into <paramref name="destination"/>.</summary>
    public bool TryGetVector(string key, Span<float> destination, out IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        if (destination.Length < Dimensions) throw new ArgumentException($"Destination must hold {Dimensions} floats.", nameof(destination));
        var found = ReadWithKeys<(float[]? Vector, IReadOnlyDictionary<string, MetadataValue>? Metadata)>(map =>
            map.TryGetValue(key, out var location)
                ? (location.Segment.GetVector(location.Row)[..Dimensions].ToArray(), location.Segment.GetMetadata(location.Row))
                : (null, null));
        metadata = found.Metadata;
        if (found.Vector is null) return false;
        found.Vector.CopyTo(destination);
        return true;
    }

    /// <summary>The metadata of <paramref name="key"/>; false when there is no such record.</summary>
    public bool TryGetMetadata(string key, out IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        var found = ReadWithKeys<(bool Found, IReadOnlyDictionary<string, MetadataValue>? Metadata)>(map =>
            map.TryGetValue(key, out var location) ? (true, location.Segment.GetMetadata(location.Row)) : (false, null));
        metadata = found.Metadata;
        return found.Found;
    }

    /// <summary>The keys of all live records, in no particular order (a snapshot).</summary>
    public string[] GetKeys() => ReadWithKeys(map => map.Keys.ToArray());

    /// <summary>Deleted rows a company may carry before a write compacts it (when they also outnumber the live rows).</summary>
    internal const int CompactionMinimumDeletedRows = 1000;

    /// <summary>
    /// Whether the policy asks for a rebuild now: crossing the flat threshold, 2× growth since training, or more
    /// deleted and replaced rows than live ones (re-ingesting documents replaces rows; without this their old rows
    /// would stay in the lists until someone called <see cref="Retrain"/>).
    /// </summary>
    private bool NeedsTraining()
    {
        var live = LiveCount();
        var deleted = 0;
        foreach (var segment in _segments) deleted += segment.Deleted.Count;
        if (deleted >= CompactionMinimumDeletedRows && deleted > live) return true;
        if (live < Options.FlatSearchThreshold) return false;
        return _quantizer is null || live >= 2 * _quantizer.TrainedAtCount;
    }
}
