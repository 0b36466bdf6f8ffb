using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Cli.Tests.Packaging;

/// <summary>
/// Packs every library package of src/ into a local feed and builds every ```csharp block of README.md as a program of its
/// own against those packages (as a user pastes it, with PackageReferences); the quick start also runs. A snippet that
/// needs declarations around it does not compile: make it a complete program.
/// </summary>
/// <remarks>In this project because it references (and so builds) every package; the core tests build the core alone.</remarks>
[Collection(PackagingTests.Name)]
public sealed partial class ReadmeSnippetTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"^```csharp[ \t]*\r?\n(?<code>.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"^#+ (?<title>.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    internal static IReadOnlyList<(string Heading, string Code)> Snippets(string markdown)
    {
        var headings = Heading().Matches(markdown);
        return [.. CSharpBlock().Matches(markdown).Select(m => (
            headings.LastOrDefault(h => h.Index < m.Index)?.Groups["title"].Value.Trim() ?? "(top)",
            m.Groups["code"].Value))];
    }

    /// <summary>The library projects of src/ (every project that is not the tool).</summary>
    internal static IReadOnlyList<string> LibraryProjects() =>
        [.. Directory.GetDirectories(Path.Combine(RepositoryPaths.Root, "src"))
            .Select(Path.GetFileName).Select(n => n!)
            .Where(n => File.Exists(Path.Combine(RepositoryPaths.Root, "src", n, n + ".csproj")))
            .Where(n => !File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", n, n + ".csproj")).Contains("<PackAsTool>true</PackAsTool>", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

    [Fact]
    public void The_snippet_finder_sees_every_block_and_its_heading()
    {
        var snippets = Snippets("# A\n```csharp\nvar a = 1;\n```\ntext\n## B\n```bash\nls\n```\n```csharp\nvar b = 2;\n```\n");
        Assert.Equal([("A", "var a = 1;\n"), ("B", "var b = 2;\n")], snippets);
        Assert.True(Snippets(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"))).Count >= 3);
    }

    [Fact]
    public void Every_readme_snippet_builds_against_the_packed_packages_and_the_quick_start_runs()
    {
        var snippets = Snippets(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md")));
        Assert.NotEmpty(snippets);
        using var feed = new LocalFeed(output, "readme");
        var libraries = LibraryProjects();
        foreach (var project in libraries)
            feed.Pack(project, build: false);
        var packed = Directory.GetFiles(feed.Feed, "*.nupkg").Select(Path.GetFileName).ToList();
        var references = libraries.Where(l => packed.Contains($"{l}.{feed.Version}.nupkg")).ToList();
        Assert.Contains("Werkly.VectorIndex", references);

        var failures = new List<string>();
        for (var i = 0; i < snippets.Count; i++)
        {
            var (heading, code) = snippets[i];
            var app = Path.Combine(feed.Work, $"Snippet{i + 1}");
            Directory.CreateDirectory(app);
            // Every package, so a snippet may use any of them; ASP.NET Core too, for snippets that host the index.
            File.WriteAllText(Path.Combine(app, $"Snippet{i + 1}.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <!-- SentenceTransformers.* ask for versions the registry no longer serves; NuGet takes the next one up. -->
                    <NoWarn>$(NoWarn);NU1603</NoWarn>
                  </PropertyGroup>
                  <ItemGroup>
                    <FrameworkReference Include="Microsoft.AspNetCore.App" />
                {string.Concat(references.Select(r => $"    <PackageReference Include=\"{r}\" Version=\"{feed.Version}\" />\n"))}  </ItemGroup>
                </Project>
                """);
            feed.WriteNuGetConfig(app);
            File.WriteAllText(Path.Combine(app, "Program.cs"), code);
            try
            {
                feed.Run(app, TimeSpan.FromMinutes(5), "dotnet", ["build", "-c", "Release"]);
            }
            catch (Xunit.Sdk.XunitException e)
            {
                failures.Add($"README snippet {i + 1} (under '{heading}') does not build as pasted:\n{e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));

        // The quick start also runs, and shows the company isolation it promises.
        var quickStart = snippets.Select((s, i) => (s.Heading, Index: i + 1)).First(s => s.Heading == "Quick start").Index;
        var printed = feed.Run(Path.Combine(feed.Work, $"Snippet{quickStart}"), TimeSpan.FromMinutes(5), "dotnet", ["run", "-c", "Release", "--no-build"]);
        Assert.Contains("vacation-policy:", printed);
        Assert.DoesNotContain("globex", printed);
        var quickstartTemp = Path.Combine(Path.GetTempPath(), "werkly-quickstart");
        if (Directory.Exists(quickstartTemp)) Directory.Delete(quickstartTemp, recursive: true);
    }
}
