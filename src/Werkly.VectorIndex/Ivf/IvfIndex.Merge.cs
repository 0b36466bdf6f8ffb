namespace Werkly.VectorIndex.Ivf;

internal sealed partial class IvfIndex
{
    /// <summary>Most segments a company keeps before a commit merges the smallest ones.</summary>
    internal const int MaxSegments = 8;

    /// <summary>A merge built from some segments' live rows, ready to be installed.</summary>
    internal sealed record MergeResult(IvfSegment[] Victims, MemorySegment Merged, Dictionary<string, (IvfSegment, int)> Map, IvfSegment[] Segments);

    /// <summary>
    /// A committed segment whose deleted rows reach this percentage of its rows (and at least
    /// <see cref="MinReclaimedRows"/>) is rewritten without them by the next commit's merge, however large it is: a
    /// deleted or replaced row is scanned (and skipped) by every search until its segment is rewritten.
    /// </summary>
    internal const int ReclaimDeletedPercent = 25;

    /// <summary>Fewest deleted rows that make a segment worth rewriting on their own (below it the tiered policy or a
    /// retrain's compaction reclaims them).</summary>
    internal const int MinReclaimedRows = 1_000;

    /// <summary>
    /// Tiered merge: while the company has more than <see cref="MaxSegments"/> segments (the memory segment aside),
    /// the smallest half are rewritten, without their deleted rows, into one new segment under the current centroids;
    /// every segment whose deleted rows are due for reclaiming (<see cref="ReclaimDeletedPercent"/>) joins them. Large
    /// segments are otherwise left alone, so each row is rewritten O(log n) times over its life, plus once per quarter of
    /// its segment deleted. Null when nothing is due.
    /// </summary>
    public MergeResult? BuildTieredMerge(CancellationToken cancellationToken) => BuildMerge(ChooseTiered, cancellationToken);

    /// <summary>Whether <see cref="BuildTieredMerge"/> has work (writer gate held).</summary>
    public bool TieredMergeDue => _segments.Count(s => s != _memory) > MaxSegments || _segments.Any(s => s != _memory && ReclaimDue(s));

    /// <summary>The smallest half when there are too many segments, then every segment due for reclaiming, in segment order.</summary>
    private static IvfSegment[] ChooseTiered(IvfSegment[] segments)
    {
        var victims = segments.Length <= MaxSegments ? [] : segments.OrderBy(s => s.LiveCount).Take(segments.Length / 2 + 1).ToList();
        foreach (var segment in segments)
        {
            if (ReclaimDue(segment) && !victims.Contains(segment)) victims.Add(segment);
        }
        return [.. victims];
    }

    /// <summary>Whether <paramref name="segment"/>'s deleted rows are enough to rewrite it.</summary>
    internal static bool ReclaimDue(IvfSegment segment) =>
        segment.Deleted.Count >= MinReclaimedRows && segment.Deleted.Count * 100L >= (long)segment.RowCount * ReclaimDeletedPercent;

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
        // Victims with no live row left merge into nothing: no empty segment is installed (it would count towards
        // MaxSegments until a retrain or a reopen dropped it).
        _segments = result.Merged.RowCount == 0
            ? [.. _segments.Where(s => s != _memory && !result.Victims.Contains(s)), _memory]
            : [.. _segments.Where(s => s != _memory && !result.Victims.Contains(s)), result.Merged, _memory];
        AssignRowBases(_segments);
        if (_rowByKey is not null)
        {
            foreach (var (key, location) in result.Map) _rowByKey[key] = location;
        }
    }
}
