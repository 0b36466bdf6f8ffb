namespace Werkly.VectorIndex.Tests.Storage.Compatibility;

/// <summary>The committed index fixtures under Storage/Compatibility (never regenerated; see docs/FORMAT.md).</summary>
internal static class CompatibilityFixtures
{
    /// <summary>The directory of fixture <paramref name="name"/> in the repository.</summary>
    public static string Path(string name) =>
        System.IO.Path.Combine(TestData.RepoRoot(), "tests", "Werkly.VectorIndex.Tests", "Storage", "Compatibility", name);

    /// <summary>The index files of fixture <paramref name="name"/> (dotfiles such as .gitattributes left out).</summary>
    public static IReadOnlyList<string> Files(string name) =>
        Directory.GetFiles(Path(name)).Where(f => !System.IO.Path.GetFileName(f).StartsWith('.')).ToList();

    /// <summary>A writable copy of fixture <paramref name="name"/>'s index files in a temporary directory.</summary>
    public static TempDirectory Copy(string name)
    {
        var temp = new TempDirectory(name);
        foreach (var file in Files(name)) File.Copy(file, temp.Combine(System.IO.Path.GetFileName(file)));
        return temp;
    }
}
