using System.Diagnostics;
using System.Text.Json;

namespace Werkly.VectorIndex.Cli.Tests;

/// <summary>What a run of the tool printed and returned.</summary>
internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stdout parsed as exactly one JSON object (fails the test otherwise).</summary>
    public JsonElement Json()
    {
        Assert.True(ExitCode == 0, $"exit code {ExitCode}; stderr: {Stderr}");
        var text = Stdout.Trim();
        Assert.StartsWith("{", text);
        Assert.DoesNotContain('\n', text); // one object, one line, nothing else
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Runs the built werkly tool (werkly.dll, copied next to the test assembly with its deps and runtime config) as a process.</summary>
internal static class WerklyTool
{
    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "werkly.dll");

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static ToolResult Run(string workingDirectory, params string[] args) => Run(workingDirectory, TimeSpan.FromMinutes(3), args);

    public static ToolResult Run(string workingDirectory, TimeSpan timeout, params string[] args) => Run(workingDirectory, null, timeout, args);

    /// <param name="workingDirectory">The tool's current directory.</param>
    /// <param name="environment">Variables to set (or override) in the tool's environment, or <see langword="null"/>.</param>
    /// <param name="timeout">How long the run may take before it is killed and the test fails.</param>
    /// <param name="args">The command line.</param>
    public static ToolResult Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, params string[] args)
    {
        using var process = Start(workingDirectory, defaultSigint: false, environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"werkly {string.Join(' ', args)} did not finish within {timeout}.");
        }
        process.WaitForExit();
        return new ToolResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs the tool as a user without root's power to write anywhere: as itself when the tests do not run as
    /// root, else as 'nobody' through util-linux's setpriv (root ignores file permissions, so a read-only folder would not be
    /// read-only to it). Fails when the tests run as root and setpriv is missing.</summary>
    public static ToolResult RunUnprivileged(string workingDirectory, params string[] args)
    {
        if (!IsRoot)
            return Run(workingDirectory, args);
        var setpriv = new[] { "/usr/bin/setpriv", "/bin/setpriv" }.FirstOrDefault(File.Exists);
        Assert.True(setpriv is not null, "The tests run as root and setpriv (util-linux) is missing: cannot run the tool as an unprivileged user.");
        var start = new ProcessStartInfo(setpriv)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "--", ResolveHost(), DllPath }.Concat(args))
            start.ArgumentList.Add(arg);
        start.Environment["NO_COLOR"] = "1";
        start.Environment["HOME"] = workingDirectory;
        start.Environment["DOTNET_CLI_HOME"] = workingDirectory;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the tool.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"werkly {string.Join(' ', args)} (unprivileged) did not finish within 3 minutes.");
        }
        process.WaitForExit();
        return new ToolResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Whether the tests run as root (uid 0), who may write to any folder.</summary>
    public static bool IsRoot => OperatingSystem.IsLinux() && File.ReadLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal)
        && l.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0");

    /// <summary>The dotnet host as a full path (setpriv does not search PATH the way Process.Start does for us).</summary>
    private static string ResolveHost()
    {
        if (Path.IsPathRooted(DotnetHost)) return DotnetHost;
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(folder, "dotnet");
            if (File.Exists(candidate)) return candidate;
        }
        return Environment.ProcessPath ?? "dotnet";
    }

    public static Process Start(string workingDirectory, params string[] args) => Start(workingDirectory, defaultSigint: false, args);

    /// <param name="workingDirectory">The tool's current directory.</param>
    /// <param name="defaultSigint">Start the tool with SIGINT at its default disposition. A process started from a
    /// background job inherits SIGINT as ignored, and .NET then (rightly, like nohup) never raises Console.CancelKeyPress;
    /// a test that sends Ctrl+C needs it reset, which GNU env's --default-signal does.</param>
    /// <param name="args">The command line.</param>
    public static Process Start(string workingDirectory, bool defaultSigint, params string[] args) => Start(workingDirectory, defaultSigint, null, args);

    private static Process Start(string workingDirectory, bool defaultSigint, IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        Assert.True(File.Exists(DllPath), $"The built tool is missing at {DllPath}.");
        var viaEnv = defaultSigint && EnvResetsSignals.Value;
        var start = new ProcessStartInfo(viaEnv ? "env" : DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (viaEnv)
        {
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add(DotnetHost);
        }
        start.ArgumentList.Add(DllPath);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the tool.");
    }

    private static readonly Lazy<bool> EnvResetsSignals = new(() =>
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("env", ["--default-signal=INT", "true"]) { RedirectStandardError = true, UseShellExecute = false });
            probe!.WaitForExit();
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });
}

/// <summary>The repository root (the folder holding Werkly.VectorIndex.sln) and its test data.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Cranfield => Path.Combine(Root, "tests", "data", "cranfield");

    public static string RealDocuments => Path.Combine(Root, "tests", "data", "realdocs");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Werkly.VectorIndex.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Werkly.VectorIndex.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "werkly-cli-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public string Write(string relativePath, string content) => Write(relativePath, System.Text.Encoding.UTF8.GetBytes(content));

    public string Write(string relativePath, byte[] content)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
