using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Distance.Kernels;

namespace Werkly.VectorIndex.Ivf;

/// <summary>
/// One company's IVFFlat index: a coarse quantizer (null while the company is small enough for exact flat search),
/// the inverted lists, and the row table (key, metadata, list position, deleted flag per row).
/// </summary>
/// <remarks>
/// Split by phase: <c>IvfIndex.Add.cs</c> (upsert, delete), <c>IvfIndex.Build.cs</c> (training, retraining, probe
/// calibration), <c>IvfIndex.Search.cs</c>.
/// Threading: any number of concurrent searches; writes are serialised and exclude searches only for the moment
/// they mutate (a <see cref="ReaderWriterLockSlim"/>). A retrain builds the new lists under an upgradeable read lock,
/// so searches continue on the old lists, and swaps them in under a brief write lock.
/// </remarks>
internal sealed partial class IvfIndex : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Func<int, string> _keyOfRow;

    private CoarseQuantizer? _quantizer;
    private MemoryInvertedLists _lists;
    private RowTable _rows;
    private int _defaultProbes = 1;

    public IvfIndex(VectorIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Dimensions = options.Dimensions;
        Metric = options.Metric;
        Stride = BlockKernel.StrideFor(Dimensions);
        _lists = new MemoryInvertedLists(1, Stride);
        _rows = new RowTable();
        _keyOfRow = row => _rows.Keys[row];
    }

    public VectorIndexOptions Options { get; }

    public int Dimensions { get; }

    public int Stride { get; }

    public DistanceMetric Metric { get; }

    /// <summary>Live (not deleted) records.</summary>
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try { return _rows.LiveCount; }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>A consistent snapshot of the index's shape.</summary>
    public IvfStatistics GetStatistics()
    {
        _lock.EnterReadLock();
        try
        {
            return new IvfStatistics(_rows.LiveCount, _rows.Count - _rows.LiveCount, _quantizer?.ListCount ?? 0,
                _quantizer is null ? 0 : _defaultProbes, _quantizer?.TrainedAtCount ?? 0);
        }
        finally { _lock.ExitReadLock(); }
    }

    public void Dispose() => _lock.Dispose();

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

/// <summary>Shape of one company's index.</summary>
/// <param name="LiveCount">Records that searches can return.</param>
/// <param name="DeletedCount">Deleted or replaced rows still occupying list space until the next compaction.</param>
/// <param name="ListCount">Trained lists, or 0 while the company uses flat search.</param>
/// <param name="DefaultProbes">Lists probed when a search does not say (0 for flat search).</param>
/// <param name="TrainedAtCount">Live records when the lists were last trained.</param>
public readonly record struct IvfStatistics(int LiveCount, int DeletedCount, int ListCount, int DefaultProbes, long TrainedAtCount);
