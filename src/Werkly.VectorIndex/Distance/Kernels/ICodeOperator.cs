using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Werkly.VectorIndex.Distance.Kernels;

/// <summary>
/// One step of an integer reduction over two vectors of 8-bit codes: <c>acc + Σ f(x_i, y_i)</c> into 32-bit lanes,
/// at every vector width (STYLE.md habit 3, the integer twin of <see cref="IAccumulateOperator"/>).
/// </summary>
/// <remarks>
/// Which lane a product lands in differs between instruction sets (VPDPBUSD sums groups of four bytes, PMADDWD pairs),
/// so only the sum over all lanes is meaningful. <c>f(0, 0)</c> must be 0, so zero padding does not change the result.
/// Every sum is exact: no step saturates, and a 32-bit lane cannot overflow for rows of up to 8,192 bytes.
/// </remarks>
internal interface ICodeOperator
{
    static abstract int Invoke(int acc, byte x, byte y);
    static abstract Vector128<int> Invoke(Vector128<int> acc, Vector128<byte> x, Vector128<byte> y);
    static abstract Vector256<int> Invoke(Vector256<int> acc, Vector256<byte> x, Vector256<byte> y);
    static abstract Vector512<int> Invoke(Vector512<int> acc, Vector512<byte> x, Vector512<byte> y);
}

/// <summary>
/// <c>acc + x·y</c> with <c>x</c> unsigned codes (0…255) and <c>y</c> a signed query (−128…127, its bytes read as
/// <see cref="sbyte"/>): the inner product of a stored SQ8 row with a quantized query.
/// </summary>
/// <remarks>
/// With AVX-VNNI this is one VPDPBUSD per vector. Without it, both sides are widened to 16 bits and multiplied with
/// PMADDWD (never PMADDUBSW, whose 16-bit sums saturate at 255·127·2). .NET 10 has no 512-bit VPDPBUSD
/// (Avx512Vnni is not exposed), so the 512-bit step always widens; <see cref="CodeBlockKernel"/> prefers the 256-bit
/// VNNI path where the CPU has it.
/// </remarks>
internal readonly struct CodeDotOperator : ICodeOperator
{
    public static int Invoke(int acc, byte x, byte y) => acc + x * (sbyte)y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Invoke(Vector128<int> acc, Vector128<byte> x, Vector128<byte> y)
    {
        if (AvxVnni.IsSupported) return AvxVnni.MultiplyWideningAndAdd(acc, x, y.AsSByte());
        var (x0, x1) = Vector128.Widen(x);
        var (y0, y1) = Vector128.Widen(y.AsSByte());
        return CodeSteps.MultiplyAdd(CodeSteps.MultiplyAdd(acc, x0.AsInt16(), y0), x1.AsInt16(), y1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Invoke(Vector256<int> acc, Vector256<byte> x, Vector256<byte> y)
    {
        if (AvxVnni.IsSupported) return AvxVnni.MultiplyWideningAndAdd(acc, x, y.AsSByte());
        var (x0, x1) = Vector256.Widen(x);
        var (y0, y1) = Vector256.Widen(y.AsSByte());
        return CodeSteps.MultiplyAdd(CodeSteps.MultiplyAdd(acc, x0.AsInt16(), y0), x1.AsInt16(), y1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Invoke(Vector512<int> acc, Vector512<byte> x, Vector512<byte> y)
    {
        var (x0, x1) = Vector512.Widen(x);
        var (y0, y1) = Vector512.Widen(y.AsSByte());
        return CodeSteps.MultiplyAdd(CodeSteps.MultiplyAdd(acc, x0.AsInt16(), y0), x1.AsInt16(), y1);
    }
}

/// <summary><c>acc + (x − y)²</c> over unsigned codes: the squared Euclidean distance in code space.</summary>
/// <remarks>Differences are taken in 16 bits (−255…255) and squared with PMADDWD, or VPDPWSSD under AVX-VNNI.</remarks>
internal readonly struct CodeSquaredDifferenceOperator : ICodeOperator
{
    public static int Invoke(int acc, byte x, byte y)
    {
        var d = x - y;
        return acc + d * d;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Invoke(Vector128<int> acc, Vector128<byte> x, Vector128<byte> y)
    {
        var (x0, x1) = Vector128.Widen(x);
        var (y0, y1) = Vector128.Widen(y);
        var d0 = (x0 - y0).AsInt16();
        var d1 = (x1 - y1).AsInt16();
        return CodeSteps.MultiplyAdd(CodeSteps.MultiplyAdd(acc, d0, d0), d1, d1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Invoke(Vector256<int> acc, Vector256<byte> x, Vector256<byte> y)
    {
        var (x0, x1) = Vector256.Widen(x);
        var (y0, y1) = Vector256.Widen(y);
        var d0 = (x0 - y0).AsInt16();
        var d1 = (x1 - y1).AsInt16();
        return CodeSteps.MultiplyAdd(CodeSteps.MultiplyAdd(acc, d0, d0), d1, d1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Invoke(Vector512<int> acc, Vector512<byte> x, Vector512<byte> y)
    {
        var (x0, x1) = Vector512.Widen(x);
        var (y0, y1) = Vector512.Widen(y);
        var d0 = (x0 - y0).AsInt16();
        var d1 = (x1 - y1).AsInt16();
        return CodeSteps.MultiplyAdd(CodeSteps.MultiplyAdd(acc, d0, d0), d1, d1);
    }
}

/// <summary><c>acc + a[2i]·b[2i] + a[2i+1]·b[2i+1]</c> per 32-bit lane: VPDPWSSD, PMADDWD, or widening multiplies elsewhere.</summary>
internal static class CodeSteps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> MultiplyAdd(Vector128<int> acc, Vector128<short> a, Vector128<short> b)
    {
        if (AvxVnni.IsSupported) return AvxVnni.MultiplyWideningAndAdd(acc, a, b);
        if (Sse2.IsSupported) return acc + Sse2.MultiplyAddAdjacent(a, b);
        var (a0, a1) = Vector128.Widen(a);
        var (b0, b1) = Vector128.Widen(b);
        return acc + a0 * b0 + a1 * b1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MultiplyAdd(Vector256<int> acc, Vector256<short> a, Vector256<short> b)
    {
        if (AvxVnni.IsSupported) return AvxVnni.MultiplyWideningAndAdd(acc, a, b);
        if (Avx2.IsSupported) return acc + Avx2.MultiplyAddAdjacent(a, b);
        var (a0, a1) = Vector256.Widen(a);
        var (b0, b1) = Vector256.Widen(b);
        return acc + a0 * b0 + a1 * b1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> MultiplyAdd(Vector512<int> acc, Vector512<short> a, Vector512<short> b)
    {
        if (Avx512BW.IsSupported) return acc + Avx512BW.MultiplyAddAdjacent(a, b);
        var (a0, a1) = Vector512.Widen(a);
        var (b0, b1) = Vector512.Widen(b);
        return acc + a0 * b0 + a1 * b1;
    }
}
