using System.Numerics.Tensors;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Distance;

/// <summary>Checks vectors before they enter the index or a search.</summary>
internal static class VectorValidation
{
    /// <summary>Throws when <paramref name="vector"/> has the wrong length, a NaN or infinite component, or (under cosine) no direction.</summary>
    public static void Validate(ReadOnlySpan<float> vector, int dimensions, DistanceMetric metric, string paramName)
    {
        if (vector.Length != dimensions)
            throw new DimensionMismatchException(dimensions, vector.Length, paramName);
        // Sum of squares is NaN/∞ exactly when a component is NaN/∞ (or the norm overflows, which is as unusable).
        var sumOfSquares = TensorPrimitives.SumOfSquares(vector);
        if (!float.IsFinite(sumOfSquares))
        {
            var index = IndexOfNonFinite(vector);
            throw new InvalidVectorException(index >= 0
                ? $"Component {index} of the vector is {vector[index]}; vectors must hold finite numbers."
                : "The vector's squared norm overflows float; scale the vector down.", paramName);
        }
        if (metric == DistanceMetric.Cosine && sumOfSquares == 0)
            throw new InvalidVectorException("A zero vector has no direction and cannot be compared by cosine similarity.", paramName);
    }

    /// <summary>The index of the first NaN or infinite component, or -1.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> vector)
    {
        for (var i = 0; i < vector.Length; i++)
        {
            if (!float.IsFinite(vector[i])) return i;
        }
        return -1;
    }
}
