using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.VectorData.Tests.Packaging;

/// <summary>
/// Packs Werkly.VectorIndex and Werkly.VectorIndex.VectorData into a local feed, builds the README's
/// "Quick start with Microsoft.Extensions.VectorData" snippet against the packages (as a user would) and runs it.
/// </summary>
public partial class ReadmeVectorDataQuickStartTests(ITestOutputHelper output)
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [GeneratedRegex(@"## Quick start with Microsoft\.Extensions\.VectorData\s+.*?```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex QuickStartBlock();

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Werkly.VectorIndex.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Werkly.VectorIndex.sln not found above the test directory.");
    }

    [Fact]
    public void The_readme_vectordata_quick_start_builds_and_runs_against_the_packed_packages()
    {
        var root = RepoRoot();
        var match = QuickStartBlock().Match(File.ReadAllText(Path.Combine(root, "README.md")));
        Assert.True(match.Success, "README.md has no ```csharp block under '## Quick start with Microsoft.Extensions.VectorData'.");

        var work = Path.Combine(Path.GetTempPath(), "werkly-vectordata-quickstart-test-" + Guid.NewGuid().ToString("N")[..12]);
        var feed = Path.Combine(work, "feed");
        var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        Directory.CreateDirectory(feed);
        try
        {
            foreach (var project in new[] { "Werkly.VectorIndex", "Werkly.VectorIndex.VectorData" })
            {
                Run(root, "dotnet", "pack", Path.Combine(root, "src", project, project + ".csproj"), "-c", Configuration, "--no-build", "-o", feed, $"-p:Version={version}");
                Assert.Single(Directory.GetFiles(feed, $"{project}.{version}.nupkg"));
            }

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
                    <PackageReference Include="Werkly.VectorIndex.VectorData" Version="{version}" />
                    <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="10.0.15" />
                  </ItemGroup>
                </Project>
                """);
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
            Assert.Contains("acme-vacation:", printed);
            Assert.DoesNotContain("globex", printed);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (var id in new[] { "werkly.vectorindex", "werkly.vectorindex.vectordata" })
            {
                var cached = Path.Combine(packages, id, version);
                if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
            }
            var quickstartData = Path.Combine(Path.GetTempPath(), "werkly-vectordata-quickstart");
            if (Directory.Exists(quickstartData)) Directory.Delete(quickstartData, recursive: true);
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
