using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Distance.Kernels;

namespace Werkly.VectorIndex.Ivf;

/// <summary>The trained centroids of one company: maps a vector to the lists worth probing.</summary>
/// <remarks>Immutable after construction, so any number of threads may use it. Centroids are rows of
/// <see cref="Stride"/> floats; under cosine and inner product they are unit length (spherical k-means).</remarks>
internal sealed class CoarseQuantizer
{
    private readonly AlignedFloatBuffer _centroids;

    public CoarseQuantizer(ReadOnlySpan<float> centroids, int listCount, int stride, DistanceMetric metric, long trainedAtCount)
    {
        ListCount = listCount;
        Stride = stride;
        Metric = metric;
        TrainedAtCount = trainedAtCount;
        _centroids = new AlignedFloatBuffer(listCount * stride);
        centroids[..(listCount * stride)].CopyTo(_centroids.Span);
    }

    public int ListCount { get; }

    public int Stride { get; }

    public DistanceMetric Metric { get; }

    /// <summary>Live vectors the company had when these centroids were trained (drives the 2× retrain policy).</summary>
    public long TrainedAtCount { get; }

    public ReadOnlySpan<float> Centroids => _centroids.Span;

    /// <summary>Scores a padded query against every centroid (higher is better).</summary>
    public void Score(ReadOnlySpan<float> paddedQuery, Span<float> scores)
    {
        if (Metric == DistanceMetric.SquaredL2)
            BlockKernel.Score<SquaredDifferenceOperator>(paddedQuery, _centroids.Span, Stride, scores[..ListCount]);
        else
            BlockKernel.Score<DotOperator>(paddedQuery, _centroids.Span, Stride, scores[..ListCount]);
    }

    /// <summary>The best list for a padded vector.</summary>
    public int Assign(ReadOnlySpan<float> paddedVector, Span<float> scratch)
    {
        Score(paddedVector, scratch);
        return System.Numerics.Tensors.TensorPrimitives.IndexOfMax(scratch[..ListCount]);
    }
}
