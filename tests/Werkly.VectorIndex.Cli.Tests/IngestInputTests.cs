using System.Text;

namespace Werkly.VectorIndex.Cli.Tests;

/// <summary>Issue 15, defects 2, 3 and 4 through the tool: what it does with odd files.</summary>
public sealed class IngestInputTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string IndexPath => _folder.Combine("index");

    private ToolResult Run(params string[] args) => WerklyTool.Run(_folder.Path, args);

    /// <summary>The issue's reproduction: <c>printf 'Le café est naïve. 日本語. stray \xff end.\n' > u8/mixed.txt</c> stored
    /// "Le cafÃ© est naÃ¯ve…", keyword search for "café naïve" found nothing, and nothing warned.</summary>
    [Fact]
    public void A_utf8_file_with_a_stray_byte_is_searchable_as_written_and_warned_about()
    {
        _folder.Write("u8/mixed.txt", [.. Encoding.UTF8.GetBytes("Le café est naïve. 日本語. stray "), 0xFF, .. " end.\n"u8.ToArray()]);
        var result = Run("ingest", "u8", "--company", "u", "--index", IndexPath, "--json");
        var json = result.Json();
        Assert.Equal(1, json.GetProperty("ingested").GetInt32());
        var warning = Assert.Single(json.GetProperty("warnings").EnumerateArray());
        Assert.Equal("mixed.txt", warning.GetProperty("document").GetString());
        Assert.Contains("U+FFFD", warning.GetProperty("warning").GetString(), StringComparison.Ordinal);
        Assert.Contains("'mixed.txt'", result.Stderr, StringComparison.Ordinal); // and on stderr for people

        var search = Run("search", "café naïve", "--company", "u", "--index", IndexPath, "--mode", "keyword", "--json").Json();
        var hit = Assert.Single(search.GetProperty("hits").EnumerateArray());
        Assert.Contains("Le café est naïve. 日本語. stray \uFFFD end.", hit.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The issue's PNG renamed image.html became 20+ chunks of binary garbage.</summary>
    [Fact]
    public void Binary_files_with_text_extensions_are_refused_and_named()
    {
        _folder.Write("site/index.html", "<html><body><h1>Welcome</h1><p>The office opens at eight.</p></body></html>");
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, (byte)'I', (byte)'H', (byte)'D', (byte)'R', .. Enumerable.Range(0, 4000).Select(i => (byte)(i * 7))];
        _folder.Write("site/image.html", png);
        _folder.Write("site/photo.md", png);

        var result = Run("ingest", "site", "--company", "web", "--index", IndexPath, "--json");
        Assert.True(result.ExitCode == 5, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.Equal(1, json.RootElement.GetProperty("ingested").GetInt32());
        Assert.Equal(["image.html", "photo.md"], json.RootElement.GetProperty("failures").EnumerateArray().Select(f => f.GetProperty("document").GetString()));
        Assert.Contains("PNG image", result.Stderr, StringComparison.Ordinal);
        var stats = Run("stats", "--index", IndexPath, "--company", "web", "--json").Json();
        Assert.Equal(["index.html"], stats.GetProperty("companies")[0].GetProperty("document_ids").EnumerateArray().Select(d => d.GetString()));
    }

    /// <summary>Empty and whitespace-only files were "ingested" on every run and counted in "company now holds" (8) while
    /// stats said 4; they are reported as skipped (empty), by name, once per run.</summary>
    [Fact]
    public void Empty_and_whitespace_only_files_are_skipped_as_empty_by_name_and_not_counted()
    {
        _folder.Write("docs/a.md", "# Parking\n\nVisitors park in the north lot.");
        _folder.Write("docs/b.txt", "The canteen opens at noon.");
        _folder.Write("docs/empty.txt", "");
        _folder.Write("docs/blank.md", "  \n\t\n");
        for (var run = 0; run < 2; run++)
        {
            var json = Run("ingest", "docs", "--company", "acme", "--index", IndexPath, "--json").Json();
            Assert.Equal(run == 0 ? 2 : 0, json.GetProperty("ingested").GetInt32());
            Assert.Equal(run == 0 ? 0 : 2, json.GetProperty("unchanged").GetInt32());
            Assert.Equal(2, json.GetProperty("empty").GetInt32());
            Assert.Equal(["blank.md", "empty.txt"], json.GetProperty("empty_documents").EnumerateArray().Select(d => d.GetString()));
            Assert.Equal(2, json.GetProperty("company_documents").GetInt32());
            var stats = Run("stats", "--index", IndexPath, "--json").Json();
            Assert.Equal(2, stats.GetProperty("documents").GetInt32()); // what ingest said the company holds
        }
        var human = Run("ingest", "docs", "--company", "acme", "--index", IndexPath);
        Assert.Equal(0, human.ExitCode);
        var text = System.Text.RegularExpressions.Regex.Replace(human.Stdout, @"\s+", " ");
        Assert.Contains("skipped (empty)", text, StringComparison.Ordinal);
        Assert.Contains("blank.md, empty.txt", text, StringComparison.Ordinal);
        Assert.Contains("2 documents", text, StringComparison.Ordinal);
    }

    /// <summary>Chunks longer than the model reads are cut when embedded (MiniLM reads 256 tokens): the summary says how
    /// many, so a user who chose character chunks learns that their ends are not embedded. The default chunking, sized by
    /// the model's tokens, leaves none.</summary>
    [Fact]
    public void Ingest_reports_chunks_truncated_at_the_models_token_limit()
    {
        // Dense technical text: 1,000 characters of it run past MiniLM's 256 tokens.
        _folder.Write("dense/registers.txt", string.Join(' ', Enumerable.Range(0, 400).Select(i => $"x{i}=0x{i * 7919:X6};")));

        var byChars = Run("ingest", "dense", "--company", "acme", "--index", IndexPath, "--chunk-chars", "1000", "--json");
        var json = byChars.Json();
        var truncated = json.GetProperty("chunks_truncated").GetInt32();
        Assert.True(truncated > 0 && truncated <= json.GetProperty("chunks").GetInt32(), byChars.ToString());

        var human = Run("ingest", "dense", "--company", "other", "--index", IndexPath, "--chunk-chars", "1000");
        Assert.True(human.ExitCode == 0, human.ToString());
        Assert.Contains("chunks truncated", human.Stdout, StringComparison.Ordinal);
        Assert.Contains("longer than the model reads", human.Stderr, StringComparison.Ordinal);

        var byTokens = Run("ingest", "dense", "--company", "tokens", "--index", IndexPath, "--json").Json();
        Assert.Equal(0, byTokens.GetProperty("chunks_truncated").GetInt32());
        Assert.True(byTokens.GetProperty("chunks").GetInt32() > json.GetProperty("chunks").GetInt32());

        var bad = Run("ingest", "dense", "--company", "acme", "--index", IndexPath, "--chunk-chars", "5");
        Assert.True(bad.ExitCode == 2, bad.ToString());
    }
}
