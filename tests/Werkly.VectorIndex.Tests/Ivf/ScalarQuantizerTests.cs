using Werkly.VectorIndex.Distance.Kernels;
using Werkly.VectorIndex.Ivf;

namespace Werkly.VectorIndex.Tests.Ivf;

public class ScalarQuantizerTests
{
    /// <summary>Rows of unit vectors drawn around a few centres (like sentence embeddings), padded to the float stride.</summary>
    private static (float[] Rows, int Stride) Clustered(int count, int dimensions, int seed, int clusters = 20)
    {
        var random = new Random(seed);
        var stride = BlockKernel.StrideFor(dimensions);
        var centres = new float[clusters][];
        for (var c = 0; c < clusters; c++)
        {
            centres[c] = new float[dimensions];
            for (var d = 0; d < dimensions; d++) centres[c][d] = (float)Gaussian(random);
        }
        var rows = new float[count * stride];
        for (var i = 0; i < count; i++)
        {
            var row = rows.AsSpan(i * stride, dimensions);
            var centre = centres[random.Next(clusters)];
            for (var d = 0; d < dimensions; d++) row[d] = centre[d] + 0.4f * (float)Gaussian(random);
            var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(row));
            for (var d = 0; d < dimensions; d++) row[d] /= norm;
        }
        return (rows, stride);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(384)]
    [InlineData(512)]
    [InlineData(1536)]
    public void Values_in_range_read_back_within_half_a_step(int dimensions)
    {
        var (rows, stride) = Clustered(500, dimensions, dimensions);
        var quantizer = ScalarQuantizer.Train(rows, 500, stride, dimensions, new ScalarQuantizerTraining { ClipQuantile = 0 });
        var code = new byte[quantizer.CodeStride];
        var decoded = new float[dimensions];
        for (var i = 0; i < 500; i++)
        {
            var row = rows.AsSpan(i * stride, dimensions);
            quantizer.Encode(row, code);
            quantizer.Decode(code, default, decoded);
            for (var d = 0; d < dimensions; d++)
            {
                var bound = quantizer.Step[d] / 2 * (1 + 1e-4f) + 1e-6f;
                Assert.True(Math.Abs(decoded[d] - row[d]) <= bound, $"row {i} dim {d}: {row[d]} read back as {decoded[d]} (step {quantizer.Step[d]})");
            }
            Assert.All(code[dimensions..], b => Assert.Equal(0, b));
        }
    }

    [Fact]
    public void Clipped_values_read_back_at_the_range_edge()
    {
        var (rows, stride) = Clustered(2000, 64, 3);
        var quantizer = ScalarQuantizer.Train(rows, 2000, stride, 64, new ScalarQuantizerTraining { ClipQuantile = 0.01 });
        var code = new byte[quantizer.CodeStride];
        var decoded = new float[64];
        var clipped = 0;
        for (var i = 0; i < 2000; i++)
        {
            var row = rows.AsSpan(i * stride, 64);
            quantizer.Encode(row, code);
            quantizer.Decode(code, default, decoded);
            for (var d = 0; d < 64; d++)
            {
                var low = quantizer.Minimum[d];
                var high = low + ScalarQuantizer.Levels * quantizer.Step[d];
                var nearest = Math.Clamp(row[d], low, high);
                if (nearest != row[d]) clipped++;
                Assert.True(Math.Abs(decoded[d] - nearest) <= quantizer.Step[d] / 2 * (1 + 1e-4f) + 1e-6f);
            }
        }
        // 1% clipped at each end of each dimension (rounding of the quantile index aside).
        Assert.InRange(clipped, 2000 * 64 / 100, 2000 * 64 * 3 / 100);
    }

    [Fact]
    public void Residual_codes_read_back_around_the_centroid()
    {
        var (rows, stride) = Clustered(300, 384, 4);
        var centroid = rows.AsSpan(0, 384).ToArray();
        var residuals = new float[300 * stride];
        for (var i = 0; i < 300; i++)
        {
            for (var d = 0; d < 384; d++) residuals[i * stride + d] = rows[i * stride + d] - centroid[d];
        }
        var quantizer = ScalarQuantizer.Train(residuals, 300, stride, 384, new ScalarQuantizerTraining { ClipQuantile = 0 });
        var code = new byte[quantizer.CodeStride];
        var decoded = new float[384];
        for (var i = 0; i < 300; i++)
        {
            var row = rows.AsSpan(i * stride, 384);
            quantizer.Encode(row, centroid, code);
            quantizer.Decode(code, centroid, decoded);
            for (var d = 0; d < 384; d++)
                Assert.True(Math.Abs(decoded[d] - row[d]) <= quantizer.Step[d] / 2 * (1 + 1e-4f) + 1e-6f);
        }
    }

    [Fact]
    public void Training_and_encoding_are_deterministic()
    {
        var (rows, stride) = Clustered(3000, 384, 5);
        var settings = new ScalarQuantizerTraining { MaxSampleRows = 1000, Seed = 77 };
        var a = ScalarQuantizer.Train(rows, 3000, stride, 384, settings);
        var b = ScalarQuantizer.Train(rows, 3000, stride, 384, settings);
        Assert.Equal(a.Minimum.ToArray(), b.Minimum.ToArray());
        Assert.Equal(a.Step.ToArray(), b.Step.ToArray());
        var codeA = new byte[a.CodeStride];
        var codeB = new byte[b.CodeStride];
        for (var i = 0; i < 3000; i += 97)
        {
            a.Encode(rows.AsSpan(i * stride, 384), codeA);
            b.Encode(rows.AsSpan(i * stride, 384), codeB);
            Assert.Equal(codeA, codeB);
        }
        // Another seed samples other rows: the ranges differ, so the seed is really used.
        var c = ScalarQuantizer.Train(rows, 3000, stride, 384, settings with { Seed = 78 });
        Assert.NotEqual(a.Minimum.ToArray(), c.Minimum.ToArray());
    }

    /// <summary>The ranges are the order statistics a full sort of each dimension gives, at every clip quantile.</summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.0001)]
    [InlineData(0.001)]
    [InlineData(0.01)]
    [InlineData(0.05)]
    public void Ranges_are_exact_order_statistics(double clip)
    {
        const int n = 2500, dimensions = 40;
        var (rows, stride) = Clustered(n, dimensions, 9);
        var quantizer = ScalarQuantizer.Train(rows, n, stride, dimensions, new ScalarQuantizerTraining { ClipQuantile = clip });
        var low = (int)Math.Floor(clip * (n - 1));
        for (var d = 0; d < dimensions; d++)
        {
            var column = Enumerable.Range(0, n).Select(i => rows[i * stride + d]).Order().ToArray();
            Assert.Equal(column[low], quantizer.Minimum[d]);
            Assert.Equal((column[n - 1 - low] - column[low]) / ScalarQuantizer.Levels, quantizer.Step[d]);
        }
    }

    /// <summary>The vectorised encoder (32 dimensions a pass) and its scalar tail give the codes of the plain formula.</summary>
    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(100)]
    [InlineData(384)]
    public void Codes_follow_the_scalar_formula(int dimensions)
    {
        var (rows, stride) = Clustered(200, dimensions, dimensions + 10);
        var quantizer = ScalarQuantizer.Train(rows, 200, stride, dimensions, new ScalarQuantizerTraining { ClipQuantile = 0.01 });
        var centroid = rows.AsSpan(5 * stride, dimensions).ToArray();
        var code = new byte[quantizer.CodeStride];
        for (var i = 0; i < 200; i++)
        {
            var row = rows.AsSpan(i * stride, dimensions);
            quantizer.Encode(row, centroid, code);
            for (var d = 0; d < dimensions; d++)
            {
                var level = MathF.Round((row[d] - centroid[d] - quantizer.Minimum[d]) * (1 / quantizer.Step[d]));
                Assert.Equal((byte)Math.Clamp(level, 0, 255), code[d]);
            }
        }
    }

    [Fact]
    public void A_constant_dimension_reads_back_exactly()
    {
        const int dimensions = 16;
        var rows = new float[10 * dimensions];
        for (var i = 0; i < 10; i++)
        {
            rows[i * dimensions] = 0.25f;
            rows[i * dimensions + 1] = i;
        }
        var quantizer = ScalarQuantizer.Train(rows, 10, dimensions, dimensions);
        Assert.Equal(0, quantizer.Step[0]);
        var code = new byte[quantizer.CodeStride];
        var decoded = new float[dimensions];
        quantizer.Encode(rows.AsSpan(3 * dimensions, dimensions), code);
        quantizer.Decode(code, default, decoded);
        Assert.Equal(0.25f, decoded[0]);
        Assert.Equal(3f, decoded[1], 4);
    }

    [Fact]
    public void Quantized_query_inner_product_is_within_its_bound()
    {
        var (rows, stride) = Clustered(400, 384, 6);
        var quantizer = ScalarQuantizer.Train(rows, 400, stride, 384);
        var queryCode = new byte[quantizer.CodeStride];
        var code = new byte[quantizer.CodeStride];
        var decoded = new float[384];
        var query = rows.AsSpan(17 * stride, 384).ToArray();
        var q = quantizer.EncodeQuery(query, queryCode);
        Assert.All(queryCode[384..], b => Assert.Equal(0, b));
        for (var i = 0; i < 400; i++)
        {
            quantizer.Encode(rows.AsSpan(i * stride, 384), code);
            quantizer.Decode(code, default, decoded);
            double exact = 0, codeSum = 0;
            for (var d = 0; d < 384; d++)
            {
                exact += (double)query[d] * decoded[d];
                codeSum += code[d];
            }
            var sum = CodeBlockKernel.ScoreScalar<CodeDotOperator>(queryCode, code);
            var approximate = q.InnerProduct(sum);
            var bound = q.Scale / 2 * codeSum + 1e-4;
            Assert.True(Math.Abs(approximate - exact) <= bound, $"row {i}: {approximate} vs {exact} (bound {bound})");
        }
    }

    /// <summary>SQ8 candidates (k × 4) re-ranked with the float vectors find the exact top 10 on clustered data.</summary>
    [Fact]
    public void Rescoring_sq8_candidates_recovers_the_exact_top_k()
    {
        const int n = 4000, dimensions = 384, k = 10, candidates = 40;
        var (rows, stride) = Clustered(n, dimensions, 7, clusters: 40);
        var quantizer = ScalarQuantizer.Train(rows, n, stride, dimensions);
        var codes = new byte[n * quantizer.CodeStride];
        for (var i = 0; i < n; i++) quantizer.Encode(rows.AsSpan(i * stride, dimensions), codes.AsSpan(i * quantizer.CodeStride, quantizer.CodeStride));
        var (queries, _) = Clustered(50, dimensions, 8, clusters: 40);
        var queryCode = new byte[quantizer.CodeStride];
        var sums = new int[n];
        var exact = new float[n];
        var found = 0;
        for (var qi = 0; qi < 50; qi++)
        {
            var query = queries.AsSpan(qi * stride, stride).ToArray();
            BlockKernel.Score<DotOperator>(query, rows, stride, exact);
            var truth = Enumerable.Range(0, n).OrderByDescending(i => exact[i]).Take(k).ToHashSet();
            var qc = quantizer.EncodeQuery(query.AsSpan(0, dimensions), queryCode);
            CodeBlockKernel.Score<CodeDotOperator>(queryCode, codes, quantizer.CodeStride, sums);
            var top = Enumerable.Range(0, n).OrderByDescending(i => qc.InnerProduct(sums[i])).Take(candidates)
                .OrderByDescending(i => exact[i]).Take(k).ToList();
            found += top.Count(truth.Contains);
        }
        Assert.True(found >= 0.99 * 50 * k, $"recall {found / (50.0 * k)}");
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        var rows = new float[32];
        rows[5] = float.NaN;
        Assert.Throws<ArgumentException>(() => ScalarQuantizer.Train(rows, 2, 16, 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScalarQuantizer.Train(new float[32], 2, 16, 16, new ScalarQuantizerTraining { ClipQuantile = 0.06 }));
        var quantizer = ScalarQuantizer.Train(new float[32], 2, 16, 16);
        Assert.Throws<ArgumentException>(() => quantizer.Encode(new float[15], new byte[64]));
        Assert.Throws<ArgumentException>(() => quantizer.Encode(new float[16], new byte[16]));
        Assert.Throws<ArgumentException>(() => quantizer.EncodeQuery(new float[16], new byte[63]));
        Assert.Throws<ArgumentException>(() => new ScalarQuantizer([0f, 1f], [1f, -1f]));
    }
}
