using System.Numerics.Tensors;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Distance;

/// <summary>Checks vectors before they enter the index or a search.</summary>
internal static class VectorValidation
{
    /// <summary>
    /// Largest squared norm a vector may have under inner product or squared L2: then |a·b| ≤ |a|·|b| and
    /// |a − b|² ≤ 2|a|² + 2|b|² stay below float's maximum, so every score is finite.
    /// </summary>
    public const double MaxSquaredNorm = float.MaxValue / 4.0;

    /// <summary>
    /// Throws when <paramref name="vector"/> has the wrong length, a NaN or infinite component, (under cosine) no
    /// direction, or (under inner product and squared L2) a norm so large that a score could overflow.
    /// </summary>
    public static void Validate(ReadOnlySpan<float> vector, int dimensions, DistanceMetric metric, string paramName)
    {
        if (vector.Length != dimensions)
            throw new DimensionMismatchException(dimensions, vector.Length, paramName);
        var index = IndexOfNonFinite(vector);
        if (index >= 0)
            throw new InvalidVectorException($"Component {index} of the vector is {vector[index]}; vectors must hold finite numbers.", paramName);
        if (metric == DistanceMetric.Cosine)
        {
            // Any finite direction is fine: normalization rescales tiny and huge vectors alike.
            if (vector.IndexOfAnyExcept(0f) < 0)
                throw new InvalidVectorException("A zero vector has no direction and cannot be compared by cosine similarity.", paramName);
            return;
        }
        var sumOfSquares = SumOfSquares(vector);
        if (sumOfSquares > MaxSquaredNorm)
            throw new InvalidVectorException(
                $"The vector's squared norm {sumOfSquares:G4} exceeds {MaxSquaredNorm:G4}: {metric} scores with it could overflow float; scale the vectors down.", paramName);
    }

    /// <summary>Copies <paramref name="vector"/> into <paramref name="padded"/> (normalized under cosine) and zeroes the padding.</summary>
    public static void Pad(ReadOnlySpan<float> vector, Span<float> padded, DistanceMetric metric)
    {
        padded[vector.Length..].Clear();
        if (metric == DistanceMetric.Cosine) VectorDistance.Normalize(vector, padded[..vector.Length]);
        else vector.CopyTo(padded);
    }

    /// <summary>The index of the first NaN or infinite component, or -1.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> vector)
    {
        // The sum of squares is finite exactly when no component is NaN/∞, unless it overflows: check in bulk first.
        if (float.IsFinite(TensorPrimitives.SumOfSquares(vector))) return -1;
        for (var i = 0; i < vector.Length; i++)
        {
            if (!float.IsFinite(vector[i])) return i;
        }
        return -1;
    }

    /// <summary>The squared norm in double precision (no overflow for finite floats).</summary>
    private static double SumOfSquares(ReadOnlySpan<float> vector)
    {
        var sum = (double)TensorPrimitives.SumOfSquares(vector);
        if (float.IsFinite((float)sum)) return sum;
        sum = 0;
        foreach (var x in vector) sum += (double)x * x;
        return sum;
    }
}
