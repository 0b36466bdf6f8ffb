using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Werkly.VectorIndex.Distance.Kernels;

/// <summary>
/// The hot loop of IVF search: one query against a contiguous block of rows, four rows per pass so every query load
/// is reused four times.
/// </summary>
/// <remarks>
/// Rows are <c>stride</c> floats apart and <c>stride</c> is a multiple of 16 (zero-padded), so every width divides a row
/// exactly and no tail handling is needed. The query must be padded the same way. Writes one score per row
/// (higher is better, see <see cref="IAccumulateOperator.ToScore"/>). At each width a row's score is the same whether it
/// is scored in a pass of four or alone, so an exact re-ranking of single rows reproduces a scan's scores exactly.
/// </remarks>
internal static class BlockKernel
{
    /// <summary>The row stride for <paramref name="dimensions"/>: rounded up to 16 floats (64 bytes).</summary>
    public static int StrideFor(int dimensions) => (dimensions + 15) & ~15;

    public static void Score<TOp>(ReadOnlySpan<float> query, ReadOnlySpan<float> block, int stride, Span<float> scores)
        where TOp : struct, IAccumulateOperator
    {
        if (stride <= 0 || (stride & 15) != 0) throw new ArgumentOutOfRangeException(nameof(stride), stride, "Stride must be a positive multiple of 16.");
        if (query.Length < stride) throw new ArgumentException($"The query holds {query.Length} floats; the stride is {stride}.", nameof(query));
        if (block.Length < (long)scores.Length * stride) throw new ArgumentException($"The block holds {block.Length} floats, fewer than {scores.Length} rows of {stride}.", nameof(block));
        ScoreCore<TOp>(ref MemoryMarshal.GetReference(query), ref MemoryMarshal.GetReference(block), stride, ref MemoryMarshal.GetReference(scores), scores.Length);
    }

    private static void ScoreCore<TOp>(ref float query, ref float block, int stride, ref float scores, int rows)
        where TOp : struct, IAccumulateOperator
    {
        if (Vector512.IsHardwareAccelerated)
            Score512<TOp>(ref query, ref block, (nuint)stride, ref scores, rows);
        else if (Vector256.IsHardwareAccelerated)
            Score256<TOp>(ref query, ref block, (nuint)stride, ref scores, rows);
        else
            Score128<TOp>(ref query, ref block, (nuint)stride, ref scores, rows);
    }

    // One method per width, internal so tests can run each width whatever the machine accelerates.

    internal static void Score512<TOp>(ref float q, ref float block, nuint stride, ref float scores, int rows)
        where TOp : struct, IAccumulateOperator
    {
        const int W = 16;
        var r = 0;
        ref var row = ref block;
        for (; r + 4 <= rows; r += 4)
        {
            ref var r1 = ref Unsafe.Add(ref row, stride);
            ref var r2 = ref Unsafe.Add(ref row, 2 * stride);
            ref var r3 = ref Unsafe.Add(ref row, 3 * stride);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (nuint d = 0; d < stride; d += W)
            {
                var vq = Vector512.LoadUnsafe(ref q, d);
                a0 = TOp.Invoke(a0, Vector512.LoadUnsafe(ref row, d), vq);
                a1 = TOp.Invoke(a1, Vector512.LoadUnsafe(ref r1, d), vq);
                a2 = TOp.Invoke(a2, Vector512.LoadUnsafe(ref r2, d), vq);
                a3 = TOp.Invoke(a3, Vector512.LoadUnsafe(ref r3, d), vq);
            }
            Unsafe.Add(ref scores, r) = TOp.ToScore(Vector512.Sum(a0));
            Unsafe.Add(ref scores, r + 1) = TOp.ToScore(Vector512.Sum(a1));
            Unsafe.Add(ref scores, r + 2) = TOp.ToScore(Vector512.Sum(a2));
            Unsafe.Add(ref scores, r + 3) = TOp.ToScore(Vector512.Sum(a3));
            row = ref Unsafe.Add(ref row, 4 * stride);
        }
        for (; r < rows; r++)
        {
            // The same summation order as a row of the 4-row pass, so a row's score never depends on its position in the
            // block: re-ranking one row reproduces the score a scan gave it, bit for bit.
            Vector512<float> a0 = default;
            for (nuint d = 0; d < stride; d += W)
                a0 = TOp.Invoke(a0, Vector512.LoadUnsafe(ref row, d), Vector512.LoadUnsafe(ref q, d));
            Unsafe.Add(ref scores, r) = TOp.ToScore(Vector512.Sum(a0));
            row = ref Unsafe.Add(ref row, stride);
        }
    }

    internal static void Score256<TOp>(ref float q, ref float block, nuint stride, ref float scores, int rows)
        where TOp : struct, IAccumulateOperator
    {
        const int W = 8;
        var r = 0;
        ref var row = ref block;
        for (; r + 4 <= rows; r += 4)
        {
            ref var r1 = ref Unsafe.Add(ref row, stride);
            ref var r2 = ref Unsafe.Add(ref row, 2 * stride);
            ref var r3 = ref Unsafe.Add(ref row, 3 * stride);
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (nuint d = 0; d < stride; d += W)
            {
                var vq = Vector256.LoadUnsafe(ref q, d);
                a0 = TOp.Invoke(a0, Vector256.LoadUnsafe(ref row, d), vq);
                a1 = TOp.Invoke(a1, Vector256.LoadUnsafe(ref r1, d), vq);
                a2 = TOp.Invoke(a2, Vector256.LoadUnsafe(ref r2, d), vq);
                a3 = TOp.Invoke(a3, Vector256.LoadUnsafe(ref r3, d), vq);
            }
            Unsafe.Add(ref scores, r) = TOp.ToScore(Vector256.Sum(a0));
            Unsafe.Add(ref scores, r + 1) = TOp.ToScore(Vector256.Sum(a1));
            Unsafe.Add(ref scores, r + 2) = TOp.ToScore(Vector256.Sum(a2));
            Unsafe.Add(ref scores, r + 3) = TOp.ToScore(Vector256.Sum(a3));
            row = ref Unsafe.Add(ref row, 4 * stride);
        }
        for (; r < rows; r++)
        {
            Vector256<float> a0 = default; // the 4-row pass's order (see Score512)
            for (nuint d = 0; d < stride; d += W)
                a0 = TOp.Invoke(a0, Vector256.LoadUnsafe(ref row, d), Vector256.LoadUnsafe(ref q, d));
            Unsafe.Add(ref scores, r) = TOp.ToScore(Vector256.Sum(a0));
            row = ref Unsafe.Add(ref row, stride);
        }
    }

    internal static void Score128<TOp>(ref float q, ref float block, nuint stride, ref float scores, int rows)
        where TOp : struct, IAccumulateOperator
    {
        const int W = 4;
        ref var row = ref block;
        for (var r = 0; r < rows; r++)
        {
            Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (nuint d = 0; d < stride; d += 4 * W)
            {
                a0 = TOp.Invoke(a0, Vector128.LoadUnsafe(ref row, d), Vector128.LoadUnsafe(ref q, d));
                a1 = TOp.Invoke(a1, Vector128.LoadUnsafe(ref row, d + W), Vector128.LoadUnsafe(ref q, d + W));
                a2 = TOp.Invoke(a2, Vector128.LoadUnsafe(ref row, d + 2 * W), Vector128.LoadUnsafe(ref q, d + 2 * W));
                a3 = TOp.Invoke(a3, Vector128.LoadUnsafe(ref row, d + 3 * W), Vector128.LoadUnsafe(ref q, d + 3 * W));
            }
            Unsafe.Add(ref scores, r) = TOp.ToScore(Vector128.Sum((a0 + a1) + (a2 + a3)));
            row = ref Unsafe.Add(ref row, stride);
        }
    }
}
