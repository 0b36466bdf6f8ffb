using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Tests.Partitions;

public class ValidationTests
{
    private static WerklyIndex NewIndex(DistanceMetric metric = DistanceMetric.Cosine)
    {
        var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 4, Metric = metric });
        index.Upsert("acme", "seed", [1, 0, 0, 0]);
        return index;
    }

    [Fact]
    public void Wrong_dimension_names_both_sizes()
    {
        using var index = NewIndex();
        var ex = Assert.Throws<DimensionMismatchException>(() => index.Upsert("acme", "k", [1, 2, 3]));
        Assert.Equal(4, ex.ExpectedDimensions);
        Assert.Equal(3, ex.ActualDimensions);
        Assert.Throws<DimensionMismatchException>(() => index.Search("acme", [1, 2, 3, 4, 5], 1));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_components_are_rejected_with_their_position(float bad)
    {
        using var index = NewIndex();
        var ex = Assert.Throws<InvalidVectorException>(() => index.Upsert("acme", "k", [1, 2, bad, 4]));
        Assert.Contains("Component 2", ex.Message);
        Assert.Throws<InvalidVectorException>(() => index.Search("acme", [bad, 0, 0, 1], 1));
    }

    [Fact]
    public void Zero_vector_is_rejected_under_cosine_only()
    {
        using var cosine = NewIndex();
        Assert.Throws<InvalidVectorException>(() => cosine.Upsert("acme", "k", [0, 0, 0, 0]));
        Assert.Throws<InvalidVectorException>(() => cosine.Search("acme", [0, 0, 0, 0], 1));
        using var dot = NewIndex(DistanceMetric.InnerProduct);
        dot.Upsert("acme", "k", [0, 0, 0, 0]);
        Assert.Equal(2, dot.Count("acme"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void K_must_be_positive(int k)
    {
        using var index = NewIndex();
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search("acme", [1, 0, 0, 0], k));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Explain("acme", [1, 0, 0, 0], k));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("acme corp")]
    [InlineData("ümlaut")]
    public void Bad_company_ids_are_rejected(string companyId)
    {
        using var index = NewIndex();
        Assert.Throws<InvalidIdentifierException>(() => index.Upsert(companyId, "k", [1, 0, 0, 0]));
    }

    [Fact]
    public void Oversized_company_ids_and_keys_are_rejected()
    {
        using var index = NewIndex();
        Assert.Throws<InvalidIdentifierException>(() => index.Upsert(new string('a', 65), "k", [1, 0, 0, 0]));
        Assert.Throws<InvalidIdentifierException>(() => index.Upsert("acme", new string('k', 513), [1, 0, 0, 0]));
        Assert.Throws<InvalidIdentifierException>(() => index.Upsert("acme", "", [1, 0, 0, 0]));
        Assert.Throws<InvalidIdentifierException>(() => index.Upsert("acme", "a\nb", [1, 0, 0, 0]));
        index.Upsert(new string('a', 64), new string('k', 512), [1, 0, 0, 0]);
    }

    [Fact]
    public void A_bad_record_leaves_the_whole_batch_unapplied()
    {
        using var index = NewIndex();
        var batch = new List<VectorRecord> { new("good", new float[] { 0, 1, 0, 0 }), new("bad", new float[] { 0, float.NaN, 0, 0 }) };
        Assert.Throws<InvalidVectorException>(() => index.Upsert("acme", batch));
        Assert.Equal(1, index.Count("acme"));
    }

    [Fact]
    public void Unknown_company_is_a_typed_error()
    {
        using var index = NewIndex();
        var ex = Assert.Throws<CompanyNotFoundException>(() => index.Search("globex", [1, 0, 0, 0], 1));
        Assert.Equal("globex", ex.CompanyId);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WerklyIndex(new WerklyIndexOptions { Dimensions = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WerklyIndex(new WerklyIndexOptions { Dimensions = 8, Probes = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WerklyIndex(new WerklyIndexOptions { Dimensions = 8, TargetRecall = 1.5 }));
    }

    [Fact]
    public void Deleting_a_company_removes_all_its_data()
    {
        using var index = NewIndex();
        index.Upsert("globex", "x", [0, 1, 0, 0]);
        Assert.True(index.DeleteCompany("acme"));
        Assert.False(index.ContainsCompany("acme"));
        Assert.Throws<CompanyNotFoundException>(() => index.Search("acme", [1, 0, 0, 0], 1));
        Assert.Equal(0, index.Count("acme"));
        Assert.Equal("x", index.Search("globex", [1, 0, 0, 0], 5).Single().Key);
        Assert.False(index.DeleteCompany("acme"));
    }
}
