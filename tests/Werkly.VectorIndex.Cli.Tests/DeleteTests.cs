namespace Werkly.VectorIndex.Cli.Tests;

public sealed class DeleteTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string IndexPath => _folder.Combine("index");

    private ToolResult Run(params string[] args) => WerklyTool.Run(_folder.Path, args);

    [Fact]
    public void Deleting_a_document_removes_its_chunks_and_deleting_the_company_removes_it()
    {
        Corpora.WriteAcme(_folder);
        Corpora.WriteGlobex(_folder);
        Run("ingest", "acme", "--company", "acme", "--index", IndexPath, "--json").Json();
        Run("ingest", "globex", "--company", "globex", "--index", IndexPath, "--json").Json();

        var deleted = Run("delete", "--company", "acme", "--document", "policies/travel.md", "--index", IndexPath, "--json").Json();
        Assert.True(deleted.GetProperty("chunks_deleted").GetInt32() >= 1);
        var search = Run("search", "hotel limit in Paris", "--company", "acme", "--index", IndexPath, "--mode", "keyword", "--top", "10", "--json").Json();
        Assert.DoesNotContain(search.GetProperty("hits").EnumerateArray(), h => h.GetProperty("document").GetString() == "policies/travel.md");
        var stats = Run("stats", "--index", IndexPath, "--company", "acme", "--json").Json();
        Assert.Equal(["faq.txt", "policies/vacation.md"], stats.GetProperty("companies")[0].GetProperty("document_ids").EnumerateArray().Select(d => d.GetString()));

        var again = Run("delete", "--company", "acme", "--document", "policies/travel.md", "--index", IndexPath);
        Assert.Equal(4, again.ExitCode);
        Assert.Contains("werkly stats --company acme", again.Stderr, StringComparison.Ordinal);

        Run("delete", "--company", "acme", "--index", IndexPath, "--json").Json();
        var after = Run("stats", "--index", IndexPath, "--json").Json();
        Assert.Equal(["globex"], after.GetProperty("companies").EnumerateArray().Select(c => c.GetProperty("company").GetString()));
        var gone = Run("search", "vacation", "--company", "acme", "--index", IndexPath);
        Assert.Equal(4, gone.ExitCode);
        Assert.Contains("globex", gone.Stderr, StringComparison.Ordinal); // names the companies that do exist
    }
}
