namespace Werkly.VectorIndex.Cli.Tests;

/// <summary>Every failure a user can cause exits with its documented code and a stderr message saying what to do.</summary>
public sealed class ErrorTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private ToolResult Run(params string[] args) => WerklyTool.Run(_folder.Path, args);

    [Fact]
    public void A_missing_index_exits_3_and_says_to_ingest_first()
    {
        foreach (var args in new[]
        {
            new[] { "search", "anything", "--company", "acme" },            // default ./.werkly, absent here
            new[] { "stats", "--index", _folder.Combine("nowhere") },
            new[] { "delete", "--company", "acme", "--index", _folder.Combine("nowhere") },
        })
        {
            var result = Run(args);
            Assert.True(result.ExitCode == 3, result.ToString());
            Assert.Contains("werkly ingest", result.Stderr, StringComparison.Ordinal);
            Assert.Equal("", result.Stdout);
        }
        Assert.False(Directory.Exists(_folder.Combine(".werkly"))); // a read never creates an index
    }

    [Fact]
    public void A_folder_that_is_not_an_index_exits_3()
    {
        _folder.Write("notes/readme.md", "# Not an index");
        var result = Run("stats", "--index", _folder.Combine("notes"));
        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("holds no werkly index", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_refuses_to_create_an_index_inside_a_folder_of_other_files()
    {
        _folder.Write("docs/good.md", "# Parking\n\nVisitors park in the north lot.");
        var result = Run("ingest", "docs", "--company", "acme", "--index", _folder.Combine("docs"));
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("Pick another --index", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(["good.md"], Directory.GetFileSystemEntries(_folder.Combine("docs")).Select(Path.GetFileName));
    }

    [Fact]
    public void Unreadable_and_unsupported_files_exit_5_and_name_the_file_while_the_rest_is_ingested()
    {
        _folder.Write("docs/good.md", "# Parking\n\nVisitors park in the north lot.");
        _folder.Write("docs/broken.pdf", "this is not a PDF"u8.ToArray());
        _folder.Write("docs/image.xyz", [1, 2, 3]);
        var index = _folder.Combine("index");

        var result = Run("ingest", "docs", "--company", "acme", "--index", index, "--json");
        Assert.True(result.ExitCode == 5, result.ToString());
        Assert.Contains("broken.pdf", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("image.xyz", result.Stderr, StringComparison.Ordinal); // skipped with a warning
        var json = System.Text.Json.JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(1, json.GetProperty("ingested").GetInt32());
        Assert.Equal(1, json.GetProperty("failed").GetInt32());
        Assert.Equal(1, json.GetProperty("skipped").GetInt32());
        Assert.Equal("broken.pdf", json.GetProperty("failures")[0].GetProperty("document").GetString());

        var search = Run("search", "where do visitors park", "--company", "acme", "--index", index, "--json").Json();
        Assert.Equal("good.md", search.GetProperty("hits")[0].GetProperty("document").GetString());

        var single = Run("ingest", "docs/image.xyz", "--company", "acme", "--index", index);
        Assert.True(single.ExitCode == 5, single.ToString());
        Assert.Contains("unsupported format", single.Stderr, StringComparison.Ordinal);

        var missing = Run("ingest", "no-such-folder", "--company", "acme", "--index", index);
        Assert.True(missing.ExitCode == 5, missing.ToString());
        Assert.Contains("does not exist", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_command_lines_exit_2()
    {
        foreach (var args in new[]
        {
            new[] { "search", "x", "--company", "not valid!" },
            new[] { "search", "x" },                                         // --company missing
            new[] { "search", "x", "--company", "acme", "--mode", "fuzzy" },
            new[] { "search", "x", "--company", "acme", "--top", "0" },
            new[] { "eval", RepositoryPaths.Cranfield },                     // --mode missing
            new[] { "frobnicate" },
        })
        {
            var result = Run(args);
            Assert.True(result.ExitCode == 2, $"{string.Join(' ', args)}: {result}");
            Assert.NotEqual("", result.Stderr.Trim());
        }
    }

    [Theory]
    [InlineData("ingest")]
    [InlineData("search")]
    [InlineData("stats")]
    [InlineData("delete")]
    [InlineData("eval")]
    [InlineData("demo")]
    public void Every_commands_help_renders_and_documents_the_exit_codes(string command)
    {
        var result = Run(command, "--help");
        Assert.True(result.ExitCode == 0, result.ToString());
        var help = System.Text.RegularExpressions.Regex.Replace(result.Stdout, @"\s+", " "); // undo the wrapping at the console width
        Assert.Contains("Exit codes", help, StringComparison.Ordinal);
        Assert.Contains("130 cancelled", help, StringComparison.Ordinal);
        if (command is not ("eval" or "demo"))
            Assert.Contains(".werkly", help, StringComparison.Ordinal); // the default index folder
    }
}
