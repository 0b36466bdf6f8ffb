using FsCheck;
using FsCheck.Fluent;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Embeddings.Onnx.Tests;

public sealed class EmbeddingShorteningTests
{
    private static float[] Random1536(int seed)
    {
        var random = new Random(seed);
        var vector = Enumerable.Range(0, EmbeddingShortening.OpenAiSmallDimensions).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        return vector.Select(v => (float)(v / norm)).ToArray();
    }

    [Fact]
    public void Shortens_1536_to_512_by_truncation_and_renormalization_against_a_double_reference()
    {
        var vector = Random1536(42);
        var shortened = EmbeddingShortening.Shorten(vector, EmbeddingShortening.OpenAiShortDimensions);
        Assert.Equal(512, shortened.Length);
        var norm = Math.Sqrt(vector.Take(512).Sum(v => (double)v * v));
        for (var i = 0; i < 512; i++)
            Assert.Equal(vector[i] / norm, shortened[i], 1e-6);
    }

    [Fact]
    public void Rows_are_shortened_one_by_one()
    {
        var rows = Random1536(1).Concat(Random1536(2)).ToArray();
        var destination = new float[2 * 512];
        EmbeddingShortening.ShortenRows(rows, 1536, destination, 512);
        Assert.Equal(EmbeddingShortening.Shorten(rows.AsSpan(0, 1536), 512), destination[..512]);
        Assert.Equal(EmbeddingShortening.Shorten(rows.AsSpan(1536, 1536), 512), destination[512..]);
        Assert.Throws<ArgumentOutOfRangeException>(() => EmbeddingShortening.ShortenRows(rows.AsSpan(1), 1536, destination, 512));
        Assert.Throws<ArgumentOutOfRangeException>(() => EmbeddingShortening.ShortenRows(rows, 1536, new float[512], 512));
    }

    [Fact]
    public void Bad_vectors_and_sizes_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EmbeddingShortening.Shorten(new float[384], 512));
        Assert.Throws<ArgumentOutOfRangeException>(() => EmbeddingShortening.Shorten(new float[384], 0));
        Assert.Throws<InvalidVectorException>(() => EmbeddingShortening.Shorten(new float[1536], 512));
        var withNaN = Random1536(3);
        withNaN[10] = float.NaN;
        Assert.Throws<InvalidVectorException>(() => EmbeddingShortening.Shorten(withNaN, 512));
        var rows = new float[2 * 1536];
        Random1536(4).CopyTo(rows, 0);
        var e = Assert.Throws<InvalidVectorException>(() => EmbeddingShortening.ShortenRows(rows, 1536, new float[1024], 512));
        Assert.Contains("Row 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Huge_finite_components_do_not_overflow()
    {
        var shortened = EmbeddingShortening.Shorten([3e38f, 3e38f, 1f], 2);
        Assert.Equal(MathF.Sqrt(0.5f), shortened[0], 1e-6f);
        Assert.Equal(MathF.Sqrt(0.5f), shortened[1], 1e-6f);
    }

    [Fact]
    public void Shortening_in_place_is_allowed()
    {
        var vector = Random1536(5);
        var expected = EmbeddingShortening.Shorten(vector, 512);
        EmbeddingShortening.Shorten(vector, vector.AsSpan(0, 512));
        Assert.Equal(expected, vector[..512]);
    }

    [Fact]
    public void Property_result_is_unit_length_and_parallel_to_the_prefix()
    {
        Prop.ForAll(
            Gen.Choose(1, 300).SelectMany(length => Gen.ArrayOf(Gen.Choose(-1000, 1000).Select(v => v / 10f), length)
                .Where(values => values.Any(v => v != 0)).SelectMany(values => Gen.Choose(1, values.Length).Select(d => (values, d)))).ToArbitrary(),
            input =>
            {
                var (values, dimensions) = input;
                if (values.Take(dimensions).All(v => v == 0))
                    return true;
                var shortened = EmbeddingShortening.Shorten(values, dimensions);
                var norm = Math.Sqrt(values.Take(dimensions).Sum(v => (double)v * v));
                return Math.Abs(Math.Sqrt(shortened.Sum(v => (double)v * v)) - 1) < 1e-5
                    && shortened.Select((v, i) => Math.Abs(v - values[i] / norm) < 1e-5).All(ok => ok);
            }).QuickCheckThrowOnFailure();
    }
}
