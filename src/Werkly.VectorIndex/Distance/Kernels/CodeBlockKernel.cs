using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Werkly.VectorIndex.Distance.Kernels;

/// <summary>
/// The hot loop of a quantized (SQ8) list scan: one 8-bit query against a contiguous block of 8-bit code rows, four
/// rows per pass so every query load is reused four times. The integer twin of <see cref="BlockKernel"/>.
/// </summary>
/// <remarks>
/// Rows are <c>stride</c> bytes apart and <c>stride</c> is a multiple of 64 (zero-padded), so every width divides a row
/// exactly and no tail handling is needed; the query must be padded the same way. Writes one exact integer sum per row
/// (what it means, and whether higher is better, is the operator's: see <see cref="CodeDotOperator"/> and
/// <see cref="CodeSquaredDifferenceOperator"/>).
/// </remarks>
internal static class CodeBlockKernel
{
    /// <summary>The row stride for <paramref name="dimensions"/> one-byte codes: rounded up to 64 bytes.</summary>
    public static int StrideFor(int dimensions) => (dimensions + 63) & ~63;

    public static void Score<TOp>(ReadOnlySpan<byte> query, ReadOnlySpan<byte> block, int stride, Span<int> scores)
        where TOp : struct, ICodeOperator
    {
        if (stride <= 0 || (stride & 63) != 0) throw new ArgumentOutOfRangeException(nameof(stride), stride, "Stride must be a positive multiple of 64.");
        if (query.Length < stride) throw new ArgumentException($"The query holds {query.Length} bytes; the stride is {stride}.", nameof(query));
        if (block.Length < (long)scores.Length * stride) throw new ArgumentException($"The block holds {block.Length} bytes, fewer than {scores.Length} rows of {stride}.", nameof(block));
        ScoreCore<TOp>(ref MemoryMarshal.GetReference(query), ref MemoryMarshal.GetReference(block), stride, ref MemoryMarshal.GetReference(scores), scores.Length);
    }

    private static void ScoreCore<TOp>(ref byte query, ref byte block, int stride, ref int scores, int rows)
        where TOp : struct, ICodeOperator
    {
        // .NET 10 exposes VPDPBUSD/VPDPWSSD only at 256 bits (AvxVnni). Where the CPU has them, one fused 256-bit
        // instruction does what the 512-bit path needs widenings, PMADDWD and an add for: 3-4x faster measured
        // (docs/BENCHMARKS.md, "SQ8 kernels"), so the 512-bit path serves AVX-512 CPUs without AVX-VNNI.
        if (Vector512.IsHardwareAccelerated && !AvxVnni.IsSupported)
            Score512<TOp>(ref query, ref block, (nuint)stride, ref scores, rows);
        else if (Vector256.IsHardwareAccelerated)
            Score256<TOp>(ref query, ref block, (nuint)stride, ref scores, rows);
        else
            Score128<TOp>(ref query, ref block, (nuint)stride, ref scores, rows);
    }

    // One method per width, internal so tests can run each width whatever the machine accelerates.

    internal static void Score512<TOp>(ref byte q, ref byte block, nuint stride, ref int scores, int rows)
        where TOp : struct, ICodeOperator
    {
        const int W = 64;
        var r = 0;
        ref var row = ref block;
        for (; r + 4 <= rows; r += 4)
        {
            ref var r1 = ref Unsafe.Add(ref row, stride);
            ref var r2 = ref Unsafe.Add(ref row, 2 * stride);
            ref var r3 = ref Unsafe.Add(ref row, 3 * stride);
            Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
            for (nuint d = 0; d < stride; d += W)
            {
                var vq = Vector512.LoadUnsafe(ref q, d);
                a0 = TOp.Invoke(a0, Vector512.LoadUnsafe(ref row, d), vq);
                a1 = TOp.Invoke(a1, Vector512.LoadUnsafe(ref r1, d), vq);
                a2 = TOp.Invoke(a2, Vector512.LoadUnsafe(ref r2, d), vq);
                a3 = TOp.Invoke(a3, Vector512.LoadUnsafe(ref r3, d), vq);
            }
            Unsafe.Add(ref scores, r) = Vector512.Sum(a0);
            Unsafe.Add(ref scores, r + 1) = Vector512.Sum(a1);
            Unsafe.Add(ref scores, r + 2) = Vector512.Sum(a2);
            Unsafe.Add(ref scores, r + 3) = Vector512.Sum(a3);
            row = ref Unsafe.Add(ref row, 4 * stride);
        }
        for (; r < rows; r++)
        {
            Vector512<int> a0 = default, a1 = default;
            nuint d = 0;
            for (; d + 2 * W <= stride; d += 2 * W)
            {
                a0 = TOp.Invoke(a0, Vector512.LoadUnsafe(ref row, d), Vector512.LoadUnsafe(ref q, d));
                a1 = TOp.Invoke(a1, Vector512.LoadUnsafe(ref row, d + W), Vector512.LoadUnsafe(ref q, d + W));
            }
            if (d < stride)
                a0 = TOp.Invoke(a0, Vector512.LoadUnsafe(ref row, d), Vector512.LoadUnsafe(ref q, d));
            Unsafe.Add(ref scores, r) = Vector512.Sum(a0 + a1);
            row = ref Unsafe.Add(ref row, stride);
        }
    }

    internal static void Score256<TOp>(ref byte q, ref byte block, nuint stride, ref int scores, int rows)
        where TOp : struct, ICodeOperator
    {
        const int W = 32;
        var r = 0;
        ref var row = ref block;
        for (; r + 4 <= rows; r += 4)
        {
            ref var r1 = ref Unsafe.Add(ref row, stride);
            ref var r2 = ref Unsafe.Add(ref row, 2 * stride);
            ref var r3 = ref Unsafe.Add(ref row, 3 * stride);
            Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
            for (nuint d = 0; d < stride; d += W)
            {
                var vq = Vector256.LoadUnsafe(ref q, d);
                a0 = TOp.Invoke(a0, Vector256.LoadUnsafe(ref row, d), vq);
                a1 = TOp.Invoke(a1, Vector256.LoadUnsafe(ref r1, d), vq);
                a2 = TOp.Invoke(a2, Vector256.LoadUnsafe(ref r2, d), vq);
                a3 = TOp.Invoke(a3, Vector256.LoadUnsafe(ref r3, d), vq);
            }
            Unsafe.Add(ref scores, r) = Vector256.Sum(a0);
            Unsafe.Add(ref scores, r + 1) = Vector256.Sum(a1);
            Unsafe.Add(ref scores, r + 2) = Vector256.Sum(a2);
            Unsafe.Add(ref scores, r + 3) = Vector256.Sum(a3);
            row = ref Unsafe.Add(ref row, 4 * stride);
        }
        for (; r < rows; r++)
        {
            Vector256<int> a0 = default, a1 = default;
            for (nuint d = 0; d < stride; d += 2 * W)
            {
                a0 = TOp.Invoke(a0, Vector256.LoadUnsafe(ref row, d), Vector256.LoadUnsafe(ref q, d));
                a1 = TOp.Invoke(a1, Vector256.LoadUnsafe(ref row, d + W), Vector256.LoadUnsafe(ref q, d + W));
            }
            Unsafe.Add(ref scores, r) = Vector256.Sum(a0 + a1);
            row = ref Unsafe.Add(ref row, stride);
        }
    }

    internal static void Score128<TOp>(ref byte q, ref byte block, nuint stride, ref int scores, int rows)
        where TOp : struct, ICodeOperator
    {
        const int W = 16;
        ref var row = ref block;
        for (var r = 0; r < rows; r++)
        {
            Vector128<int> a0 = default, a1 = default, a2 = default, a3 = default;
            for (nuint d = 0; d < stride; d += 4 * W)
            {
                a0 = TOp.Invoke(a0, Vector128.LoadUnsafe(ref row, d), Vector128.LoadUnsafe(ref q, d));
                a1 = TOp.Invoke(a1, Vector128.LoadUnsafe(ref row, d + W), Vector128.LoadUnsafe(ref q, d + W));
                a2 = TOp.Invoke(a2, Vector128.LoadUnsafe(ref row, d + 2 * W), Vector128.LoadUnsafe(ref q, d + 2 * W));
                a3 = TOp.Invoke(a3, Vector128.LoadUnsafe(ref row, d + 3 * W), Vector128.LoadUnsafe(ref q, d + 3 * W));
            }
            Unsafe.Add(ref scores, r) = Vector128.Sum((a0 + a1) + (a2 + a3));
            row = ref Unsafe.Add(ref row, stride);
        }
    }

    /// <summary>The scalar reference: one row, one code at a time (tests compare every width against it).</summary>
    internal static int ScoreScalar<TOp>(ReadOnlySpan<byte> query, ReadOnlySpan<byte> row)
        where TOp : struct, ICodeOperator
    {
        var acc = 0;
        for (var i = 0; i < row.Length; i++) acc = TOp.Invoke(acc, row[i], query[i]);
        return acc;
    }
}
