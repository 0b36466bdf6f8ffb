using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Werkly.VectorIndex.Distance.Kernels;

/// <summary>Cosine similarity in one pass: x·y, x·x and y·y accumulated together, each load used three times.</summary>
/// <remarks>Same shape as <see cref="PairKernel"/>: widest accelerated width the input fills, the last partial vector
/// handled by reloading the final full vector and masking the lanes already counted, scalar code only below one vector.</remarks>
internal static class CosineKernel
{
    public static float Similarity(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length) throw new ArgumentException($"Spans differ in length ({x.Length} and {y.Length}).", nameof(y));
        var (xy, xx, yy) = Reduce(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length);
        // A zero vector has no direction: define its similarity as 0 (NaN components still propagate through xy).
        return xx == 0 || yy == 0 ? 0 : xy / (MathF.Sqrt(xx) * MathF.Sqrt(yy));
    }

    private static (float XY, float XX, float YY) Reduce(ref float x, ref float y, int length)
    {
        nuint i = 0, n = (nuint)length;
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            const int W = 16;
            Vector512<float> xy = default, xx = default, yy = default;
            for (; i + W <= n; i += W)
            {
                var vx = Vector512.LoadUnsafe(ref x, i);
                var vy = Vector512.LoadUnsafe(ref y, i);
                xy = Vector512.FusedMultiplyAdd(vx, vy, xy);
                xx = Vector512.FusedMultiplyAdd(vx, vx, xx);
                yy = Vector512.FusedMultiplyAdd(vy, vy, yy);
            }
            if (i < n)
            {
                var start = n - W;
                var mask = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create((int)(i - start))).AsSingle();
                var vx = Vector512.ConditionalSelect(mask, Vector512.LoadUnsafe(ref x, start), Vector512<float>.Zero);
                var vy = Vector512.ConditionalSelect(mask, Vector512.LoadUnsafe(ref y, start), Vector512<float>.Zero);
                xy = Vector512.FusedMultiplyAdd(vx, vy, xy);
                xx = Vector512.FusedMultiplyAdd(vx, vx, xx);
                yy = Vector512.FusedMultiplyAdd(vy, vy, yy);
            }
            return (Vector512.Sum(xy), Vector512.Sum(xx), Vector512.Sum(yy));
        }
        if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            const int W = 8;
            Vector256<float> xy = default, xx = default, yy = default;
            for (; i + W <= n; i += W)
            {
                var vx = Vector256.LoadUnsafe(ref x, i);
                var vy = Vector256.LoadUnsafe(ref y, i);
                xy = Vector256.FusedMultiplyAdd(vx, vy, xy);
                xx = Vector256.FusedMultiplyAdd(vx, vx, xx);
                yy = Vector256.FusedMultiplyAdd(vy, vy, yy);
            }
            if (i < n)
            {
                var start = n - W;
                var mask = Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create((int)(i - start))).AsSingle();
                var vx = Vector256.ConditionalSelect(mask, Vector256.LoadUnsafe(ref x, start), Vector256<float>.Zero);
                var vy = Vector256.ConditionalSelect(mask, Vector256.LoadUnsafe(ref y, start), Vector256<float>.Zero);
                xy = Vector256.FusedMultiplyAdd(vx, vy, xy);
                xx = Vector256.FusedMultiplyAdd(vx, vx, xx);
                yy = Vector256.FusedMultiplyAdd(vy, vy, yy);
            }
            return (Vector256.Sum(xy), Vector256.Sum(xx), Vector256.Sum(yy));
        }
        float sxy = 0, sxx = 0, syy = 0;
        for (; i < n; i++)
        {
            var a = Unsafe.Add(ref x, i);
            var b = Unsafe.Add(ref y, i);
            sxy = MathF.FusedMultiplyAdd(a, b, sxy);
            sxx = MathF.FusedMultiplyAdd(a, a, sxx);
            syy = MathF.FusedMultiplyAdd(b, b, syy);
        }
        return (sxy, sxx, syy);
    }
}
