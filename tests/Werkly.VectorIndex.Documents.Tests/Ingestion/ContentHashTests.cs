using Werkly.VectorIndex.Documents.Ingestion;

namespace Werkly.VectorIndex.Documents.Tests.Ingestion;

public class ContentHashTests
{
    [Fact]
    public void Hash_is_lowercase_sha256_hex()
    {
        var hash = ContentHash.Compute("hello");
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(hash, ContentHash.Compute("hello"));
    }

    [Theory]
    [InlineData("line one\nline two", "line one\r\nline two\r\n")]
    [InlineData("line one\nline two", "line one   \nline two\t\n\n\n")]
    [InlineData("text", "\n\ntext\n")]
    public void Invisible_differences_do_not_change_the_hash(string a, string b) =>
        Assert.Equal(ContentHash.Compute(a), ContentHash.Compute(b));

    [Theory]
    [InlineData("Vacation: 25 days", "Vacation: 26 days")]
    [InlineData("Case", "case")]
    [InlineData("two  spaces", "two spaces")]
    [InlineData("indent", "  indent")]
    public void Visible_differences_change_the_hash(string a, string b) =>
        Assert.NotEqual(ContentHash.Compute(a), ContentHash.Compute(b));

    [Fact]
    public void Salt_changes_the_hash() =>
        Assert.NotEqual(ContentHash.Compute("same text", "fixed-size/v1/size=1000/overlap=200"), ContentHash.Compute("same text", "semantic/v1/max=1000/min=200"));
}
