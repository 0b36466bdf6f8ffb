using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Tests.Text;

public class KeywordIndexTests
{
    [Fact]
    public void Companies_are_isolated_and_have_their_own_statistics()
    {
        using var index = new KeywordIndex();
        index.Upsert("acme", "1", "Invoice", "Quarterly invoice for ACME");
        index.Upsert("globex", "1", "Invoice", "Globex invoice");
        index.Upsert("globex", "2", null, "Globex payroll");
        Assert.Equal(["1"], index.Search("acme", "invoice", 10).Select(h => h.Key));
        Assert.Empty(index.Search("acme", "payroll", 10));
        Assert.Single(index.Search("globex", "payroll", 10));
        Assert.Equal(2, index.Count("globex"));
        Assert.Equal(["acme", "globex"], index.Companies.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Deleting_a_company_removes_all_of_its_documents()
    {
        using var index = new KeywordIndex();
        index.Upsert("acme", "1", null, "text");
        Assert.True(index.DeleteCompany("acme"));
        Assert.False(index.DeleteCompany("acme"));
        Assert.Throws<CompanyNotFoundException>(() => index.Search("acme", "text", 10));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("has space")]
    [InlineData("slash/no")]
    [InlineData("ümlaut")]
    public void Invalid_company_ids_are_rejected(string companyId)
    {
        using var index = new KeywordIndex();
        var ex = Assert.Throws<InvalidIdentifierException>(() => index.Upsert(companyId, "k", null, "x"));
        Assert.Contains("ompany id", ex.Message);
        Assert.Throws<InvalidIdentifierException>(() => index.Search(companyId, "x", 1));
    }

    [Fact]
    public void Company_id_length_limits()
    {
        using var index = new KeywordIndex();
        index.Upsert(new string('a', 64), "k", null, "x");
        Assert.Throws<InvalidIdentifierException>(() => index.Upsert(new string('a', 65), "k", null, "x"));
        Assert.Throws<ArgumentNullException>(() => index.Upsert(null!, "k", null, "x"));
    }

    [Fact]
    public void Unknown_company_is_reported_by_name()
    {
        using var index = new KeywordIndex();
        var ex = Assert.Throws<CompanyNotFoundException>(() => index.Delete("nobody", "k"));
        Assert.Equal("nobody", ex.CompanyId);
    }
}
