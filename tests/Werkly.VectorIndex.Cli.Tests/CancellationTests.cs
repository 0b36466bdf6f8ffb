using System.Diagnostics;
using System.Text;

namespace Werkly.VectorIndex.Cli.Tests;

public sealed class CancellationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>SIGINT (what Ctrl+C sends) halfway through an ingest: exit code 130, a message, and an index that holds
    /// whole documents only — finishing the ingest afterwards skips exactly the documents already in.</summary>
    /// <remarks>Synchronous on purpose: the polling loop must not depend on xunit's synchronization context getting a
    /// thread while the child saturates both cores.</remarks>
    [Fact]
    public void Ctrl_C_stops_an_ingest_cleanly_and_the_next_run_finishes_it()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            return; // needs kill -INT; Windows has no SIGINT to send to another process

        const int documents = 400;
        for (var i = 0; i < documents; i++)
        {
            var words = string.Join(' ', Enumerable.Range(0, 80).Select(w => $"topic{(i * 7 + w) % 997}"));
            _folder.Write($"corpus/doc{i:D3}.txt", $"Document {i}. {words}");
        }
        var index = _folder.Combine("index");

        using var process = WerklyTool.Start(_folder.Path, defaultSigint: true, "ingest", "corpus", "--company", "bulk", "--index", index, "--json");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (stdout) stdout.Append(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Wait for the first commit that wrote chunks (a segment file appears), so the signal lands mid-run with part
        // of the corpus written.
        var clock = Stopwatch.StartNew();
        while (!HasSegment(index) && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
            Thread.Sleep(20);
        Assert.False(process.HasExited, $"The ingest finished before it could be interrupted: {stderr}");

        // While it writes: a reader works alongside, a second writer is turned away with exit code 6.
        var reader = WerklyTool.Run(_folder.Path, "stats", "--index", index, "--json").Json();
        Assert.True(reader.GetProperty("documents").GetInt32() >= 1);
        var writer = WerklyTool.Run(_folder.Path, "delete", "--company", "bulk", "--document", "doc000.txt", "--index", index);
        Assert.True(writer.ExitCode == 6, writer.ToString());
        Assert.Contains("Wait for the other", writer.Stderr, StringComparison.Ordinal);
        SendSigint(process.Id);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "The ingest did not stop within a minute of SIGINT.");
        process.WaitForExit(); // drains the output events

        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {stderr} stdout: {stdout}");
        Assert.Contains("Cancelled", stderr.ToString(), StringComparison.Ordinal);
        using (var error = System.Text.Json.JsonDocument.Parse(stdout.ToString())) // --json: scripts get an error object
            Assert.Equal("canceled", error.RootElement.GetProperty("error").GetProperty("code").GetString());

        var stats = WerklyTool.Run(_folder.Path, "stats", "--index", index, "--company", "bulk", "--json").Json();
        var company = stats.GetProperty("companies")[0];
        var written = company.GetProperty("documents").GetInt32();
        Assert.InRange(written, 1, documents - 1);
        // Each of these short documents (about 700 characters) is one chunk: a document is in with its chunk or not at all.
        Assert.Equal(written, company.GetProperty("chunks").GetInt32());

        var rest = WerklyTool.Run(_folder.Path, "ingest", "corpus", "--company", "bulk", "--index", index, "--json").Json();
        Assert.Equal(written, rest.GetProperty("unchanged").GetInt32());
        Assert.Equal(documents - written, rest.GetProperty("ingested").GetInt32());
        Assert.Equal(documents, rest.GetProperty("company_documents").GetInt32());
    }

    private static bool HasSegment(string index) =>
        Directory.Exists(index) && Directory.EnumerateFiles(index, "seg-*").Any();

    /// <summary>What Ctrl+C sends, through the shell's builtin kill (present wherever /bin/sh is).</summary>
    internal static void SendSigint(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", $"kill -INT {pid}"]) { RedirectStandardError = true, UseShellExecute = false })!;
        var error = kill.StandardError.ReadToEnd();
        kill.WaitForExit();
        Assert.True(kill.ExitCode == 0, $"kill -INT {pid} failed: {error}");
    }
}
