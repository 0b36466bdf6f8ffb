using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Distance.Kernels;

namespace Werkly.VectorIndex.Ivf;

/// <summary>
/// One company's IVFFlat index: a coarse quantizer (null while the company is small enough for exact flat search) and
/// its segments — zero or more sealed ones and one mutable <see cref="MemorySegment"/> — each with inverted lists over
/// the same quantizer, per-row keys and metadata, and deletion bits.
/// </summary>
/// <remarks>
/// Split by phase: <c>IvfIndex.Add.cs</c> (upsert, delete), <c>IvfIndex.Build.cs</c> (training, retraining, probe
/// calibration), <c>IvfIndex.Search.cs</c>, <c>IvfIndex.Merge.cs</c> (segment merges) and <c>IvfIndex.Commit.cs</c>
/// (freezing and swapping segments around a persistence commit).
/// Threading: not synchronised itself. The owning <c>CompanyPartition</c>'s lock guards it: searches and other reads
/// run under its read lock, mutations (<see cref="Apply"/>, <see cref="EnsureKeyMap"/>, the <c>Install…</c> and commit
/// methods) under its write lock. The <c>Build…</c> methods of a retrain or merge only read, so they run under the
/// upgradeable read lock while searches continue, and their result is installed under the write lock.
/// </remarks>
internal sealed partial class IvfIndex
{
    private readonly Func<int, string> _keyOfRow;
    private readonly bool _persistent;

    private CoarseQuantizer? _quantizer;
    private IvfSegment[] _segments;
    private MemorySegment _memory;
    private Dictionary<string, (IvfSegment Segment, int Row)>? _rowByKey;
    private int _defaultProbes = 1;

    /// <summary>Creates an empty company.</summary>
    /// <param name="options">The index settings.</param>
    /// <param name="persistent">Whether commits will follow: only then are deletions remembered as pending tombstones.</param>
    public IvfIndex(WerklyIndexOptions options, bool persistent = false)
        : this(options, quantizer: null, sealedSegments: [], defaultProbes: 1, persistent)
    {
    }

    /// <summary>Creates an index over existing segments (persistence opens companies this way).</summary>
    internal IvfIndex(WerklyIndexOptions options, CoarseQuantizer? quantizer, IReadOnlyList<IvfSegment> sealedSegments, int defaultProbes, bool persistent = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _persistent = persistent;
        Dimensions = options.Dimensions;
        Metric = options.Metric;
        Stride = BlockKernel.StrideFor(Dimensions);
        _quantizer = quantizer;
        _defaultProbes = defaultProbes;
        _memory = new MemorySegment(quantizer?.ListCount ?? 1, Stride);
        _segments = [.. sealedSegments, _memory];
        AssignRowBases(_segments);
        if (sealedSegments.Count == 0) _rowByKey = new Dictionary<string, (IvfSegment, int)>(StringComparer.Ordinal);
        _keyOfRow = row => KeyOf(row);
    }

    public WerklyIndexOptions Options { get; }

    public int Dimensions { get; }

    public int Stride { get; }

    public DistanceMetric Metric { get; }

    /// <summary>Live (not deleted) records.</summary>
    public int Count => LiveCount();

    /// <summary>The index's shape.</summary>
    public CompanyStatistics GetStatistics()
    {
        var rows = _segments.Sum(s => (long)s.RowCount);
        var live = LiveCount();
        return new CompanyStatistics(live, (int)(rows - live), _quantizer?.ListCount ?? 0,
            _quantizer is null ? 0 : _defaultProbes, _quantizer?.TrainedAtCount ?? 0, _segments.Length);
    }

    /// <summary>The segments in row order (committed ones first, the memory segment last).</summary>
    public IReadOnlyList<IvfSegment> Segments => _segments;

    private int LiveCount()
    {
        var live = 0;
        foreach (var segment in _segments) live += segment.LiveCount;
        return live;
    }

    /// <summary>Every live row of <paramref name="segments"/>, as (segment, local row), in segment and row order.</summary>
    private static List<(IvfSegment Segment, int Row)> LiveRows(IReadOnlyCollection<IvfSegment> segments)
    {
        var live = new List<(IvfSegment Segment, int Row)>(segments.Sum(s => s.LiveCount));
        foreach (var segment in segments)
        {
            for (var row = 0; row < segment.RowCount; row++)
            {
                if (!segment.Deleted.Contains(row)) live.Add((segment, row));
            }
        }
        return live;
    }

    private static void AssignRowBases(IvfSegment[] segments)
    {
        long rowBase = 0;
        foreach (var segment in segments)
        {
            segment.RowBase = checked((int)rowBase);
            rowBase += segment.RowCount;
        }
        // The memory segment is last, so its growth never shifts another segment's base; cap its room.
        if (rowBase > int.MaxValue / 2) throw new InvalidOperationException("A company holds more than 1 billion rows; split it.");
    }

    private IvfSegment SegmentOf(int globalRow)
    {
        var segments = _segments;
        for (var i = segments.Length - 1; i > 0; i--)
        {
            if (globalRow >= segments[i].RowBase) return segments[i];
        }
        return segments[0];
    }

    private string KeyOf(int globalRow)
    {
        var segment = SegmentOf(globalRow);
        return segment.GetKey(globalRow - segment.RowBase);
    }

    /// <summary>Whether the key → row map is built (reads that need it must first build it under the write lock).</summary>
    public bool HasKeyMap => Volatile.Read(ref _rowByKey) is not null;

    /// <summary>
    /// The key → row map, built on first need (opening a persisted company does not pay for it). Building it mutates
    /// (a key live in two segments, which only a damaged commit leaves, is resolved by deleting the older row), so the
    /// first call runs under the write lock.
    /// </summary>
    public Dictionary<string, (IvfSegment Segment, int Row)> EnsureKeyMap()
    {
        if (_rowByKey is { } map) return map;
        map = new Dictionary<string, (IvfSegment, int)>(LiveCount(), StringComparer.Ordinal);
        foreach (var segment in _segments)
        {
            for (var row = 0; row < segment.RowCount; row++)
            {
                if (segment.Deleted.Contains(row)) continue;
                var key = segment.GetKey(row);
                if (map.TryGetValue(key, out var older)) MarkDeleted(older.Segment, older.Row);
                map[key] = (segment, row);
            }
        }
        Volatile.Write(ref _rowByKey, map);
        return map;
    }

    /// <summary>The location of a live record; the key map must be built.</summary>
    public bool TryFind(string key, out IvfSegment segment, out int row)
    {
        if (_rowByKey!.TryGetValue(key, out var location))
        {
            (segment, row) = location;
            return true;
        }
        segment = null!;
        row = -1;
        return false;
    }

    /// <summary>Sets a row's deletion bit; a persistent index also remembers it as a tombstone for the next commit.</summary>
    private void MarkDeleted(IvfSegment segment, int row) => segment.Deleted.Add(row, committed: !_persistent);

    /// <summary>Pads a vector to the stride and normalises it under cosine.</summary>
    private void Prepare(ReadOnlySpan<float> vector, Span<float> padded)
    {
        padded[Dimensions..Stride].Clear();
        if (Metric == DistanceMetric.Cosine) VectorDistance.Normalize(vector, padded[..Dimensions]);
        else vector.CopyTo(padded);
    }

    private void ScoreBlock(ReadOnlySpan<float> paddedQuery, ReadOnlySpan<float> block, Span<float> scores)
    {
        if (Metric == DistanceMetric.SquaredL2) BlockKernel.Score<SquaredDifferenceOperator>(paddedQuery, block, Stride, scores);
        else BlockKernel.Score<DotOperator>(paddedQuery, block, Stride, scores);
    }
}
