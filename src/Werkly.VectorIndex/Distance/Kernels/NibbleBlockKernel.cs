using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Werkly.VectorIndex.Distance.Kernels;

/// <summary>
/// One step of an integer reduction of packed 4-bit codes against a signed 8-bit query, at every vector width (STYLE.md
/// habit 3, the packed twin of <see cref="ICodeOperator"/>): <c>acc + Σ f(code_i, query_i)</c> over the codes whose low
/// nibbles face <c>queryLow</c> and whose high nibbles face <c>queryHigh</c>.
/// </summary>
/// <remarks>
/// <c>f(0, y)</c> must be 0, so zero padding does not change the result. Which lane a product lands in differs between
/// instruction sets, so only the sum over all lanes is meaningful. Every sum is exact for rows of up to 8,192 bytes.
/// </remarks>
internal interface INibbleOperator
{
    static abstract int Invoke(int acc, byte code, byte query);
    static abstract Vector128<int> Invoke(Vector128<int> acc, Vector128<byte> packed, Vector128<byte> queryLow, Vector128<byte> queryHigh);
    static abstract Vector256<int> Invoke(Vector256<int> acc, Vector256<byte> packed, Vector256<byte> queryLow, Vector256<byte> queryHigh);
    static abstract Vector512<int> Invoke(Vector512<int> acc, Vector512<byte> packed, Vector512<byte> queryLow, Vector512<byte> queryHigh);
}

/// <summary>
/// <c>acc + c·y</c> with <c>c</c> an unsigned 4-bit code (0…15) and <c>y</c> a signed query byte (−128…127, read as
/// <see cref="sbyte"/>): the inner product of a stored SQ4 row with a quantized query.
/// </summary>
/// <remarks>
/// The nibbles are split with a mask and a 16-bit shift. With AVX-VNNI each half is one VPDPBUSD. Without it, PMADDUBSW
/// multiplies and adds pairs into 16 bits (at most 2 · 15 · 128 = 3,840, so unlike 8-bit codes it never saturates), the
/// low and high halves are added in 16 bits (at most 7,680) and PMADDWD against ones widens to 32 bits.
/// </remarks>
internal readonly struct NibbleDotOperator : INibbleOperator
{
    public static int Invoke(int acc, byte code, byte query) => acc + code * (sbyte)query;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Invoke(Vector128<int> acc, Vector128<byte> packed, Vector128<byte> queryLow, Vector128<byte> queryHigh)
    {
        var mask = Vector128.Create((byte)0x0F);
        var low = packed & mask;
        var high = (packed.AsUInt16() >>> 4).AsByte() & mask;
        if (AvxVnni.IsSupported)
            return AvxVnni.MultiplyWideningAndAdd(AvxVnni.MultiplyWideningAndAdd(acc, low, queryLow.AsSByte()), high, queryHigh.AsSByte());
        if (Ssse3.IsSupported)
        {
            var pairs = Ssse3.MultiplyAddAdjacent(low, queryLow.AsSByte()) + Ssse3.MultiplyAddAdjacent(high, queryHigh.AsSByte());
            return acc + Sse2.MultiplyAddAdjacent(pairs, Vector128<short>.One);
        }
        var (l0, l1) = Vector128.Widen(low);
        var (h0, h1) = Vector128.Widen(high);
        var (ql0, ql1) = Vector128.Widen(queryLow.AsSByte());
        var (qh0, qh1) = Vector128.Widen(queryHigh.AsSByte());
        acc = CodeSteps.MultiplyAdd(CodeSteps.MultiplyAdd(acc, l0.AsInt16(), ql0), l1.AsInt16(), ql1);
        return CodeSteps.MultiplyAdd(CodeSteps.MultiplyAdd(acc, h0.AsInt16(), qh0), h1.AsInt16(), qh1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Invoke(Vector256<int> acc, Vector256<byte> packed, Vector256<byte> queryLow, Vector256<byte> queryHigh)
    {
        var mask = Vector256.Create((byte)0x0F);
        var low = packed & mask;
        var high = (packed.AsUInt16() >>> 4).AsByte() & mask;
        if (AvxVnni.IsSupported)
            return AvxVnni.MultiplyWideningAndAdd(AvxVnni.MultiplyWideningAndAdd(acc, low, queryLow.AsSByte()), high, queryHigh.AsSByte());
        if (Avx2.IsSupported)
        {
            var pairs = Avx2.MultiplyAddAdjacent(low, queryLow.AsSByte()) + Avx2.MultiplyAddAdjacent(high, queryHigh.AsSByte());
            return acc + Avx2.MultiplyAddAdjacent(pairs, Vector256<short>.One);
        }
        var (l0, l1) = Vector256.Widen(low);
        var (h0, h1) = Vector256.Widen(high);
        var (ql0, ql1) = Vector256.Widen(queryLow.AsSByte());
        var (qh0, qh1) = Vector256.Widen(queryHigh.AsSByte());
        acc = CodeSteps.MultiplyAdd(CodeSteps.MultiplyAdd(acc, l0.AsInt16(), ql0), l1.AsInt16(), ql1);
        return CodeSteps.MultiplyAdd(CodeSteps.MultiplyAdd(acc, h0.AsInt16(), qh0), h1.AsInt16(), qh1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Invoke(Vector512<int> acc, Vector512<byte> packed, Vector512<byte> queryLow, Vector512<byte> queryHigh)
    {
        var mask = Vector512.Create((byte)0x0F);
        var low = packed & mask;
        var high = (packed.AsUInt16() >>> 4).AsByte() & mask;
        if (Avx512BW.IsSupported)
        {
            var pairs = Avx512BW.MultiplyAddAdjacent(low, queryLow.AsSByte()) + Avx512BW.MultiplyAddAdjacent(high, queryHigh.AsSByte());
            return acc + Avx512BW.MultiplyAddAdjacent(pairs, Vector512<short>.One);
        }
        var (l0, l1) = Vector512.Widen(low);
        var (h0, h1) = Vector512.Widen(high);
        var (ql0, ql1) = Vector512.Widen(queryLow.AsSByte());
        var (qh0, qh1) = Vector512.Widen(queryHigh.AsSByte());
        acc = CodeSteps.MultiplyAdd(CodeSteps.MultiplyAdd(acc, l0.AsInt16(), ql0), l1.AsInt16(), ql1);
        return CodeSteps.MultiplyAdd(CodeSteps.MultiplyAdd(acc, h0.AsInt16(), qh0), h1.AsInt16(), qh1);
    }
}

/// <summary>
/// The hot loop of an SQ4 list scan: one signed 8-bit query against a contiguous block of packed 4-bit code rows, four
/// rows per pass so every query load is reused four times. The packed twin of <see cref="CodeBlockKernel"/>.
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> A row packs two codes a byte in blocks of 64 dimensions (32 bytes): byte <c>j</c> of block
/// <c>b</c> holds dimension <c>64b + j</c> in its low nibble and <c>64b + 32 + j</c> in its high nibble, so one 32-byte
/// load, a mask and a shift give two 32-code vectors in dimension order, each facing a contiguous 32-byte slice of the
/// query. The row stride (<see cref="StrideFor"/>) is a multiple of 64 bytes (dimensions rounded up to 128),
/// zero-padded, so every width divides a row exactly and no tail handling is needed.</para>
/// <para>The query is one signed byte per dimension in dimension order, zero-padded to <c>2 × stride</c> bytes. Each
/// width reads it at the offsets its loads need; the 512-bit path pairs two 32-byte query slices per load.</para>
/// </remarks>
internal static class NibbleBlockKernel
{
    /// <summary>The row stride in bytes for <paramref name="dimensions"/> 4-bit codes: dimensions rounded up to 128, halved.</summary>
    public static int StrideFor(int dimensions) => ((dimensions + 127) & ~127) / 2;

    public static void Score<TOp>(ReadOnlySpan<byte> query, ReadOnlySpan<byte> block, int stride, Span<int> scores)
        where TOp : struct, INibbleOperator
    {
        if (stride <= 0 || (stride & 63) != 0) throw new ArgumentOutOfRangeException(nameof(stride), stride, "Stride must be a positive multiple of 64.");
        if (query.Length < 2L * stride) throw new ArgumentException($"The query holds {query.Length} bytes; a row of {stride} bytes holds {2 * stride} codes.", nameof(query));
        if (block.Length < (long)scores.Length * stride) throw new ArgumentException($"The block holds {block.Length} bytes, fewer than {scores.Length} rows of {stride}.", nameof(block));
        ScoreCore<TOp>(ref MemoryMarshal.GetReference(query), ref MemoryMarshal.GetReference(block), stride, ref MemoryMarshal.GetReference(scores), scores.Length);
    }

    private static void ScoreCore<TOp>(ref byte query, ref byte block, int stride, ref int scores, int rows)
        where TOp : struct, INibbleOperator
    {
        // As for 8-bit codes, one fused 256-bit VPDPBUSD per half beats the 512-bit PMADDUBSW/PMADDWD sequence where the
        // CPU has AVX-VNNI (docs/BENCHMARKS.md, "SQ4 kernels"); the 512-bit path serves AVX-512 CPUs without it.
        if (Vector512.IsHardwareAccelerated && !AvxVnni.IsSupported)
            Score512<TOp>(ref query, ref block, (nuint)stride, ref scores, rows);
        else if (Vector256.IsHardwareAccelerated)
            Score256<TOp>(ref query, ref block, (nuint)stride, ref scores, rows);
        else
            Score128<TOp>(ref query, ref block, (nuint)stride, ref scores, rows);
    }

    // One method per width, internal so tests can run each width whatever the machine accelerates.

    internal static void Score512<TOp>(ref byte q, ref byte block, nuint stride, ref int scores, int rows)
        where TOp : struct, INibbleOperator
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
            for (nuint b = 0; b < stride; b += W)
            {
                var (low, high) = Query512(ref q, b);
                a0 = TOp.Invoke(a0, Vector512.LoadUnsafe(ref row, b), low, high);
                a1 = TOp.Invoke(a1, Vector512.LoadUnsafe(ref r1, b), low, high);
                a2 = TOp.Invoke(a2, Vector512.LoadUnsafe(ref r2, b), low, high);
                a3 = TOp.Invoke(a3, Vector512.LoadUnsafe(ref r3, b), low, high);
            }
            Unsafe.Add(ref scores, r) = Vector512.Sum(a0);
            Unsafe.Add(ref scores, r + 1) = Vector512.Sum(a1);
            Unsafe.Add(ref scores, r + 2) = Vector512.Sum(a2);
            Unsafe.Add(ref scores, r + 3) = Vector512.Sum(a3);
            row = ref Unsafe.Add(ref row, 4 * stride);
        }
        for (; r < rows; r++)
        {
            Vector512<int> a0 = default;
            for (nuint b = 0; b < stride; b += W)
            {
                var (low, high) = Query512(ref q, b);
                a0 = TOp.Invoke(a0, Vector512.LoadUnsafe(ref row, b), low, high);
            }
            Unsafe.Add(ref scores, r) = Vector512.Sum(a0);
            row = ref Unsafe.Add(ref row, stride);
        }
    }

    /// <summary>The query slices facing the 64 packed bytes at <paramref name="b"/> (two 64-dimension blocks): low nibbles
    /// are dimensions [2b, 2b+32) and [2b+64, 2b+96), high nibbles [2b+32, 2b+64) and [2b+96, 2b+128).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<byte> Low, Vector512<byte> High) Query512(ref byte q, nuint b) =>
        (Vector512.Create(Vector256.LoadUnsafe(ref q, 2 * b), Vector256.LoadUnsafe(ref q, 2 * b + 64)),
         Vector512.Create(Vector256.LoadUnsafe(ref q, 2 * b + 32), Vector256.LoadUnsafe(ref q, 2 * b + 96)));

    internal static void Score256<TOp>(ref byte q, ref byte block, nuint stride, ref int scores, int rows)
        where TOp : struct, INibbleOperator
    {
        // 32 packed bytes are one 64-dimension block: low nibbles face query [2b, 2b+32), high nibbles [2b+32, 2b+64).
        const int W = 32;
        var r = 0;
        ref var row = ref block;
        for (; r + 4 <= rows; r += 4)
        {
            ref var r1 = ref Unsafe.Add(ref row, stride);
            ref var r2 = ref Unsafe.Add(ref row, 2 * stride);
            ref var r3 = ref Unsafe.Add(ref row, 3 * stride);
            Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
            for (nuint b = 0; b < stride; b += W)
            {
                var low = Vector256.LoadUnsafe(ref q, 2 * b);
                var high = Vector256.LoadUnsafe(ref q, 2 * b + W);
                a0 = TOp.Invoke(a0, Vector256.LoadUnsafe(ref row, b), low, high);
                a1 = TOp.Invoke(a1, Vector256.LoadUnsafe(ref r1, b), low, high);
                a2 = TOp.Invoke(a2, Vector256.LoadUnsafe(ref r2, b), low, high);
                a3 = TOp.Invoke(a3, Vector256.LoadUnsafe(ref r3, b), low, high);
            }
            Unsafe.Add(ref scores, r) = Vector256.Sum(a0);
            Unsafe.Add(ref scores, r + 1) = Vector256.Sum(a1);
            Unsafe.Add(ref scores, r + 2) = Vector256.Sum(a2);
            Unsafe.Add(ref scores, r + 3) = Vector256.Sum(a3);
            row = ref Unsafe.Add(ref row, 4 * stride);
        }
        for (; r < rows; r++)
        {
            Vector256<int> a0 = default;
            for (nuint b = 0; b < stride; b += W)
                a0 = TOp.Invoke(a0, Vector256.LoadUnsafe(ref row, b), Vector256.LoadUnsafe(ref q, 2 * b), Vector256.LoadUnsafe(ref q, 2 * b + W));
            Unsafe.Add(ref scores, r) = Vector256.Sum(a0);
            row = ref Unsafe.Add(ref row, stride);
        }
    }

    internal static void Score128<TOp>(ref byte q, ref byte block, nuint stride, ref int scores, int rows)
        where TOp : struct, INibbleOperator
    {
        // Each 32-byte block is read as two 16-byte halves: the half at 16 faces query [2b+16, 2b+32) and [2b+48, 2b+64).
        const int W = 16;
        ref var row = ref block;
        for (var r = 0; r < rows; r++)
        {
            Vector128<int> a0 = default, a1 = default;
            for (nuint b = 0; b < stride; b += 2 * W)
            {
                a0 = TOp.Invoke(a0, Vector128.LoadUnsafe(ref row, b), Vector128.LoadUnsafe(ref q, 2 * b), Vector128.LoadUnsafe(ref q, 2 * b + 2 * W));
                a1 = TOp.Invoke(a1, Vector128.LoadUnsafe(ref row, b + W), Vector128.LoadUnsafe(ref q, 2 * b + W), Vector128.LoadUnsafe(ref q, 2 * b + 3 * W));
            }
            Unsafe.Add(ref scores, r) = Vector128.Sum(a0 + a1);
            row = ref Unsafe.Add(ref row, stride);
        }
    }

    /// <summary>The code of dimension <paramref name="dimension"/> in a packed row.</summary>
    public static byte CodeAt(ReadOnlySpan<byte> row, int dimension)
    {
        var j = dimension & 63;
        var packed = row[(dimension >> 6) * 32 + (j & 31)];
        return (byte)(j < 32 ? packed & 0x0F : packed >> 4);
    }

    /// <summary>The scalar reference: one row, one code at a time (tests compare every width against it).</summary>
    internal static int ScoreScalar<TOp>(ReadOnlySpan<byte> query, ReadOnlySpan<byte> row)
        where TOp : struct, INibbleOperator
    {
        var acc = 0;
        for (var d = 0; d < 2 * row.Length; d++) acc = TOp.Invoke(acc, CodeAt(row, d), query[d]);
        return acc;
    }
}
