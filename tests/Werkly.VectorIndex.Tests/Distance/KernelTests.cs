using System.Runtime.InteropServices;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Distance.Kernels;

namespace Werkly.VectorIndex.Tests.Distance;

public class KernelTests
{
    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (var n = 0; n <= 256; n++) data.Add(n);
        data.Add(384);
        data.Add(512);
        data.Add(1536);
        return data;
    }

    /// <summary>
    /// (width in floats, length) for the per-width kernels, which need at least one vector: every length up to ten
    /// vectors (4-accumulator passes, single vectors and masked tails), then long ones. Tests through the dispatching
    /// entry points only reach the widest width the machine accelerates; these run every width (unaccelerated ones in
    /// software, which .NET provides for every Vector128/256/512 operation used).
    /// </summary>
    public static TheoryData<int, int> WidthsAndLengths()
    {
        var data = new TheoryData<int, int>();
        foreach (var width in new[] { 16, 8, 4 })
        {
            for (var n = width; n <= 10 * width; n++) data.Add(width, n);
            data.Add(width, 384);
            data.Add(width, 1536);
            data.Add(width, 1537);
        }
        return data;
    }

    private static float Reduce<TOp>(int width, float[] x, float[] y)
        where TOp : struct, IAccumulateOperator
    {
        ref var rx = ref MemoryMarshal.GetArrayDataReference(x);
        ref var ry = ref MemoryMarshal.GetArrayDataReference(y);
        return width switch
        {
            16 => PairKernel.Reduce512<TOp>(ref rx, ref ry, x.Length),
            8 => PairKernel.Reduce256<TOp>(ref rx, ref ry, x.Length),
            4 => PairKernel.Reduce128<TOp>(ref rx, ref ry, x.Length),
            _ => throw new ArgumentOutOfRangeException(nameof(width)),
        };
    }

    /// <summary>Cosine from the width's three sums, combined as <see cref="CosineKernel.Similarity"/> does.</summary>
    private static float Cosine(int width, float[] x, float[] y)
    {
        ref var rx = ref MemoryMarshal.GetArrayDataReference(x);
        ref var ry = ref MemoryMarshal.GetArrayDataReference(y);
        var (xy, xx, yy) = width switch
        {
            16 => CosineKernel.Reduce512(ref rx, ref ry, x.Length),
            8 => CosineKernel.Reduce256(ref rx, ref ry, x.Length),
            4 => CosineKernel.Reduce128(ref rx, ref ry, x.Length),
            _ => throw new ArgumentOutOfRangeException(nameof(width)),
        };
        return xx == 0 || yy == 0 ? 0 : xy / (MathF.Sqrt(xx) * MathF.Sqrt(yy));
    }

    private static void Score<TOp>(int width, float[] query, float[] block, int stride, float[] scores)
        where TOp : struct, IAccumulateOperator
    {
        ref var q = ref MemoryMarshal.GetArrayDataReference(query);
        ref var b = ref MemoryMarshal.GetArrayDataReference(block);
        ref var s = ref MemoryMarshal.GetArrayDataReference(scores);
        switch (width)
        {
            case 16: BlockKernel.Score512<TOp>(ref q, ref b, (nuint)stride, ref s, scores.Length); break;
            case 8: BlockKernel.Score256<TOp>(ref q, ref b, (nuint)stride, ref s, scores.Length); break;
            case 4: BlockKernel.Score128<TOp>(ref q, ref b, (nuint)stride, ref s, scores.Length); break;
            default: throw new ArgumentOutOfRangeException(nameof(width));
        }
    }

    private static (float[] X, float[] Y) Inputs(int n, int seed, bool wholeNumbers)
    {
        var random = new Random(seed);
        var x = new float[n];
        var y = new float[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = wholeNumbers ? random.Next(-8, 9) : (float)(random.NextDouble() * 2 - 1);
            y[i] = wholeNumbers ? random.Next(-8, 9) : (float)(random.NextDouble() * 2 - 1);
        }
        return (x, y);
    }

    private static void AssertClose(double expected, float actual, double scale)
    {
        var tolerance = 1e-5 * Math.Max(1, scale);
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"expected {expected}, got {actual} (tolerance {tolerance})");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Dot_matches_scalar_reference(int n) => CheckDot(n, (x, y) => VectorDistance.Dot(x, y));

    [Theory]
    [MemberData(nameof(WidthsAndLengths))]
    public void Dot_matches_scalar_reference_at_each_width(int width, int n) => CheckDot(n, (x, y) => Reduce<DotOperator>(width, x, y));

    private static void CheckDot(int n, Func<float[], float[], float> dot)
    {
        var (x, y) = Inputs(n, n, wholeNumbers: false);
        double expected = 0, scale = 0;
        for (var i = 0; i < n; i++)
        {
            expected += (double)x[i] * y[i];
            scale += Math.Abs((double)x[i] * y[i]);
        }
        AssertClose(expected, dot(x, y), scale);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Dot_is_exact_on_whole_numbers(int n) => CheckDotExact(n, (x, y) => VectorDistance.Dot(x, y));

    [Theory]
    [MemberData(nameof(WidthsAndLengths))]
    public void Dot_is_exact_on_whole_numbers_at_each_width(int width, int n) => CheckDotExact(n, (x, y) => Reduce<DotOperator>(width, x, y));

    private static void CheckDotExact(int n, Func<float[], float[], float> dot)
    {
        var (x, y) = Inputs(n, n + 1000, wholeNumbers: true);
        long expected = 0;
        for (var i = 0; i < n; i++) expected += (long)x[i] * (long)y[i];
        Assert.Equal(expected, (long)dot(x, y));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SquaredL2_matches_scalar_reference(int n) => CheckSquaredL2(n, (x, y) => VectorDistance.SquaredL2(x, y));

    [Theory]
    [MemberData(nameof(WidthsAndLengths))]
    public void SquaredL2_matches_scalar_reference_at_each_width(int width, int n) =>
        CheckSquaredL2(n, (x, y) => Reduce<SquaredDifferenceOperator>(width, x, y));

    private static void CheckSquaredL2(int n, Func<float[], float[], float> squaredL2)
    {
        var (x, y) = Inputs(n, n + 2000, wholeNumbers: false);
        double expected = 0;
        for (var i = 0; i < n; i++) expected += ((double)x[i] - y[i]) * ((double)x[i] - y[i]);
        AssertClose(expected, squaredL2(x, y), expected);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SquaredL2_is_exact_on_whole_numbers(int n) => CheckSquaredL2Exact(n, (x, y) => VectorDistance.SquaredL2(x, y));

    [Theory]
    [MemberData(nameof(WidthsAndLengths))]
    public void SquaredL2_is_exact_on_whole_numbers_at_each_width(int width, int n) =>
        CheckSquaredL2Exact(n, (x, y) => Reduce<SquaredDifferenceOperator>(width, x, y));

    private static void CheckSquaredL2Exact(int n, Func<float[], float[], float> squaredL2)
    {
        var (x, y) = Inputs(n, n + 3000, wholeNumbers: true);
        long expected = 0;
        for (var i = 0; i < n; i++) expected += (long)(x[i] - y[i]) * (long)(x[i] - y[i]);
        Assert.Equal(expected, (long)squaredL2(x, y));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Cosine_matches_scalar_reference(int n) => CheckCosine(n, (x, y) => VectorDistance.Cosine(x, y));

    [Theory]
    [MemberData(nameof(WidthsAndLengths))]
    public void Cosine_matches_scalar_reference_at_each_width(int width, int n) => CheckCosine(n, (x, y) => Cosine(width, x, y));

    private static void CheckCosine(int n, Func<float[], float[], float> cosine)
    {
        var (x, y) = Inputs(n, n + 4000, wholeNumbers: false);
        double dot = 0, xx = 0, yy = 0;
        for (var i = 0; i < n; i++)
        {
            dot += (double)x[i] * y[i];
            xx += (double)x[i] * x[i];
            yy += (double)y[i] * y[i];
        }
        var expected = xx == 0 || yy == 0 ? 0 : dot / Math.Sqrt(xx * yy);
        AssertClose(expected, cosine(x, y), 1);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Block_kernel_matches_pairwise_for_every_row(int n) =>
        CheckBlock(n, (q, b, stride, s) => BlockKernel.Score<DotOperator>(q, b, stride, s), (q, b, stride, s) => BlockKernel.Score<SquaredDifferenceOperator>(q, b, stride, s));

    [Theory]
    [MemberData(nameof(WidthsAndLengths))]
    public void Block_kernel_matches_pairwise_for_every_row_at_each_width(int width, int n) =>
        CheckBlock(n, (q, b, stride, s) => Score<DotOperator>(width, q, b, stride, s), (q, b, stride, s) => Score<SquaredDifferenceOperator>(width, q, b, stride, s));

    private static void CheckBlock(int n, Action<float[], float[], int, float[]> scoreDot, Action<float[], float[], int, float[]> scoreSquaredL2)
    {
        var stride = BlockKernel.StrideFor(n == 0 ? 1 : n);
        const int rows = 7; // exercises the 4-row pass and the single-row tail
        var random = new Random(n);
        var block = new float[rows * stride];
        var query = new float[stride];
        for (var d = 0; d < n; d++) query[d] = (float)(random.NextDouble() * 2 - 1);
        for (var r = 0; r < rows; r++)
        {
            for (var d = 0; d < n; d++) block[r * stride + d] = (float)(random.NextDouble() * 2 - 1);
        }
        var dots = new float[rows];
        var l2 = new float[rows];
        scoreDot(query, block, stride, dots);
        scoreSquaredL2(query, block, stride, l2);
        for (var r = 0; r < rows; r++)
        {
            var row = block.AsSpan(r * stride, n);
            double dot = 0, dist = 0, scale = 0;
            for (var d = 0; d < n; d++)
            {
                dot += (double)row[d] * query[d];
                scale += Math.Abs((double)row[d] * query[d]);
                dist += ((double)row[d] - query[d]) * ((double)row[d] - query[d]);
            }
            AssertClose(dot, dots[r], scale);
            AssertClose(-dist, l2[r], dist);
        }
    }

    [Fact]
    public void Mismatched_lengths_throw()
    {
        Assert.Throws<ArgumentException>(() => VectorDistance.Dot(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => VectorDistance.SquaredL2(new float[3], new float[4]));
    }

    [Fact]
    public void Block_kernel_rejects_a_stride_that_is_not_a_multiple_of_16()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BlockKernel.Score<DotOperator>(new float[20], new float[40], 20, new float[2]));
    }

    [Fact]
    public void Normalize_gives_unit_length_and_returns_the_norm()
    {
        float[] v = [3, 4];
        var norm = VectorDistance.Normalize(v, v);
        Assert.Equal(5, norm, 5);
        Assert.Equal(0.6f, v[0], 5);
        Assert.Equal(0.8f, v[1], 5);
    }
}
