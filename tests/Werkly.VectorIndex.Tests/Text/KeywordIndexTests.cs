using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Tests.Text;

/// <summary>The keyword side of the index, per company.</summary>
public class KeywordIndexTests
{
    private static WerklyIndex Index() => new(new WerklyIndexOptions { Dimensions = 1 });

    private static VectorRecord Doc(string key, string? title, string text) => new(key, new float[] { 1 }) { Title = title, Text = text };

    private static IReadOnlyList<SearchResult> Find(WerklyIndex index, string company, string text) =>
        index.Search(company, new SearchQuery { Mode = SearchMode.Keyword, Text = text });

    [Fact]
    public void Companies_are_isolated_and_have_their_own_statistics()
    {
        using var index = Index();
        index.Upsert("acme", [Doc("1", "Invoice", "Quarterly invoice for ACME")]);
        index.Upsert("globex", [Doc("1", "Invoice", "Globex invoice"), Doc("2", null, "Globex payroll")]);
        Assert.Equal(["1"], Find(index, "acme", "invoice").Select(h => h.Key));
        Assert.Empty(Find(index, "acme", "payroll"));
        Assert.Single(Find(index, "globex", "payroll"));
        Assert.Equal(2, index.Count("globex"));
        Assert.Equal(["acme", "globex"], index.Companies.Order(StringComparer.Ordinal));
        // Own statistics: "invoice" is in every acme document but one of two globex documents, so its idf differs.
        Assert.NotEqual(Find(index, "acme", "invoice")[0].Score, Find(index, "globex", "invoice")[0].Score);
    }

    [Fact]
    public void Deleting_a_company_removes_all_of_its_documents()
    {
        using var index = Index();
        index.Upsert("acme", [Doc("1", null, "text")]);
        Assert.True(index.DeleteCompany("acme"));
        Assert.False(index.DeleteCompany("acme"));
        Assert.Throws<CompanyNotFoundException>(() => Find(index, "acme", "text"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("has space")]
    [InlineData("slash/no")]
    [InlineData("ümlaut")]
    public void Invalid_company_ids_are_rejected(string companyId)
    {
        using var index = Index();
        var ex = Assert.Throws<InvalidIdentifierException>(() => index.Upsert(companyId, [Doc("k", null, "x")]));
        Assert.Contains("ompany id", ex.Message);
        Assert.Throws<InvalidIdentifierException>(() => Find(index, companyId, "x"));
    }

    [Fact]
    public void Company_id_length_limits()
    {
        using var index = Index();
        index.Upsert(new string('a', 64), [Doc("k", null, "x")]);
        Assert.Throws<InvalidIdentifierException>(() => index.Upsert(new string('a', 65), [Doc("k", null, "x")]));
        Assert.Throws<ArgumentNullException>(() => index.Upsert(null!, [Doc("k", null, "x")]));
    }

    [Fact]
    public void Unknown_company_is_reported_by_name()
    {
        using var index = Index();
        var ex = Assert.Throws<CompanyNotFoundException>(() => Find(index, "nobody", "k"));
        Assert.Equal("nobody", ex.CompanyId);
    }
}
