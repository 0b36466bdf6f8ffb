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

    /// <summary>Issue 15, defect 1: options that do not exist were ignored (a misspelt --dry-run ingested for real,
    /// --mod ran the default mode, --compnay listed every company).</summary>
    [Fact]
    public void Unknown_options_exit_2_and_are_named()
    {
        _folder.Write("dry/a.md", "# A\n\nSome text.");
        var index = _folder.Combine("index");
        foreach (var (args, option) in new[]
        {
            (new[] { "ingest", "dry", "--company", "drytest", "--index", index, "--dry-rn" }, "dry-rn"),
            (new[] { "search", "gzip", "--company", "debian", "--mod", "keyword" }, "mod"),
            (new[] { "stats", "--compnay", "acme" }, "compnay"),
        })
        {
            var result = Run(args);
            Assert.True(result.ExitCode == 2, $"{string.Join(' ', args)}: {result}");
            Assert.Contains($"Unknown option '{option}'", result.Stderr, StringComparison.OrdinalIgnoreCase);
        }
        Assert.False(Directory.Exists(index)); // nothing was ingested
    }

    /// <summary>Issue 15, defect 8: with --json, a failure prints a JSON error object on stdout, whatever failed.</summary>
    [Fact]
    public void With_json_every_error_is_a_json_object_on_stdout()
    {
        foreach (var (args, code, exit) in new[]
        {
            (new[] { "search", "anything", "--company", "acme", "--json" }, "index_not_found", 3),
            (new[] { "search", "anything", "--company", "acme", "--mod", "x", "--json" }, "usage", 2),
            (new[] { "stats", "--json", "--company", "not valid!" }, "usage", 2),
            (new[] { "ingest", "no-such-folder", "--company", "acme", "--json" }, "unreadable_input", 5),
        })
        {
            var result = Run(args);
            Assert.True(result.ExitCode == exit, $"{string.Join(' ', args)}: {result}");
            var text = result.Stdout.Trim();
            Assert.DoesNotContain('\n', text);
            using var json = System.Text.Json.JsonDocument.Parse(text);
            var error = json.RootElement.GetProperty("error");
            Assert.Equal(code, error.GetProperty("code").GetString());
            Assert.Equal(exit, error.GetProperty("exit_code").GetInt32());
            Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
            Assert.Contains(error.GetProperty("message").GetString()!, result.Stderr, StringComparison.Ordinal); // the same words on stderr
        }
    }

    /// <summary>Issue 15, defect 5: '--company ACME' when 'acme' exists was reported as an unreadable file (exit 5) with a
    /// parameter name in the message, and the summary claimed the company held the document. The id is checked against
    /// the index before any document is read: exit 2, naming the existing spelling.</summary>
    [Fact]
    public void A_company_id_that_differs_only_in_case_exits_2_before_ingesting_and_names_the_existing_spelling()
    {
        _folder.Write("docs/parking.md", "# Parking\n\nVisitors park in the north lot.");
        _folder.Write("more/canteen.md", "# Canteen\n\nLunch is served from noon.");
        var index = _folder.Combine("index");
        var created = Run("ingest", "docs", "--company", "acme", "--index", index);
        Assert.True(created.ExitCode == 0, created.ToString());

        foreach (var extra in new[] { Array.Empty<string>(), ["--dry-run"], ["--json"] })
        {
            var result = Run([.. new[] { "ingest", "more", "--company", "ACME", "--index", index }, .. extra]);
            Assert.True(result.ExitCode == 2, $"{string.Join(' ', extra)}: {result}");
            Assert.Contains("differs only in case from the existing company 'acme'", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Parameter", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("companyId", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("could not be read", result.Stderr, StringComparison.Ordinal);
            if (extra is ["--json"])
            {
                using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
                Assert.Equal("usage", json.RootElement.GetProperty("error").GetProperty("code").GetString());
            }
        }

        var stats = Run("stats", "--index", index, "--json").Json();
        var company = Assert.Single(stats.GetProperty("companies").EnumerateArray());
        Assert.Equal("acme", company.GetProperty("company").GetString());
        Assert.Equal(1, company.GetProperty("documents").GetInt32()); // canteen.md went nowhere
    }

    /// <summary>Issue 15, defect 6: ingest and delete in a read-only index folder said "opened for writing by another
    /// process". They say the folder is not writable (exit 6), and the index is left as it was.</summary>
    [Fact]
    public void A_read_only_index_folder_is_reported_as_not_writable_not_as_locked()
    {
        if (!OperatingSystem.IsLinux())
            return; // Unix permissions and setpriv; Windows ACLs are another test
        _folder.Write("docs/parking.md", "# Parking\n\nVisitors park in the north lot.");
        var index = _folder.Combine("index");
        var created = Run("ingest", "docs", "--company", "acme", "--index", index);
        Assert.True(created.ExitCode == 0, created.ToString());
        _folder.Write("docs/canteen.md", "# Canteen\n\nLunch is served from noon.");

        var readOnly = UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        var before = Directory.GetFiles(index).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), new FileInfo(f).Length)).ToList();
        var files = Directory.GetFiles(index).ToDictionary(f => f, File.GetUnixFileMode);
        foreach (var file in files.Keys) File.SetUnixFileMode(file, readOnly & ~(UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute));
        var mode = File.GetUnixFileMode(index);
        File.SetUnixFileMode(index, readOnly);
        try
        {
            foreach (var args in new[]
            {
                new[] { "ingest", "docs", "--company", "acme", "--index", index },
                new[] { "delete", "--company", "acme", "--index", index },
            })
            {
                var result = WerklyTool.RunUnprivileged(_folder.Path, args);
                Assert.True(result.ExitCode == 6, $"{args[0]}: {result}");
                Assert.Contains("not writable", result.Stderr, StringComparison.Ordinal);
                Assert.DoesNotContain("another process", result.Stderr, StringComparison.Ordinal);
            }
            var search = WerklyTool.RunUnprivileged(_folder.Path, "search", "north lot", "--company", "acme", "--index", index, "--mode", "keyword", "--json");
            Assert.True(search.ExitCode == 0, search.ToString()); // reading needs no write access
        }
        finally
        {
            File.SetUnixFileMode(index, mode);
            foreach (var (file, fileMode) in files) File.SetUnixFileMode(file, fileMode);
        }
        Assert.Equal(before, Directory.GetFiles(index).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), new FileInfo(f).Length)).ToList());
    }

    /// <summary>Issue 15, defect 10: '--index' naming a file said "No index at".</summary>
    [Fact]
    public void An_index_path_that_is_a_file_is_named_as_such()
    {
        var file = _folder.Write("notes.txt", "just a file");
        foreach (var args in new[] { new[] { "search", "x", "--company", "acme", "--index", file }, new[] { "stats", "--index", file } })
        {
            var result = Run(args);
            Assert.True(result.ExitCode == 3, result.ToString());
            Assert.Contains("is a file, not an index folder", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("No index at", result.Stderr, StringComparison.Ordinal);
        }
    }

    /// <summary>Issue 15, defect 10: the exit-code list was repeated in all six command descriptions. It is printed once,
    /// by 'werkly --help'; each command's help points there.</summary>
    [Fact]
    public void The_exit_codes_are_listed_once_in_the_root_help_and_command_help_points_to_them()
    {
        var root = Run("--help");
        Assert.True(root.ExitCode == 0, root.ToString());
        var text = System.Text.RegularExpressions.Regex.Replace(root.Stdout, @"\s+", " ");
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(text, "EXIT CODES"));
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(text, "130 cancelled"));
        Assert.Contains("6 index damaged, too new, locked by another writer, or not writable", text, StringComparison.Ordinal);

        foreach (var command in new[] { "ingest", "search", "stats", "delete", "eval", "demo", "config" })
        {
            var result = Run(command, "--help");
            Assert.True(result.ExitCode == 0, result.ToString());
            var help = System.Text.RegularExpressions.Regex.Replace(result.Stdout, @"\s+", " "); // undo the wrapping at the console width
            Assert.Contains("see 'werkly --help'", help, StringComparison.Ordinal);
            Assert.DoesNotContain("130", help, StringComparison.Ordinal);
            if (command is not ("eval" or "demo"))
                Assert.Contains(".werkly", help, StringComparison.Ordinal); // the default index folder
        }
    }
}
