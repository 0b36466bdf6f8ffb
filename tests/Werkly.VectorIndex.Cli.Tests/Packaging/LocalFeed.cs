using System.Diagnostics;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Cli.Tests.Packaging;

/// <summary>The packaging tests pack projects of this repository and restore them like users do; they run one at a time
/// (packing builds into the projects' obj folders).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackagingTests
{
    public const string Name = "Packaging";
}

/// <summary>A temporary folder with a local package feed, a unique prerelease version for what is packed into it, and
/// the process runner the packaging tests share. Disposing deletes the folder and the packages it put in the NuGet cache.</summary>
internal sealed class LocalFeed : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly List<string> _packedIds = [];

#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    public LocalFeed(ITestOutputHelper output, string name)
    {
        _output = output;
        Work = Path.Combine(Path.GetTempPath(), $"werkly-{name}-test-" + Guid.NewGuid().ToString("N")[..12]);
        Feed = Path.Combine(Work, "feed");
        Directory.CreateDirectory(Feed);
        Version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
    }

    public string Work { get; }

    public string Feed { get; }

    public string Version { get; }

    /// <summary>Packs a project of src/ into the feed at <see cref="Version"/>.</summary>
    /// <param name="project">The project folder name under src/.</param>
    /// <param name="build">False to pack the existing build output (the test run built it); true to build (a RID-specific tool publishes per platform).</param>
    /// <param name="properties">More MSBuild properties.</param>
    public void Pack(string project, bool build, params string[] properties)
    {
        var arguments = new List<string> { "pack", Path.Combine(RepositoryPaths.Root, "src", project, project + ".csproj"), "-c", Configuration, "-o", Feed };
        // --no-build packs what the test run built, with the version only in the package; a build must not recompile the
        // referenced libraries with another assembly version, so it changes the package version alone.
        arguments.AddRange(build ? [$"-p:PackageVersion={Version}"] : ["--no-build", $"-p:Version={Version}"]);
        arguments.AddRange(properties.Select(p => "-p:" + p));
        Run(RepositoryPaths.Root, TimeSpan.FromMinutes(10), "dotnet", [.. arguments]);
        _packedIds.Add(project);
    }

    /// <summary>A nuget.config for <paramref name="folder"/>: the machine's sources plus the feed.</summary>
    public void WriteNuGetConfig(string folder) => File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <add key="werkly-test-feed" value="{Feed}" />
          </packageSources>
        </configuration>
        """);

    /// <summary>Runs a process to completion, failing the test on a non-zero exit code or a timeout.</summary>
    public string Run(string workingDirectory, TimeSpan timeout, string fileName, string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{fileName} {string.Join(' ', arguments)}' did not finish in {timeout}.");
        }
        process.WaitForExit();
        _output.WriteLine($"$ {fileName} {string.Join(' ', arguments)}\n{stdout.Result}\n{stderr.Result}");
        Assert.True(process.ExitCode == 0, $"'{fileName} {string.Join(' ', arguments)}' exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }

    public void Dispose()
    {
        try { Directory.Delete(Work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        if (!Directory.Exists(cache)) return;
        foreach (var folder in Directory.EnumerateDirectories(cache, "werkly.vectorindex*"))
        {
            var cached = Path.Combine(folder, Version);
            try { if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
