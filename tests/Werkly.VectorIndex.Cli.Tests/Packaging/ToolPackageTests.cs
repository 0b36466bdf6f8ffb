using System.IO.Compression;
using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Cli.Tests.Packaging;

/// <summary>The werkly tool as users get it: packed (RID-specific, as 'dotnet pack' makes it), installed with 'dotnet tool
/// install' into a tool path, and run from a folder that is no clone of the repository.</summary>
[Collection(PackagingTests.Name)]
public sealed class ToolPackageTests(ITestOutputHelper output)
{
    /// <summary>Issue 10: 'werkly demo' worked only inside a clone (it read docs/ and samples/ from disk). Issue 15: the
    /// tool package carried every platform's natives (142.5 MB) and native debug symbols.</summary>
    [Fact]
    public void The_installed_tool_runs_the_demo_without_a_clone_from_a_package_holding_one_platform_and_no_debug_symbols()
    {
        using var feed = new LocalFeed(output, "tool");
        var rid = RuntimeInformation.RuntimeIdentifier;
        feed.Pack("Werkly.VectorIndex.Cli", build: true, $"WerklyToolRuntimeIdentifiers={rid}");

        // A pointer package that names the platform packages, and this platform's package.
        var pointer = Path.Combine(feed.Feed, $"Werkly.VectorIndex.Cli.{feed.Version}.nupkg");
        var platform = Path.Combine(feed.Feed, $"Werkly.VectorIndex.Cli.{rid}.{feed.Version}.nupkg");
        Assert.True(File.Exists(pointer), string.Join(", ", Directory.GetFiles(feed.Feed).Select(Path.GetFileName)));
        Assert.True(File.Exists(platform), string.Join(", ", Directory.GetFiles(feed.Feed).Select(Path.GetFileName)));
        Assert.True(new FileInfo(pointer).Length < 100_000, $"the pointer package has {new FileInfo(pointer).Length} bytes");
        using (var zip = ZipFile.OpenRead(platform))
        {
            var names = zip.Entries.Select(e => e.FullName).ToList();
            Assert.DoesNotContain(names, n => n.EndsWith(".dbg", StringComparison.Ordinal) || n.EndsWith(".dwarf", StringComparison.Ordinal));
            Assert.DoesNotContain(names, n => n.Contains("/runtimes/", StringComparison.Ordinal)); // no other platform's natives
            Assert.Contains(names, n => n.EndsWith("/werkly.dll", StringComparison.Ordinal));
            Assert.Contains(names, n => Path.GetFileName(n) is "libonnxruntime.so" or "libonnxruntime.dylib" or "onnxruntime.dll");
            output.WriteLine($"{Path.GetFileName(platform)}: {new FileInfo(platform).Length:N0} bytes, {zip.Entries.Sum(e => e.Length):N0} unpacked, {names.Count} files");
        }

        // Installed as a user installs it (the feed is the only place these versions exist), then run outside any clone.
        var tools = Path.Combine(feed.Work, "tools");
        var home = Directory.CreateDirectory(Path.Combine(feed.Work, "somewhere")).FullName;
        feed.WriteNuGetConfig(home);
        feed.Run(home, TimeSpan.FromMinutes(5), "dotnet", ["tool", "install", "Werkly.VectorIndex.Cli", "--tool-path", tools, "--version", feed.Version]);
        var temp = Directory.CreateDirectory(Path.Combine(feed.Work, "tmp")).FullName;
        var dotnetRoot = Path.GetDirectoryName(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : Environment.ProcessPath)!;
        var demo = feed.Run(home, TimeSpan.FromMinutes(5), Path.Combine(tools, OperatingSystem.IsWindows() ? "werkly.exe" : "werkly"), ["demo", "--top", "2"],
            new Dictionary<string, string> { ["TMPDIR"] = temp + Path.DirectorySeparatorChar, ["DOTNET_ROOT"] = dotnetRoot });
        var text = System.Text.RegularExpressions.Regex.Replace(demo, @"\s+", " ");
        Assert.Contains("No hit crossed companies", text, StringComparison.Ordinal);
        Assert.Matches(@"Q: How many vacation days do I get\? 1\. [\d.]+ vacation-policy\.md", text);
        // As in DemoTests: the default (DBSF with feedback) may rank benchmarks/storage.md first and FORMAT.md second.
        Assert.Matches(@"Q: How does a commit survive a crash or power loss\? 1\. [\d.]+ (FORMAT\.md|benchmarks/storage\.md (?:(?!Q:).)*? 2\. [\d.]+ FORMAT\.md)", text);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp, "werkly-demo-*")); // its temporary index is gone
    }
}
