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
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
            return Reduce512(ref x, ref y, length);
        if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
            return Reduce256(ref x, ref y, length);
        if (Vector128.IsHardwareAccelerated && length >= Vector128<float>.Count)
            return Reduce128(ref x, ref y, length);

        float sxy = 0, sxx = 0, syy = 0;
        for (nuint i = 0; i < (nuint)length; i++)
        {
            var a = Unsafe.Add(ref x, i);
            var b = Unsafe.Add(ref y, i);
            sxy = MathF.FusedMultiplyAdd(a, b, sxy);
            sxx = MathF.FusedMultiplyAdd(a, a, sxx);
            syy = MathF.FusedMultiplyAdd(b, b, syy);
        }
        return (sxy, sxx, syy);
    }

    // One method per width (length at least one vector), internal so tests can run each width whatever the machine accelerates.

    internal static (float XY, float XX, float YY) Reduce512(ref float x, ref float y, int length)
    {
        const int W = 16;
        Vector512<float> xy = default, xx = default, yy = default;
        nuint i = 0, n = (nuint)length;
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

    internal static (float XY, float XX, float YY) Reduce256(ref float x, ref float y, int length)
    {
        const int W = 8;
        Vector256<float> xy = default, xx = default, yy = default;
        nuint i = 0, n = (nuint)length;
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

    internal static (float XY, float XX, float YY) Reduce128(ref float x, ref float y, int length)
    {
        const int W = 4;
        Vector128<float> xy = default, xx = default, yy = default;
        nuint i = 0, n = (nuint)length;
        for (; i + W <= n; i += W)
        {
            var vx = Vector128.LoadUnsafe(ref x, i);
            var vy = Vector128.LoadUnsafe(ref y, i);
            xy = Vector128.FusedMultiplyAdd(vx, vy, xy);
            xx = Vector128.FusedMultiplyAdd(vx, vx, xx);
            yy = Vector128.FusedMultiplyAdd(vy, vy, yy);
        }
        if (i < n)
        {
            var start = n - W;
            var mask = Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create((int)(i - start))).AsSingle();
            var vx = Vector128.ConditionalSelect(mask, Vector128.LoadUnsafe(ref x, start), Vector128<float>.Zero);
            var vy = Vector128.ConditionalSelect(mask, Vector128.LoadUnsafe(ref y, start), Vector128<float>.Zero);
            xy = Vector128.FusedMultiplyAdd(vx, vy, xy);
            xx = Vector128.FusedMultiplyAdd(vx, vx, xx);
            yy = Vector128.FusedMultiplyAdd(vy, vy, yy);
        }
        return (Vector128.Sum(xy), Vector128.Sum(xx), Vector128.Sum(yy));
    }
}
