using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Tests.Packaging;

/// <summary>
/// Packs Werkly.VectorIndex into a local feed, builds the README's quick start against the package (as a user would,
/// with a PackageReference) and runs it: the README's code keeps compiling and the package keeps working.
/// </summary>
public partial class ReadmeQuickStartTests(ITestOutputHelper output)
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [GeneratedRegex(@"## Quick start\s+```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex QuickStartBlock();

    [Fact]
    public void The_readme_quick_start_builds_and_runs_against_the_packed_package()
    {
        var root = TestData.RepoRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var match = QuickStartBlock().Match(readme);
        Assert.True(match.Success, "README.md has no ```csharp block under '## Quick start'.");

        var work = Path.Combine(Path.GetTempPath(), "werkly-quickstart-test-" + Guid.NewGuid().ToString("N")[..12]);
        var feed = Path.Combine(work, "feed");
        var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        Directory.CreateDirectory(feed);
        try
        {
            Run(root, "dotnet", "pack", Path.Combine(root, "src", "Werkly.VectorIndex", "Werkly.VectorIndex.csproj"),
                "-c", Configuration, "--no-build", "-o", feed, $"-p:Version={version}");
            Assert.Single(Directory.GetFiles(feed, $"Werkly.VectorIndex.{version}.nupkg"));

            var app = Path.Combine(work, "QuickStart");
            Directory.CreateDirectory(app);
            File.WriteAllText(Path.Combine(app, "QuickStart.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Werkly.VectorIndex" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            // The machine's configured source stays (no <clear/>); the local feed is added.
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="werkly-test-feed" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), match.Groups["code"].Value);

            var printed = Run(app, "dotnet", "run", "-c", "Release");
            Assert.Contains("vacation-policy:", printed);
            Assert.DoesNotContain("globex", printed);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            var cached = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "werkly.vectorindex", version);
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
            var quickstartTemp = Path.Combine(Path.GetTempPath(), "werkly-quickstart");
            if (Directory.Exists(quickstartTemp)) Directory.Delete(quickstartTemp, recursive: true);
        }
    }

    private string Run(string workingDirectory, string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{fileName} {string.Join(' ', arguments)}' did not finish in 5 minutes.");
        }
        output.WriteLine(stdout.Result);
        output.WriteLine(stderr.Result);
        Assert.True(process.ExitCode == 0, $"'{fileName} {string.Join(' ', arguments)}' exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }
}
