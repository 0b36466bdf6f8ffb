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
    public void Dot_matches_scalar_reference(int n)
    {
        var (x, y) = Inputs(n, n, wholeNumbers: false);
        double expected = 0, scale = 0;
        for (var i = 0; i < n; i++)
        {
            expected += (double)x[i] * y[i];
            scale += Math.Abs((double)x[i] * y[i]);
        }
        AssertClose(expected, VectorDistance.Dot(x, y), scale);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Dot_is_exact_on_whole_numbers(int n)
    {
        var (x, y) = Inputs(n, n + 1000, wholeNumbers: true);
        long expected = 0;
        for (var i = 0; i < n; i++) expected += (long)x[i] * (long)y[i];
        Assert.Equal(expected, (long)VectorDistance.Dot(x, y));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SquaredL2_matches_scalar_reference(int n)
    {
        var (x, y) = Inputs(n, n + 2000, wholeNumbers: false);
        double expected = 0;
        for (var i = 0; i < n; i++) expected += ((double)x[i] - y[i]) * ((double)x[i] - y[i]);
        AssertClose(expected, VectorDistance.SquaredL2(x, y), expected);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SquaredL2_is_exact_on_whole_numbers(int n)
    {
        var (x, y) = Inputs(n, n + 3000, wholeNumbers: true);
        long expected = 0;
        for (var i = 0; i < n; i++) expected += (long)(x[i] - y[i]) * (long)(x[i] - y[i]);
        Assert.Equal(expected, (long)VectorDistance.SquaredL2(x, y));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Cosine_matches_scalar_reference(int n)
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
        AssertClose(expected, VectorDistance.Cosine(x, y), 1);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Block_kernel_matches_pairwise_for_every_row(int n)
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
        BlockKernel.Score<DotOperator>(query, block, stride, dots);
        BlockKernel.Score<SquaredDifferenceOperator>(query, block, stride, l2);
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
