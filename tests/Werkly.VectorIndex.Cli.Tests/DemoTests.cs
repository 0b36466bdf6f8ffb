using Werkly.VectorIndex.Cli.Commands;

namespace Werkly.VectorIndex.Cli.Tests;

public sealed class DemoTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>README command 1: nothing to configure, two companies, three questions each, sources, scores and timings.</summary>
    [Fact]
    public void Demo_ingests_two_companies_answers_from_the_right_documents_and_never_crosses_companies()
    {
        // Started outside the repository: the sample corpus is embedded in the tool. Its temporary
        // index goes under Path.GetTempPath(), which is $TMPDIR: a folder of this test's, checked afterwards.
        var temp = Directory.CreateDirectory(_folder.Combine("tmp")).FullName;
        var result = WerklyTool.Run(_folder.Path, new Dictionary<string, string> { ["TMPDIR"] = temp + Path.DirectorySeparatorChar }, TimeSpan.FromMinutes(3), "demo", "--top", "3");
        Assert.True(result.ExitCode == 0, result.ToString());
        var output = System.Text.RegularExpressions.Regex.Replace(result.Stdout, @"\s+", " ");
        Assert.Contains("No hit crossed companies", output, StringComparison.Ordinal);
        foreach (var (_, _, questions) in DemoCommand.Companies)
        {
            foreach (var question in questions)
                Assert.Contains(question, output, StringComparison.Ordinal);
        }
        // The top hit of each handbook question is the page that answers it.
        Assert.Matches(@"Q: How many vacation days do I get\? 1\. [\d.]+ vacation-policy\.md", output);
        Assert.Matches(@"Q: What is the hotel limit in Paris\? 1\. [\d.]+ (expenses|travel)\.md", output);
        // The commit question: min-max fusion put FORMAT.md first; the cross-validated default (DBSF, with feedback) puts
        // benchmarks/storage.md's "Crash stress" section first (vector #1, keyword #2) and FORMAT.md's commit protocol
        // second and third. One question does not outweigh 225 judged ones (docs/TUNING.md), so the page that answers
        // it must be in the first two.
        Assert.Matches(@"Q: How does a commit survive a crash or power loss\? 1\. [\d.]+ (FORMAT\.md|benchmarks/storage\.md (?:(?!Q:).)*? 2\. [\d.]+ FORMAT\.md)", output);
        Assert.Matches(@"\d+(\.\d)? ms", output);              // per-search timing
        Assert.Contains("werkly-docs", output, StringComparison.Ordinal);
        Assert.DoesNotContain("acme-handbook", result.Stderr, StringComparison.Ordinal);
        // The temporary index was made in the test's TMPDIR (its printed path may wrap, so whitespace is ignored) and removed afterwards.
        Assert.Matches(System.Text.RegularExpressions.Regex.Escape(Path.Combine(temp, "werkly-demo-")) + "[0-9a-f]{12}", System.Text.RegularExpressions.Regex.Replace(result.Stdout, @"\s+", ""));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp, "werkly-demo-*"));
    }

    [Fact]
    public void The_sample_corpus_is_embedded_in_the_tool()
    {
        var docs = DemoCommand.Corpus("werkly-docs");
        var handbook = DemoCommand.Corpus("acme");
        Assert.Equal(Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md", SearchOption.AllDirectories).Length, docs.Count);
        Assert.Contains(docs, d => d.Id == "FORMAT.md");
        Assert.Contains(docs, d => d.Id == "benchmarks/retrieval.md"); // sub-folders keep their relative path
        Assert.Equal(Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "samples", "acme-handbook"), "*.md").Order(StringComparer.Ordinal).Select(Path.GetFileName),
            handbook.Select(d => d.Id));
        Assert.All(handbook, d => Assert.Null(d.FilePath)); // read from the tool, not from disk
    }
}
