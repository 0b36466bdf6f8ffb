using System.Runtime.InteropServices;
using Werkly.VectorIndex.Distance.Kernels;

namespace Werkly.VectorIndex.Tests.Distance;

/// <summary>
/// The SQ8 block kernel at every width (64-, 32- and 16-byte vectors, run directly: unaccelerated widths run in
/// software), through the dispatching entry point and the scalar reference, each against plain 64-bit arithmetic.
/// Integer sums must match exactly.
/// </summary>
public class CodeKernelTests
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

    private static int[] Score<TOp>(int width, byte[] query, byte[] block, int stride)
        where TOp : struct, ICodeOperator
    {
        var scores = new int[Rows];
        ref var q = ref MemoryMarshal.GetArrayDataReference(query);
        ref var b = ref MemoryMarshal.GetArrayDataReference(block);
        ref var s = ref MemoryMarshal.GetArrayDataReference(scores);
        switch (width)
        {
            case 64: CodeBlockKernel.Score512<TOp>(ref q, ref b, (nuint)stride, ref s, Rows); break;
            case 32: CodeBlockKernel.Score256<TOp>(ref q, ref b, (nuint)stride, ref s, Rows); break;
            case 16: CodeBlockKernel.Score128<TOp>(ref q, ref b, (nuint)stride, ref s, Rows); break;
            case Dispatch: CodeBlockKernel.Score<TOp>(query, block, stride, scores); break;
            case Scalar:
                for (var r = 0; r < Rows; r++) scores[r] = CodeBlockKernel.ScoreScalar<TOp>(query, block.AsSpan(r * stride, stride));
                break;
            default: throw new ArgumentOutOfRangeException(nameof(width));
        }
        return scores;
    }

    /// <summary>Random codes and a random query over the full byte range, zero-padded to the stride.</summary>
    private static (byte[] Query, byte[] Block, int Stride) Inputs(int n, int seed)
    {
        var stride = CodeBlockKernel.StrideFor(Math.Max(n, 1));
        var random = new Random(seed);
        var query = new byte[stride];
        var block = new byte[Rows * stride];
        random.NextBytes(query.AsSpan(0, n));
        for (var r = 0; r < Rows; r++) random.NextBytes(block.AsSpan(r * stride, n));
        return (query, block, stride);
    }

    [Theory]
    [MemberData(nameof(WidthsAndLengths))]
    public void Dot_matches_exact_arithmetic(int width, int n)
    {
        var (query, block, stride) = Inputs(n, n);
        var scores = Score<CodeDotOperator>(width, query, block, stride);
        for (var r = 0; r < Rows; r++)
        {
            long expected = 0;
            for (var d = 0; d < n; d++) expected += block[r * stride + d] * (long)(sbyte)query[d];
            Assert.Equal(expected, scores[r]);
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndLengths))]
    public void Squared_difference_matches_exact_arithmetic(int width, int n)
    {
        var (query, block, stride) = Inputs(n, n + 5000);
        var scores = Score<CodeSquaredDifferenceOperator>(width, query, block, stride);
        for (var r = 0; r < Rows; r++)
        {
            long expected = 0;
            for (var d = 0; d < n; d++)
            {
                long diff = block[r * stride + d] - query[d];
                expected += diff * diff;
            }
            Assert.Equal(expected, scores[r]);
        }
    }

    /// <summary>The extremes at the longest length: 255 × −128 and 255 × 127 everywhere (PMADDUBSW would saturate), and
    /// 0 against 255 for the squared difference.</summary>
    [Theory]
    [InlineData(64)]
    [InlineData(32)]
    [InlineData(16)]
    [InlineData(Dispatch)]
    [InlineData(Scalar)]
    public void Extremes_neither_saturate_nor_overflow(int width)
    {
        const int n = 1536;
        var stride = CodeBlockKernel.StrideFor(n);
        var block = new byte[Rows * stride];
        Array.Fill(block, (byte)255);
        var query = new byte[stride];
        Array.Fill(query, unchecked((byte)(sbyte)-128));
        Assert.All(Score<CodeDotOperator>(width, query, block, stride), s => Assert.Equal(255 * -128 * n, s));
        Array.Fill(query, (byte)127);
        Assert.All(Score<CodeDotOperator>(width, query, block, stride), s => Assert.Equal(255 * 127 * n, s));
        Array.Fill(query, (byte)0);
        Assert.All(Score<CodeSquaredDifferenceOperator>(width, query, block, stride), s => Assert.Equal(255 * 255 * n, s));
    }

    [Fact]
    public void Stride_that_is_not_a_multiple_of_64_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CodeBlockKernel.Score<CodeDotOperator>(new byte[96], new byte[192], 96, new int[2]));
    }

    [Fact]
    public void Short_query_or_block_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => CodeBlockKernel.Score<CodeDotOperator>(new byte[32], new byte[128], 64, new int[2]));
        Assert.Throws<ArgumentException>(() => CodeBlockKernel.Score<CodeDotOperator>(new byte[64], new byte[127], 64, new int[2]));
    }
}
