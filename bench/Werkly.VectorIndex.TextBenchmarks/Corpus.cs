using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.TextBenchmarks;

/// <summary>The benchmark corpus: Cranfield (1,400 documents) repeated with new ids, and its 225 queries.</summary>
internal static class Corpus
{
    public const int Copies = 50;

    private static readonly Lazy<BeirDataset> Data = new(() => BeirDataset.Load(Path.Combine(RepoRoot(), "tests", "data", "cranfield")));

    public static BeirDataset Cranfield => Data.Value;

    /// <summary>Cranfield × <see cref="Copies"/> = 70,000 documents; copy c of document d gets id "c-d".</summary>
    public static BeirDocument[] Repeated() =>
        Enumerable.Range(0, Copies)
            .SelectMany(c => Cranfield.Corpus.Select(d => new BeirDocument($"{c}-{d.Id}", d.Title, d.Text)))
            .ToArray();

    public static string[] Queries() => Cranfield.Queries.Select(q => q.Text).ToArray();

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Werkly.VectorIndex.sln"))) return dir.FullName;
        }
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Werkly.VectorIndex.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Run from inside the repository: Werkly.VectorIndex.sln not found.");
    }
}
