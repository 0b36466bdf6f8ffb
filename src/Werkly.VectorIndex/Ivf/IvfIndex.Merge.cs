namespace Werkly.VectorIndex.Ivf;

internal sealed partial class IvfIndex
{
    /// <summary>Most segments a company keeps before a commit merges the smallest ones.</summary>
    internal const int MaxSegments = 8;

    /// <summary>A merge built from some segments' live rows, ready to be installed.</summary>
    internal sealed record MergeResult(IvfSegment[] Victims, MemorySegment Merged, Dictionary<string, (IvfSegment, int)> Map, IvfSegment[] Segments);

    /// <summary>
    /// Tiered merge: while the company has more than <see cref="MaxSegments"/> segments (the memory segment aside),
    /// the smallest half are rewritten, without their deleted rows, into one new segment under the current centroids.
    /// Large segments are left alone, so each row is rewritten O(log n) times over its life. Null when nothing is due.
    /// </summary>
    public MergeResult? BuildTieredMerge(CancellationToken cancellationToken) =>
        BuildMerge(segments => segments.Length <= MaxSegments ? [] : [.. segments.OrderBy(s => s.LiveCount).Take(segments.Length / 2 + 1)], cancellationToken);

    /// <summary>Whether <see cref="BuildTieredMerge"/> has work (writer gate held).</summary>
    public bool TieredMergeDue => _segments.Count(s => s != _memory) > MaxSegments;

    /// <summary>Merges every segment into one, dropping deleted rows, under the current centroids; null when there is nothing to do.</summary>
    public MergeResult? BuildFullMerge(CancellationToken cancellationToken) =>
        BuildMerge(segments => segments.Length <= 1 && segments.All(s => s.Deleted.Count == 0) ? [] : segments, cancellationToken);

    /// <summary>Builds the merge of the segments <paramref name="choose"/> picks. Only reads (upgradeable read lock).</summary>
    private MergeResult? BuildMerge(Func<IvfSegment[], IvfSegment[]> choose, CancellationToken cancellationToken)
    {
        var candidates = _segments.Where(s => s != _memory).ToArray();
        var victims = choose(candidates);
        if (victims.Length == 0) return null;
        var live = LiveRows(victims);
        var (merged, map) = Rebuild(live, Assign(live, _quantizer, cancellationToken), _quantizer, _codes, cancellationToken);
        return new MergeResult(victims, merged, map, _segments);
    }

    /// <summary>Swaps a merge built by <see cref="BuildTieredMerge"/> or <see cref="BuildFullMerge"/> in. Runs under the write lock.</summary>
    public void InstallMerge(MergeResult result)
    {
        if (!ReferenceEquals(result.Segments, _segments))
            throw new InvalidOperationException("The segments changed since the merge was built.");
        foreach (var segment in result.Victims)
        {
            if (IsPersisted(segment)) _removedSinceCommit.Add(segment.SegmentId);
        }
        _segments = [.. _segments.Where(s => s != _memory && !result.Victims.Contains(s)), result.Merged, _memory];
        AssignRowBases(_segments);
        if (_rowByKey is not null)
        {
            foreach (var (key, location) in result.Map) _rowByKey[key] = location;
        }
    }
}
