using Werkly.VectorIndex.Distance.Kernels;

namespace Werkly.VectorIndex.Distance;

/// <summary>Pairwise vector operations with SIMD kernels (Vector512, Vector256, Vector128, in that order of preference).</summary>
/// <remarks>Thread-safe and allocation-free. NaN and infinities propagate as IEEE arithmetic does; the index rejects them
/// on entry. Sums are accumulated in float with a different association than a sequential loop, so results can differ
/// from a scalar reference by a few ulps times the length.</remarks>
public static class VectorDistance
{
    /// <summary>The inner product of two vectors of equal length.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => PairKernel.Reduce<DotOperator>(x, y);

    /// <summary>The squared Euclidean distance between two vectors of equal length.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static float SquaredL2(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => PairKernel.Reduce<SquaredDifferenceOperator>(x, y);

    /// <summary>The cosine similarity of two vectors of equal length; 0 when either is a zero vector.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static float Cosine(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => CosineKernel.Similarity(x, y);

    /// <summary>The similarity score of two vectors under <paramref name="metric"/>: higher is better
    /// (the negated squared distance for <see cref="DistanceMetric.SquaredL2"/>).</summary>
    public static float Score(DistanceMetric metric, ReadOnlySpan<float> x, ReadOnlySpan<float> y) => metric switch
    {
        DistanceMetric.Cosine => Cosine(x, y),
        DistanceMetric.InnerProduct => Dot(x, y),
        DistanceMetric.SquaredL2 => -SquaredL2(x, y),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric."),
    };

    /// <summary>Scales <paramref name="source"/> to unit L2 length into <paramref name="destination"/> (which may be the same memory).</summary>
    /// <returns>The original L2 norm; when it is 0 the destination is left as zeros.</returns>
    /// <exception cref="ArgumentException">The destination is shorter than the source.</exception>
    public static float Normalize(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("Destination is too short.", nameof(destination));
        var norm = MathF.Sqrt(Dot(source, source));
        if (norm is > 1e-18f and < 1e18f)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(source, 1f / norm, destination);
            return norm;
        }
        // The squared norm underflowed or overflowed float: scale by the largest magnitude first.
        var max = source.IsEmpty ? 0 : MathF.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(source));
        if (max == 0 || !float.IsFinite(max))
        {
            destination[..source.Length].Clear();
            return 0;
        }
        var scale = 1.0 / max;
        double sum = 0;
        foreach (var x in source) sum += x * scale * (x * scale);
        var inverse = scale / Math.Sqrt(sum);
        for (var i = 0; i < source.Length; i++) destination[i] = (float)(source[i] * inverse);
        return (float)(Math.Sqrt(sum) * max);
    }
}
