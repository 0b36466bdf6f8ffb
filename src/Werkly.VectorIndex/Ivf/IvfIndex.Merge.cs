namespace Werkly.VectorIndex.Ivf;

internal sealed partial class IvfIndex
{
    /// <summary>Most segments a company keeps before a commit merges the smallest ones.</summary>
    internal const int MaxSegments = 8;

    /// <summary>
    /// Tiered merge: while the company has more than <see cref="MaxSegments"/> segments (the memory segment aside),
    /// the smallest half are rewritten, without their deleted rows, into one new segment under the current centroids.
    /// Large segments are left alone, so each row is rewritten O(log n) times over its life.
    /// </summary>
    /// <returns>True when segments were merged.</returns>
    public bool MergeIfNeeded(CancellationToken cancellationToken = default) =>
        Merge(segments => segments.Length <= MaxSegments ? [] : [.. segments.OrderBy(s => s.LiveCount).Take(segments.Length / 2 + 1)], cancellationToken);

    /// <summary>Merges every segment into one, dropping deleted rows, under the current centroids.</summary>
    public bool MergeAll(CancellationToken cancellationToken = default) =>
        Merge(segments => segments.Length <= 1 && segments.All(s => s.Deleted.Count == 0) ? [] : segments, cancellationToken);

    private bool Merge(Func<IvfSegment[], IvfSegment[]> choose, CancellationToken cancellationToken)
    {
        _lock.EnterUpgradeableReadLock();
        try
        {
            var candidates = _segments.Where(s => s != _memory).ToArray();
            var victims = choose(candidates);
            if (victims.Length == 0) return false;

            var live = LiveRows(victims);
            var (merged, map) = Rebuild(live, _quantizer, cancellationToken);

            _lock.EnterWriteLock();
            try
            {
                foreach (var segment in victims)
                {
                    if (IsPersisted(segment)) _removedSinceCommit.Add(segment.SegmentId);
                }
                _segments = [.. _segments.Where(s => s != _memory && !victims.Contains(s)), merged, _memory];
                AssignRowBases(_segments);
                if (_rowByKey is not null)
                {
                    foreach (var (key, location) in map) _rowByKey[key] = location;
                }
            }
            finally { _lock.ExitWriteLock(); }
            return true;
        }
        finally { _lock.ExitUpgradeableReadLock(); }
    }
}
