using System.Runtime.InteropServices;
using Werkly.VectorIndex.Distance.Kernels;

namespace Werkly.VectorIndex.Tests.Distance;

/// <summary>
/// The SQ4 (packed 4-bit) block kernel at every width (64-, 32- and 16-byte vectors, run directly: unaccelerated widths
/// run in software), through the dispatching entry point and the scalar reference, each against plain 64-bit arithmetic
/// over codes unpacked by the documented layout. Integer sums must match exactly.
/// </summary>
public class NibbleKernelTests
{
    private const int Dispatch = 0;
    private const int Scalar = -1;
    private const int Rows = 7; // the 4-row pass and the single-row tail

    /// <summary>(width in bytes or Dispatch/Scalar, dimensions): every length 0–256 plus 384, 512 and 1536.</summary>
    public static TheoryData<int, int> WidthsAndLengths()
    {
        var data = new TheoryData<int, int>();
        foreach (var width in new[] { 64, 32, 16, Dispatch, Scalar })
        {
            for (var n = 0; n <= 256; n++) data.Add(width, n);
            data.Add(width, 384);
            data.Add(width, 512);
            data.Add(width, 1536);
        }
        return data;
    }

    private static int[] Score(int width, byte[] query, byte[] block, int stride)
    {
        var scores = new int[Rows];
        ref var q = ref MemoryMarshal.GetArrayDataReference(query);
        ref var b = ref MemoryMarshal.GetArrayDataReference(block);
        ref var s = ref MemoryMarshal.GetArrayDataReference(scores);
        switch (width)
        {
            case 64: NibbleBlockKernel.Score512<NibbleDotOperator>(ref q, ref b, (nuint)stride, ref s, Rows); break;
            case 32: NibbleBlockKernel.Score256<NibbleDotOperator>(ref q, ref b, (nuint)stride, ref s, Rows); break;
            case 16: NibbleBlockKernel.Score128<NibbleDotOperator>(ref q, ref b, (nuint)stride, ref s, Rows); break;
            case Dispatch: NibbleBlockKernel.Score<NibbleDotOperator>(query, block, stride, scores); break;
            case Scalar:
                for (var r = 0; r < Rows; r++) scores[r] = NibbleBlockKernel.ScoreScalar<NibbleDotOperator>(query, block.AsSpan(r * stride, stride));
                break;
            default: throw new ArgumentOutOfRangeException(nameof(width));
        }
        return scores;
    }

    /// <summary>Random 4-bit codes for dimensions below <paramref name="n"/> packed by the layout (byte 32b + j holds
    /// dimension 64b + j low and 64b + 32 + j high), the rest zero; a random signed query, zero beyond n.</summary>
    private static (byte[] Query, byte[] Block, int[][] Codes, int Stride) Inputs(int n, int seed)
    {
        var stride = NibbleBlockKernel.StrideFor(Math.Max(n, 1));
        var random = new Random(seed);
        var query = new byte[2 * stride];
        random.NextBytes(query.AsSpan(0, n));
        var block = new byte[Rows * stride];
        var codes = new int[Rows][];
        for (var r = 0; r < Rows; r++)
        {
            codes[r] = new int[n];
            for (var d = 0; d < n; d++)
            {
                var code = random.Next(16);
                codes[r][d] = code;
                var j = d & 63;
                block[r * stride + (d >> 6) * 32 + (j & 31)] |= (byte)(j < 32 ? code : code << 4);
            }
        }
        return (query, block, codes, stride);
    }

    [Theory]
    [MemberData(nameof(WidthsAndLengths))]
    public void Dot_matches_exact_arithmetic(int width, int n)
    {
        var (query, block, codes, stride) = Inputs(n, n + 17);
        var scores = Score(width, query, block, stride);
        for (var r = 0; r < Rows; r++)
        {
            long expected = 0;
            for (var d = 0; d < n; d++) expected += codes[r][d] * (long)(sbyte)query[d];
            Assert.Equal(expected, scores[r]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(384)]
    public void Codes_unpack_by_the_layout(int n)
    {
        var (_, block, codes, stride) = Inputs(n, 99);
        for (var r = 0; r < Rows; r++)
        {
            for (var d = 0; d < n; d++) Assert.Equal(codes[r][d], NibbleBlockKernel.CodeAt(block.AsSpan(r * stride, stride), d));
        }
    }

    /// <summary>The extremes at the longest length: 15 × −128 and 15 × 127 everywhere, in every lane.</summary>
    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    [InlineData(16)]
    [InlineData(Dispatch)]
    [InlineData(Scalar)]
    public void Extremes_neither_saturate_nor_overflow(int width)
    {
        const int n = 1536;
        var stride = NibbleBlockKernel.StrideFor(n);
        var block = new byte[Rows * stride];
        Array.Fill(block, (byte)0xFF);
        var query = new byte[2 * stride];
        Array.Fill(query, unchecked((byte)(sbyte)-128));
        Assert.All(Score(width, query, block, stride), s => Assert.Equal(15 * -128 * n, s));
        Array.Fill(query, (byte)127);
        Assert.All(Score(width, query, block, stride), s => Assert.Equal(15 * 127 * n, s));
    }

    [Fact]
    public void Stride_that_is_not_a_multiple_of_64_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NibbleBlockKernel.Score<NibbleDotOperator>(new byte[64], new byte[64], 32, new int[2]));
    }

    [Fact]
    public void Short_query_or_block_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => NibbleBlockKernel.Score<NibbleDotOperator>(new byte[64], new byte[128], 64, new int[2]));
        Assert.Throws<ArgumentException>(() => NibbleBlockKernel.Score<NibbleDotOperator>(new byte[128], new byte[127], 64, new int[2]));
    }

    [Theory]
    [InlineData(1, 64)]
    [InlineData(128, 64)]
    [InlineData(129, 128)]
    [InlineData(384, 192)]
    [InlineData(512, 256)]
    [InlineData(1536, 768)]
    public void Stride_rounds_dimensions_up_to_128_and_halves(int dimensions, int stride) =>
        Assert.Equal(stride, NibbleBlockKernel.StrideFor(dimensions));
}
