using System.Diagnostics;

namespace Werkly.VectorIndex.Cli.Tests;

public sealed class CancellationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>SIGINT (what Ctrl+C sends) halfway through an ingest: exit code 130, a message, and an index that holds
    /// whole documents only — finishing the ingest afterwards skips exactly the documents already in.</summary>
    [Fact]
    public async Task Ctrl_C_stops_an_ingest_cleanly_and_the_next_run_finishes_it()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            return; // needs kill -INT; Windows has no SIGINT to send to another process

        const int documents = 400;
        for (var i = 0; i < documents; i++)
        {
            var words = string.Join(' ', Enumerable.Range(0, 160).Select(w => $"topic{(i * 7 + w) % 997}"));
            _folder.Write($"corpus/doc{i:D3}.txt", $"Document {i}. {words}");
        }
        var index = _folder.Combine("index");

        using var process = WerklyTool.Start(_folder.Path, "ingest", "corpus", "--company", "bulk", "--index", index, "--json");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // Wait for the first commit (the manifest appears), so the signal lands mid-run with documents already written.
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(index, "MANIFEST")) && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
            await Task.Delay(20);
        Assert.False(process.HasExited, $"The ingest finished before it could be interrupted: {await stderr}");
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            kill.WaitForExit();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
            await process.WaitForExitAsync(timeout.Token);
        var error = await stderr;

        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {error}");
        Assert.Contains("Cancelled", error, StringComparison.Ordinal);
        Assert.Equal("", await stdout);

        var stats = WerklyTool.Run(_folder.Path, "stats", "--index", index, "--company", "bulk", "--json").Json();
        var company = stats.GetProperty("companies")[0];
        var written = company.GetProperty("documents").GetInt32();
        Assert.InRange(written, 1, documents - 1);
        // Each of these short documents is one chunk: a document is in with its chunk or not at all.
        Assert.Equal(written, company.GetProperty("chunks").GetInt32());

        var rest = WerklyTool.Run(_folder.Path, "ingest", "corpus", "--company", "bulk", "--index", index, "--json").Json();
        Assert.Equal(written, rest.GetProperty("unchanged").GetInt32());
        Assert.Equal(documents - written, rest.GetProperty("ingested").GetInt32());
        Assert.Equal(documents, rest.GetProperty("company_documents").GetInt32());
    }
}
