namespace Werkly.VectorIndex.Tests.Storage.Compatibility;

/// <summary>The committed index fixtures under Storage/Compatibility (never regenerated; see docs/FORMAT.md).</summary>
internal static class CompatibilityFixtures
{
    /// <summary>A writable copy of fixture <paramref name="name"/> in a temporary directory.</summary>
    public static TempDirectory Copy(string name)
    {
        var source = Path.Combine(TestData.RepoRoot(), "tests", "Werkly.VectorIndex.Tests", "Storage", "Compatibility", name);
        var temp = new TempDirectory(name);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(temp.Path, Path.GetFileName(file)));
        return temp;
    }
}
