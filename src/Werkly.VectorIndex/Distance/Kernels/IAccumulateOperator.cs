using System.Runtime.Intrinsics;

namespace Werkly.VectorIndex.Distance.Kernels;

/// <summary>
/// One step of a reduction over two vectors: <c>acc + f(x, y)</c>, at every vector width (STYLE.md habit 3).
/// </summary>
/// <remarks><c>f(0, 0)</c> must be 0, so zero padding and masked lanes do not change the result.</remarks>
internal interface IAccumulateOperator
{
    static abstract float Invoke(float acc, float x, float y);
    static abstract Vector128<float> Invoke(Vector128<float> acc, Vector128<float> x, Vector128<float> y);
    static abstract Vector256<float> Invoke(Vector256<float> acc, Vector256<float> x, Vector256<float> y);
    static abstract Vector512<float> Invoke(Vector512<float> acc, Vector512<float> x, Vector512<float> y);

    /// <summary>Turns the reduced sum into a score where higher is better.</summary>
    static abstract float ToScore(float sum);
}

/// <summary><c>acc + x·y</c>: the inner product.</summary>
internal readonly struct DotOperator : IAccumulateOperator
{
    public static float Invoke(float acc, float x, float y) => MathF.FusedMultiplyAdd(x, y, acc);
    public static Vector128<float> Invoke(Vector128<float> acc, Vector128<float> x, Vector128<float> y) => Vector128.FusedMultiplyAdd(x, y, acc);
    public static Vector256<float> Invoke(Vector256<float> acc, Vector256<float> x, Vector256<float> y) => Vector256.FusedMultiplyAdd(x, y, acc);
    public static Vector512<float> Invoke(Vector512<float> acc, Vector512<float> x, Vector512<float> y) => Vector512.FusedMultiplyAdd(x, y, acc);
    public static float ToScore(float sum) => sum;
}

/// <summary><c>acc + (x − y)²</c>: the squared Euclidean distance; its score is the negated distance.</summary>
internal readonly struct SquaredDifferenceOperator : IAccumulateOperator
{
    public static float Invoke(float acc, float x, float y)
    {
        var d = x - y;
        return MathF.FusedMultiplyAdd(d, d, acc);
    }

    public static Vector128<float> Invoke(Vector128<float> acc, Vector128<float> x, Vector128<float> y)
    {
        var d = x - y;
        return Vector128.FusedMultiplyAdd(d, d, acc);
    }

    public static Vector256<float> Invoke(Vector256<float> acc, Vector256<float> x, Vector256<float> y)
    {
        var d = x - y;
        return Vector256.FusedMultiplyAdd(d, d, acc);
    }

    public static Vector512<float> Invoke(Vector512<float> acc, Vector512<float> x, Vector512<float> y)
    {
        var d = x - y;
        return Vector512.FusedMultiplyAdd(d, d, acc);
    }

    public static float ToScore(float sum) => -sum;
}
