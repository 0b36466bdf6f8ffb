using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.Tests.Text;

/// <summary>The Cranfield collection under tests/data, loaded once per test run.</summary>
internal static class Cranfield
{
    public static readonly string RepoRoot = FindRepoRoot();

    private static readonly Lazy<BeirDataset> Data = new(() => BeirDataset.Load(Path.Combine(RepoRoot!, "tests", "data", "cranfield")));

    public static BeirDataset Dataset => Data.Value;

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Werkly.VectorIndex.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Werkly.VectorIndex.sln not found above " + AppContext.BaseDirectory);
    }
}
