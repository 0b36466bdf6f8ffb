using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Werkly.VectorIndex.Distance.Kernels;

/// <summary>Reduces two equal-length spans with an <see cref="IAccumulateOperator"/>.</summary>
/// <remarks>
/// Takes the widest hardware-accelerated width the input fills, with four independent accumulators to hide FMA latency.
/// The last partial vector is handled by reloading the final full vector and masking the lanes already counted,
/// so only inputs shorter than one vector run scalar code.
/// </remarks>
internal static class PairKernel
{
    public static float Reduce<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
        where TOp : struct, IAccumulateOperator
    {
        if (x.Length != y.Length) throw new ArgumentException($"Spans differ in length ({x.Length} and {y.Length}).", nameof(y));
        return ReduceCore<TOp>(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length);
    }

    private static float ReduceCore<TOp>(ref float x, ref float y, int length)
        where TOp : struct, IAccumulateOperator
    {
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
            return Reduce512<TOp>(ref x, ref y, length);
        if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
            return Reduce256<TOp>(ref x, ref y, length);
        if (Vector128.IsHardwareAccelerated && length >= Vector128<float>.Count)
            return Reduce128<TOp>(ref x, ref y, length);

        var acc = 0f;
        for (var i = 0; i < length; i++)
            acc = TOp.Invoke(acc, Unsafe.Add(ref x, i), Unsafe.Add(ref y, i));
        return acc;
    }

    // One method per width (length at least one vector), internal so tests can run each width whatever the machine accelerates.

    internal static float Reduce512<TOp>(ref float x, ref float y, int length)
        where TOp : struct, IAccumulateOperator
    {
        const int W = 16;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0, n = (nuint)length;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            a0 = TOp.Invoke(a0, Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref y, i));
            a1 = TOp.Invoke(a1, Vector512.LoadUnsafe(ref x, i + W), Vector512.LoadUnsafe(ref y, i + W));
            a2 = TOp.Invoke(a2, Vector512.LoadUnsafe(ref x, i + 2 * W), Vector512.LoadUnsafe(ref y, i + 2 * W));
            a3 = TOp.Invoke(a3, Vector512.LoadUnsafe(ref x, i + 3 * W), Vector512.LoadUnsafe(ref y, i + 3 * W));
        }
        for (; i + W <= n; i += W)
            a0 = TOp.Invoke(a0, Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref y, i));
        if (i < n)
        {
            // Reload the last full vector; keep only the lanes past what the loop consumed.
            var start = n - W;
            var mask = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create((int)(i - start))).AsSingle();
            var vx = Vector512.ConditionalSelect(mask, Vector512.LoadUnsafe(ref x, start), Vector512<float>.Zero);
            var vy = Vector512.ConditionalSelect(mask, Vector512.LoadUnsafe(ref y, start), Vector512<float>.Zero);
            a1 = TOp.Invoke(a1, vx, vy);
        }
        return Vector512.Sum((a0 + a1) + (a2 + a3));
    }

    internal static float Reduce256<TOp>(ref float x, ref float y, int length)
        where TOp : struct, IAccumulateOperator
    {
        const int W = 8;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0, n = (nuint)length;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            a0 = TOp.Invoke(a0, Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i));
            a1 = TOp.Invoke(a1, Vector256.LoadUnsafe(ref x, i + W), Vector256.LoadUnsafe(ref y, i + W));
            a2 = TOp.Invoke(a2, Vector256.LoadUnsafe(ref x, i + 2 * W), Vector256.LoadUnsafe(ref y, i + 2 * W));
            a3 = TOp.Invoke(a3, Vector256.LoadUnsafe(ref x, i + 3 * W), Vector256.LoadUnsafe(ref y, i + 3 * W));
        }
        for (; i + W <= n; i += W)
            a0 = TOp.Invoke(a0, Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i));
        if (i < n)
        {
            var start = n - W;
            var mask = Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create((int)(i - start))).AsSingle();
            var vx = Vector256.ConditionalSelect(mask, Vector256.LoadUnsafe(ref x, start), Vector256<float>.Zero);
            var vy = Vector256.ConditionalSelect(mask, Vector256.LoadUnsafe(ref y, start), Vector256<float>.Zero);
            a1 = TOp.Invoke(a1, vx, vy);
        }
        return Vector256.Sum((a0 + a1) + (a2 + a3));
    }

    internal static float Reduce128<TOp>(ref float x, ref float y, int length)
        where TOp : struct, IAccumulateOperator
    {
        const int W = 4;
        Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nuint i = 0, n = (nuint)length;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            a0 = TOp.Invoke(a0, Vector128.LoadUnsafe(ref x, i), Vector128.LoadUnsafe(ref y, i));
            a1 = TOp.Invoke(a1, Vector128.LoadUnsafe(ref x, i + W), Vector128.LoadUnsafe(ref y, i + W));
            a2 = TOp.Invoke(a2, Vector128.LoadUnsafe(ref x, i + 2 * W), Vector128.LoadUnsafe(ref y, i + 2 * W));
            a3 = TOp.Invoke(a3, Vector128.LoadUnsafe(ref x, i + 3 * W), Vector128.LoadUnsafe(ref y, i + 3 * W));
        }
        for (; i + W <= n; i += W)
            a0 = TOp.Invoke(a0, Vector128.LoadUnsafe(ref x, i), Vector128.LoadUnsafe(ref y, i));
        if (i < n)
        {
            var start = n - W;
            var mask = Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create((int)(i - start))).AsSingle();
            var vx = Vector128.ConditionalSelect(mask, Vector128.LoadUnsafe(ref x, start), Vector128<float>.Zero);
            var vy = Vector128.ConditionalSelect(mask, Vector128.LoadUnsafe(ref y, start), Vector128<float>.Zero);
            a1 = TOp.Invoke(a1, vx, vy);
        }
        return Vector128.Sum((a0 + a1) + (a2 + a3));
    }
}
