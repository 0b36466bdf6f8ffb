namespace Werkly.VectorIndex.Cli.Tests;

/// <summary>A second writer is turned away as soon as it tries the index's lock, before it loads the model.</summary>
public sealed class LockTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>The model is extracted into <c>$XDG_DATA_HOME/Werkly.VectorIndex/models</c> when it is loaded (on Linux,
    /// .NET's LocalApplicationData), so a fresh XDG_DATA_HOME shows whether a run loaded it: no timing involved. The
    /// last run, with the lock free, shows that the same environment does reveal a load.</summary>
    [Fact]
    public void A_second_ingest_reports_the_lock_without_loading_the_model_first()
    {
        if (!OperatingSystem.IsLinux())
            return; // XDG_DATA_HOME locates the model cache on Linux only
        _folder.Write("docs/parking.md", "# Parking\n\nVisitors park in the north lot.");
        var index = _folder.Combine("index");
        var created = WerklyTool.Run(_folder.Path, "ingest", "docs", "--company", "acme", "--index", index, "--json");
        Assert.True(created.ExitCode == 0, created.ToString());

        var modelHome = Directory.CreateDirectory(_folder.Combine("xdg")).FullName;
        var temp = Directory.CreateDirectory(_folder.Combine("tmp")).FullName;
        var environment = new Dictionary<string, string> { ["XDG_DATA_HOME"] = modelHome, ["TMPDIR"] = temp };
        string[] ingest = ["ingest", "docs", "--company", "acme", "--index", index];

        ToolResult second;
        // What the first writer holds: the LOCK file opened with FileShare.None (flock LOCK_EX), as the storage layer does.
        using (new FileStream(Path.Combine(index, "LOCK"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            second = WerklyTool.Run(_folder.Path, environment, TimeSpan.FromMinutes(3), ingest);
        Assert.True(second.ExitCode == 6, second.ToString());
        Assert.Contains("opened for writing by another process", second.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(modelHome));
        Assert.False(Directory.Exists(Path.Combine(temp, "Werkly.VectorIndex"))); // the cache's fallback location

        var third = WerklyTool.Run(_folder.Path, environment, TimeSpan.FromMinutes(3), ingest);
        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.NotEmpty(Directory.GetFiles(modelHome, "model.onnx", SearchOption.AllDirectories));
    }
}
