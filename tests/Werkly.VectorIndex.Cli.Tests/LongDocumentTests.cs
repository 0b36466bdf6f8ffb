using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Werkly.VectorIndex.Cli.Commands;

namespace Werkly.VectorIndex.Cli.Tests;

/// <summary>Issue 15, defect 7: a long document showed "1 documents 0%" for minutes, printed nothing when output was not
/// a terminal, and Ctrl+C threw away all its embedding work.</summary>
public sealed partial class LongDocumentTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [GeneratedRegex(@"werkly: progress: bulk: 0 of 1 documents · long\.txt: chunk (?<done>\d+) of (?<total>[\d,]+) \(about (\d+h)?(\d+m)?\d+s left\)")]
    private static partial Regex ProgressLine();

    [GeneratedRegex(@"Kept the embeddings of (?<kept>\d+) chunks in '(?<path>[^']+)'")]
    private static partial Regex KeptNote();

    /// <summary>Output redirected (as in CI or a log file): plain progress lines on stderr naming the chunk reached in the
    /// long document and the time left. Ctrl+C in the middle exits 130 but keeps the embedded chunks; the next run reuses
    /// them and embeds only the rest.</summary>
    /// <remarks>Synchronous, like <see cref="CancellationTests"/>: waiting must not depend on a thread of xunit's context.</remarks>
    [Fact]
    public void A_long_document_prints_progress_lines_and_ctrl_c_keeps_its_embeddings_for_the_next_run()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            return; // needs kill -INT
        var text = new StringBuilder();
        for (var paragraph = 0; text.Length < 400_000; paragraph++)
            text.Append(CultureInvariant($"Paragraph {paragraph}: ")).AppendJoin(' ', Enumerable.Range(0, 60).Select(w => $"term{(paragraph * 31 + w * 7) % 4999}")).Append("\n\n");
        _folder.Write("corpus/long.txt", text.ToString());
        var index = _folder.Combine("index");

        using var process = WerklyTool.Start(_folder.Path, defaultSigint: true, "ingest", "corpus", "--company", "bulk", "--index", index);
        var stderr = new StringBuilder();
        string? firstLine = null;
        using var seen = new ManualResetEventSlim();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr) stderr.AppendLine(e.Data);
            if (e.Data is { } line && ProgressLine().IsMatch(line) && Interlocked.CompareExchange(ref firstLine, line, null) is null) seen.Set();
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        Assert.True(seen.Wait(TimeSpan.FromMinutes(3)), $"no progress line within the long document: {stderr}");
        var progress = ProgressLine().Match(firstLine!);
        var total = int.Parse(progress.Groups["total"].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(int.Parse(progress.Groups["done"].Value, System.Globalization.CultureInfo.InvariantCulture), 1, total - 1);
        Assert.True(total > 300, $"{total} chunks: the document must be long enough to interrupt");

        CancellationTests.SendSigint(process.Id);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "the ingest did not stop within a minute of SIGINT");
        process.WaitForExit();
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {stderr}");
        var kept = KeptNote().Match(stderr.ToString());
        Assert.True(kept.Success, stderr.ToString());
        var keptChunks = int.Parse(kept.Groups["kept"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(keptChunks, 1, total - 1);
        Assert.Equal(Path.Combine(index, IngestCommand.ResumeFileName), kept.Groups["path"].Value);
        Assert.True(File.Exists(kept.Groups["path"].Value));
        var stats = WerklyTool.Run(_folder.Path, "stats", "--index", index, "--json").Json();
        Assert.Equal(0, stats.GetProperty("documents").GetInt32()); // the document itself is all or nothing

        var rest = WerklyTool.Run(_folder.Path, TimeSpan.FromMinutes(10), "ingest", "corpus", "--company", "bulk", "--index", index, "--json").Json();
        Assert.Equal(1, rest.GetProperty("ingested").GetInt32());
        Assert.Equal(total, rest.GetProperty("chunks").GetInt32());
        Assert.True(rest.GetProperty("embeddings_reused").GetInt64() >= keptChunks, rest.ToString());
        Assert.False(File.Exists(kept.Groups["path"].Value)); // a finished ingest removes it
    }

    private static string CultureInvariant(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
