using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Distance.Kernels;

namespace Werkly.VectorIndex.Ivf;

/// <summary>
/// One company's IVFFlat index: a coarse quantizer (null while the company is small enough for exact flat search) and
/// its segments — zero or more sealed ones and one mutable <see cref="MemorySegment"/> — each with inverted lists over
/// the same quantizer, per-row keys and metadata, and deletion bits. With quantization on, a trained company also has a
/// code quantizer (<see cref="ScalarQuantizer"/> over the residuals to the list centroids): its segments carry a code
/// per row, searches scan the codes and re-rank the best <c>k × r</c> candidates with the exact vectors.
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
    private ScalarQuantizer? _codes;
    private int _rerankFactor = DefaultRerankFactor;

    /// <summary>The re-ranking factor of a company whose calibration did not run (opened from files that predate it).</summary>
    internal const int DefaultRerankFactor = 2;

    /// <summary>Creates an empty company.</summary>
    /// <param name="options">The index settings.</param>
    /// <param name="persistent">Whether commits will follow: only then are deletions remembered as pending tombstones.</param>
    public IvfIndex(WerklyIndexOptions options, bool persistent = false)
        : this(options, quantizer: null, sealedSegments: [], defaultProbes: 1, persistent)
    {
    }

    /// <summary>Creates an index over existing segments (persistence opens companies this way).</summary>
    /// <param name="options">The index settings.</param>
    /// <param name="quantizer">The coarse quantizer, or null for flat search.</param>
    /// <param name="sealedSegments">The committed segments, oldest first.</param>
    /// <param name="defaultProbes">The calibrated default probes.</param>
    /// <param name="persistent">Whether commits will follow.</param>
    /// <param name="codes">The code quantizer (ranges trained with <paramref name="quantizer"/>) when quantization is on
    /// and the company has one; segments whose lists carry codes must have been encoded with these ranges.</param>
    /// <param name="rerankFactor">The calibrated re-ranking factor (0: not calibrated).</param>
    internal IvfIndex(WerklyIndexOptions options, CoarseQuantizer? quantizer, IReadOnlyList<IvfSegment> sealedSegments, int defaultProbes, bool persistent = true,
        ScalarQuantizer? codes = null, int rerankFactor = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _persistent = persistent;
        Dimensions = options.Dimensions;
        Metric = options.Metric;
        Stride = BlockKernel.StrideFor(Dimensions);
        _quantizer = quantizer;
        _defaultProbes = defaultProbes;
        _codes = quantizer is null || options.Quantization == VectorQuantization.None ? null : codes?.WithBits(CodeBitsOf(options.Quantization));
        _rerankFactor = rerankFactor > 0 ? rerankFactor : DefaultRerankFactor;
        _memory = NewMemorySegment(quantizer?.ListCount ?? 1);
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
        // The width searches scan: the current setting's, unless only segments of another width hold coded rows (a
        // company whose only coded segment is the empty memory segment still reports its codes).
        var bits = 0;
        if (_codes is not null)
        {
            var widths = _segments.Where(s => s.RowCount > 0 && s.Lists.CodeBits != 0).Select(s => s.Lists.CodeBits).ToList();
            bits = widths.Count == 0 ? _memory.Lists.CodeBits : widths.Contains(_codes.Bits) ? _codes.Bits : widths.Max();
        }
        return new CompanyStatistics(live, (int)(rows - live), _quantizer?.ListCount ?? 0,
            _quantizer is null ? 0 : _defaultProbes, _quantizer?.TrainedAtCount ?? 0, _segments.Length)
        {
            Quantization = bits switch { 8 => VectorQuantization.Scalar8, 4 => VectorQuantization.Scalar4, _ => VectorQuantization.None },
            RerankFactor = bits == 0 ? 0 : _rerankFactor,
        };
    }

    /// <summary>
    /// Bytes a search reads wholesale (centroids, code ranges, and per row its code, row id and norm, or its float32
    /// vector and row id in a segment scanned in float32), and bytes it reads only for the rows it re-ranks (the
    /// float32 vectors of coded segments): the data that must stay in memory, and the data that may stay on disk.
    /// </summary>
    public (long Hot, long Rerank) Footprint()
    {
        long hot = _quantizer is null ? 0 : (long)_quantizer.ListCount * Stride * sizeof(float);
        if (_codes is not null) hot += 2L * Dimensions * sizeof(float);
        long rerank = 0;
        foreach (var segment in _segments)
        {
            var lists = segment.Lists;
            for (var list = 0; list < lists.ListCount; list++)
            {
                long count = lists.GetCount(list);
                if (lists.CodeBits == 0)
                {
                    hot += count * (Stride * sizeof(float) + sizeof(int));
                    continue;
                }
                hot += count * (lists.CodeStride + sizeof(int) + (Metric == DistanceMetric.SquaredL2 ? sizeof(float) : 0));
                rerank += count * Stride * sizeof(float);
            }
        }
        return (hot, rerank);
    }

    /// <summary>The company's code quantizer (null: no codes are written or searched).</summary>
    public ScalarQuantizer? Codes => _codes;

    /// <summary>The calibrated re-ranking factor r: a quantized search re-ranks the best k × r candidates.</summary>
    public int RerankFactor => _rerankFactor;

    /// <summary>Bits per code of a quantization setting (0 for none).</summary>
    internal static int CodeBitsOf(VectorQuantization quantization) => quantization switch
    {
        VectorQuantization.Scalar8 => 8,
        VectorQuantization.Scalar4 => 4,
        _ => 0,
    };

    /// <summary>A new memory segment carrying the company's current codes (squared norms beside them under squared L2).</summary>
    private MemorySegment NewMemorySegment(int listCount) => NewMemorySegment(listCount, _codes);

    private MemorySegment NewMemorySegment(int listCount, ScalarQuantizer? codes) =>
        new(listCount, Stride, codes, withNorms: Metric == DistanceMetric.SquaredL2);

    /// <summary>The code of a padded row in list <paramref name="list"/> (its residual to the list's centroid) and its
    /// squared norm; nothing when the company carries no codes.</summary>
    private void EncodeRow(ScalarQuantizer? codes, CoarseQuantizer? quantizer, int list, ReadOnlySpan<float> padded, Span<byte> code, out float squaredNorm)
    {
        squaredNorm = 0;
        if (codes is null || quantizer is null) return;
        codes.Encode(padded[..Dimensions], quantizer.Centroids.Slice(list * Stride, Dimensions), code);
        if (Metric == DistanceMetric.SquaredL2) squaredNorm = VectorDistance.Dot(padded[..Dimensions], padded[..Dimensions]);
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
