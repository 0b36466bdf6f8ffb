using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Werkly.VectorIndex.Cli.Commands;
using Werkly.VectorIndex.Cli.Sync;
using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Indexing;

namespace Werkly.VectorIndex.Cli.Tests;

/// <summary>'werkly ingest --watch': a folder kept in sync — new, changed, renamed and deleted files — after a quiet period.</summary>
public sealed class WatchTests : IDisposable
{
    private static readonly TimeSpan PassTimeout = TimeSpan.FromMinutes(2);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_watcher_mirrors_created_changed_renamed_and_deleted_files_and_stops_when_cancelled()
    {
        Corpora.WriteAcme(_folder);
        var root = _folder.Combine("acme");
        using var generator = EmbeddingModel.CreateDeferred();
        using var index = DocumentIndex.Open(_folder.Combine("index"), generator);
        var ingestor = IngestCommand.CreateIngestor(index, generator, new FixedSizeChunker());
        var watcher = new FolderWatcher(root, "acme", ingestor, index, TimeSpan.FromMilliseconds(300));
        var passes = Channel.CreateUnbounded<SyncPass>();
        using var cancellation = new CancellationTokenSource();
        var run = watcher.RunAsync(pass => passes.Writer.WriteAsync(pass), cancellation.Token);

        // The first pass mirrors the folder as it is.
        var first = await NextAsync(passes);
        Assert.True(first.Full);
        Assert.Equal(3, first.Result.DocumentsIngested);
        Assert.Equal(Corpora.AcmeDocuments, await IdsAsync(index));

        // A new file, in a new folder.
        _folder.Write("acme/handbook/parking.md", "# Parking\n\nVisitors park in the north lot.");
        await UntilAsync(passes, () => IdsAsync(index), ids => ids.Contains("handbook/parking.md"));
        Assert.Equal("handbook/parking.md", (await index.SearchAsync("acme", "where do visitors park", SearchMode.Keyword))[0].DocumentId);

        // A changed file: its old text is gone from search.
        _folder.Write("acme/policies/travel.md", "# Business travel\n\nAll travel is booked through the travel desk.");
        await UntilAsync(passes, () => TopTextAsync(index, "travel desk"), text => text.Contains("travel desk", StringComparison.Ordinal));
        Assert.DoesNotContain(await index.SearchAsync("acme", "220 EUR Paris London Tokyo", SearchMode.Keyword, top: 10),
            h => h.Text.Contains("220 EUR", StringComparison.Ordinal));

        // A renamed file and a deleted folder.
        File.Move(_folder.Combine("acme", "faq.txt"), _folder.Combine("acme", "questions.txt"));
        Directory.Delete(_folder.Combine("acme", "handbook"), recursive: true);
        await UntilAsync(passes, () => IdsAsync(index), ids => ids.SequenceEqual(["policies/travel.md", "policies/vacation.md", "questions.txt"]));

        // Hidden files are ignored, as by ingest; a burst of writes to one file is applied once, after the quiet period.
        _folder.Write("acme/.draft.md", "# Draft\n\nNot for the index.");
        for (var i = 0; i < 5; i++)
            _folder.Write("acme/policies/vacation.md", $"# Vacation\n\nEvery Acme employee gets {25 + i} vacation days per year.");
        await UntilAsync(passes, () => TopTextAsync(index, "vacation days per year"), text => text.Contains("29 vacation days", StringComparison.Ordinal));
        Assert.DoesNotContain(".draft.md", await IdsAsync(index));

        cancellation.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run).WaitAsync(PassTimeout);
        Assert.False(watcher.PassInProgress);
    }

    /// <summary>The command: a JSON line per pass, and Ctrl+C ends the watch with exit code 0.</summary>
    [Fact]
    public void The_command_prints_a_json_line_per_pass_and_ctrl_c_ends_it_with_exit_code_0()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            return; // needs kill -INT
        _folder.Write("docs/a.md", "# Parking\n\nVisitors park in the north lot.");
        var index = _folder.Combine("index");
        using var process = WerklyTool.Start(_folder.Path, defaultSigint: true, "ingest", "docs", "--company", "acme", "--index", index, "--watch", "--json", "--debounce-ms", "200");
        var lines = Channel.CreateUnbounded<string>();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) lines.Writer.TryWrite(line); };
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using (var first = System.Text.Json.JsonDocument.Parse(Next(lines, process, stderr)))
        {
            Assert.True(first.RootElement.GetProperty("full").GetBoolean());
            Assert.Equal(1, first.RootElement.GetProperty("ingested").GetInt32());
        }
        _folder.Write("docs/b.md", "# Canteen\n\nThe canteen opens at noon.");
        using (var second = System.Text.Json.JsonDocument.Parse(Next(lines, process, stderr)))
        {
            Assert.False(second.RootElement.GetProperty("full").GetBoolean());
            Assert.Equal("b.md", second.RootElement.GetProperty("documents")[0].GetProperty("document").GetString());
            Assert.Equal(2, second.RootElement.GetProperty("company_documents").GetInt32());
        }

        CancellationTests.SendSigint(process.Id);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "the watch did not stop within a minute of SIGINT");
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {stderr}");
    }

    private static string Next(Channel<string> lines, Process process, StringBuilder stderr)
    {
        var read = lines.Reader.ReadAsync().AsTask();
        if (!read.Wait(PassTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"no pass within {PassTimeout}: {stderr}");
        }
        return read.Result;
    }

    private static async Task<SyncPass> NextAsync(Channel<SyncPass> passes) => await passes.Reader.ReadAsync().AsTask().WaitAsync(PassTimeout);

    /// <summary>Reads passes until <paramref name="done"/> holds of the index (a change can take more than one pass:
    /// the watcher may see the first write of a file, then the rest).</summary>
    private static async Task<SyncPass> UntilAsync<T>(Channel<SyncPass> passes, Func<Task<T>> probe, Func<T, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var pass = await passes.Reader.ReadAsync().AsTask().WaitAsync(PassTimeout - clock.Elapsed);
            Assert.False(pass.Full, "no event was lost, so no full sync was needed");
            if (done(await probe()))
                return pass;
        }
    }

    private static async Task<List<string>> IdsAsync(DocumentIndex index)
    {
        var ids = new List<string>();
        await foreach (var id in index.ListDocumentIdsAsync("acme", CancellationToken.None))
            ids.Add(id);
        return ids;
    }

    private static async Task<string> TopTextAsync(DocumentIndex index, string query) =>
        (await index.SearchAsync("acme", query, SearchMode.Keyword)) is [var top, ..] ? top.Text : "";
}
