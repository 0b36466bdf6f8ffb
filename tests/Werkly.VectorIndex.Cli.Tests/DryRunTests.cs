namespace Werkly.VectorIndex.Cli.Tests;

/// <summary>'werkly ingest --dry-run': what would be added, replaced, skipped or deleted, and why, with nothing written.</summary>
public sealed class DryRunTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string IndexPath => _folder.Combine("index");

    private ToolResult Run(params string[] args) => WerklyTool.Run(_folder.Path, args);

    [Fact]
    public void A_dry_run_without_an_index_lists_everything_as_added_and_creates_nothing()
    {
        Corpora.WriteAcme(_folder);
        _folder.Write("acme/notes.xyz", "unsupported");
        var json = Run("ingest", "acme", "--company", "acme", "--index", IndexPath, "--dry-run", "--json").Json();
        Assert.True(json.GetProperty("dry_run").GetBoolean());
        Assert.Equal(3, json.GetProperty("add").GetInt32());
        Assert.Equal(1, json.GetProperty("skip").GetInt32());
        var notes = json.GetProperty("documents").EnumerateArray().Single(d => d.GetProperty("document").GetString() == "notes.xyz");
        Assert.Equal(("skip", "unsupported format"), (notes.GetProperty("action").GetString(), notes.GetProperty("reason").GetString()));
        Assert.True(json.GetProperty("chunks_to_embed").GetInt32() >= 3);
        Assert.False(Directory.Exists(IndexPath));
    }

    [Fact]
    public void A_dry_run_names_each_change_and_its_reason_and_the_index_is_untouched()
    {
        Corpora.WriteAcme(_folder);
        Run("ingest", "acme", "--company", "acme", "--index", IndexPath, "--json").Json();
        _folder.Write("acme/policies/travel.md", "# Business travel\n\nAll travel is booked through the travel desk.");
        _folder.Write("acme/new.md", "# Parking\n\nVisitors park in the north lot.");
        _folder.Write("acme/blank.txt", "   ");
        File.Delete(_folder.Combine("acme", "faq.txt"));
        var before = Directory.GetFiles(IndexPath).Select(f => (Path.GetFileName(f), File.GetLastWriteTimeUtc(f), new FileInfo(f).Length)).Order().ToList();

        var json = Run("ingest", "acme", "--company", "acme", "--index", IndexPath, "--sync", "--dry-run", "--json").Json();
        var actions = json.GetProperty("documents").EnumerateArray().ToDictionary(d => d.GetProperty("document").GetString()!, d => (d.GetProperty("action").GetString(), d.GetProperty("reason").GetString()));
        Assert.Equal(("add", "new"), actions["new.md"]);
        Assert.Equal("replace", actions["policies/travel.md"].Item1);
        Assert.Equal(("skip", "unchanged (same content hash)"), actions["policies/vacation.md"]);
        Assert.Equal(("skip", "empty: no text to index"), actions["blank.txt"]);
        Assert.Equal(("delete", "no longer in the input"), actions["faq.txt"]);
        Assert.Equal((1, 1, 2, 1), (json.GetProperty("add").GetInt32(), json.GetProperty("replace").GetInt32(), json.GetProperty("skip").GetInt32(), json.GetProperty("delete").GetInt32()));

        var after = Directory.GetFiles(IndexPath).Select(f => (Path.GetFileName(f), File.GetLastWriteTimeUtc(f), new FileInfo(f).Length)).Order().ToList();
        Assert.Equal(before, after);
        var stats = Run("stats", "--index", IndexPath, "--company", "acme", "--json").Json();
        Assert.Equal(Corpora.AcmeDocuments, stats.GetProperty("companies")[0].GetProperty("document_ids").EnumerateArray().Select(d => d.GetString()));

        // Without --sync nothing is deleted, and the human output says so.
        var human = Run("ingest", "acme", "--company", "acme", "--index", IndexPath, "--dry-run");
        Assert.Equal(0, human.ExitCode);
        var text = System.Text.RegularExpressions.Regex.Replace(human.Stdout, @"\s+", " ");
        Assert.Contains("Would add 1, replace 1, skip 2 and delete 0 documents", text, StringComparison.Ordinal);
        Assert.Contains("without --sync", text, StringComparison.Ordinal);
    }
}
