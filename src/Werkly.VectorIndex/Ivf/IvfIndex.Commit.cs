namespace Werkly.VectorIndex.Ivf;

/// <summary>What one company contributes to a commit, captured atomically under the company's write lock.</summary>
/// <param name="Quantizer">The centroids when they changed since the last commit (a retrain), else null.</param>
/// <param name="IsFlat">True when the company has no quantizer (flat search).</param>
/// <param name="QuantizerChanged">A retrain replaced the centroids (or went back to flat search) since the last commit.</param>
/// <param name="RemovedSegmentIds">Committed segments a retrain replaced.</param>
/// <param name="NewSegments">Frozen memory segments to write, each already given its segment id.</param>
/// <param name="Tombstones">Rows deleted since the last commit, per segment id (new segments included).</param>
/// <param name="DefaultProbes">The calibrated default probes, persisted with the company.</param>
/// <param name="NextSegmentId">The next unused segment id, persisted so ids are never reused.</param>
internal sealed record CommitPlan(
    CoarseQuantizer? Quantizer,
    bool IsFlat,
    bool QuantizerChanged,
    IReadOnlyList<long> RemovedSegmentIds,
    IReadOnlyList<MemorySegment> NewSegments,
    IReadOnlyDictionary<long, IReadOnlyCollection<int>> Tombstones,
    int DefaultProbes,
    long NextSegmentId);

internal sealed partial class IvfIndex
{
    private long _nextSegmentId = 1;
    private bool _quantizerChanged;
    private readonly List<long> _removedSinceCommit = [];
    private readonly HashSet<long> _committedSegmentIds = [];
    private readonly HashSet<long> _inFlightSegmentIds = []; // frozen by PrepareCommit, not yet committed or aborted

    /// <summary>Restores persisted bookkeeping when a company is opened from disk.</summary>
    internal void RestoreCommitState(long nextSegmentId, IEnumerable<long> committedSegmentIds)
    {
        _nextSegmentId = Math.Max(1, nextSegmentId);
        _committedSegmentIds.UnionWith(committedSegmentIds);
    }

    /// <summary>
    /// Freezes the company's uncommitted state for a commit: the memory segment (when it holds rows) becomes a
    /// read-only segment with a new id and a fresh memory segment takes new writes; deletions since the last commit
    /// are taken out of their sets. Runs under the write lock, for microseconds. Returns null when nothing changed.
    /// </summary>
    internal CommitPlan? PrepareCommit()
    {
        var newSegments = new List<MemorySegment>();
        foreach (var segment in _segments)
        {
            if (segment is MemorySegment memory && !_committedSegmentIds.Contains(memory.SegmentId) && memory.RowCount > 0)
            {
                if (memory.SegmentId == 0) memory.SegmentId = _nextSegmentId++;
                newSegments.Add(memory);
            }
        }
        if (newSegments.Contains(_memory))
        {
            _memory = new MemorySegment(_quantizer?.ListCount ?? 1, Stride);
            _segments = [.. _segments, _memory];
            AssignRowBases(_segments);
        }

        var tombstones = new Dictionary<long, IReadOnlyCollection<int>>();
        foreach (var segment in _segments)
        {
            if (segment.SegmentId == 0 || segment.Deleted.Uncommitted.Count == 0) continue;
            tombstones[segment.SegmentId] = segment.Deleted.Uncommitted.ToArray();
            segment.Deleted.Uncommitted.Clear();
        }

        if (newSegments.Count == 0 && tombstones.Count == 0 && !_quantizerChanged && _removedSinceCommit.Count == 0)
            return null;
        _inFlightSegmentIds.UnionWith(newSegments.Select(s => s.SegmentId));
        return new CommitPlan(_quantizerChanged ? _quantizer : null, _quantizer is null, _quantizerChanged, [.. _removedSinceCommit], newSegments,
            tombstones, _defaultProbes, _nextSegmentId);
    }

    /// <summary>After a successful commit: swaps the frozen segments for their committed (mapped) copies.</summary>
    /// <param name="plan">The plan that was committed.</param>
    /// <param name="committed">Segment id → the committed segment, for the plan's new segments.</param>
    internal void CompleteCommit(CommitPlan plan, IReadOnlyDictionary<long, IvfSegment> committed)
    {
        for (var i = 0; i < _segments.Length; i++)
        {
            if (_segments[i] is MemorySegment memory && committed.TryGetValue(memory.SegmentId, out var replacement) && plan.NewSegments.Contains(memory))
            {
                replacement.SegmentId = memory.SegmentId;
                _segments[i] = replacement;
            }
        }
        AssignRowBases(_segments);
        if (_rowByKey is not null)
        {
            // Point the key map at the replacements (same rows, same numbering).
            foreach (var (key, location) in _rowByKey.ToArray())
            {
                if (location.Segment is MemorySegment memory && committed.TryGetValue(memory.SegmentId, out var replacement) && plan.NewSegments.Contains(memory))
                    _rowByKey[key] = (replacement, location.Row);
            }
        }
        foreach (var segment in plan.NewSegments) _committedSegmentIds.Add(segment.SegmentId);
        foreach (var id in plan.RemovedSegmentIds) _committedSegmentIds.Remove(id);
        _removedSinceCommit.RemoveAll(plan.RemovedSegmentIds.Contains);
        _inFlightSegmentIds.Clear();
        if (plan.QuantizerChanged && ReferenceEquals(plan.Quantizer, _quantizer)) _quantizerChanged = false;
    }

    /// <summary>After a failed commit: puts the taken deletions back so the next commit carries them.</summary>
    internal void AbortCommit(CommitPlan plan)
    {
        foreach (var segment in _segments)
        {
            if (plan.Tombstones.TryGetValue(segment.SegmentId, out var rows)) segment.Deleted.Uncommitted.AddRange(rows);
        }
        // Frozen segments stay in place with their ids; PrepareCommit picks them up again. One that a retrain or
        // merge dropped meanwhile was never committed, so there is nothing to remove on disk.
        _removedSinceCommit.RemoveAll(id => _inFlightSegmentIds.Contains(id) && !_committedSegmentIds.Contains(id));
        _inFlightSegmentIds.Clear();
    }

    /// <summary>Called under the write lock when a retrain replaces every segment.</summary>
    private void OnSegmentsReplaced(IvfSegment[] old)
    {
        foreach (var segment in old)
        {
            if (IsPersisted(segment)) _removedSinceCommit.Add(segment.SegmentId);
        }
        _quantizerChanged = true;
    }

    /// <summary>Whether dropping <paramref name="segment"/> must be recorded for the next commit: it is on disk, or
    /// being written by a commit in flight (which will put it on disk).</summary>
    private bool IsPersisted(IvfSegment segment) =>
        _committedSegmentIds.Contains(segment.SegmentId) || _inFlightSegmentIds.Contains(segment.SegmentId);
}
