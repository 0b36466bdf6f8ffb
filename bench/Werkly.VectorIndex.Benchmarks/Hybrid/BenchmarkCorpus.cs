using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.Benchmarks.Hybrid;

/// <summary>What the hybrid benchmarks share: Cranfield from the repository and synthetic clustered unit vectors
/// (2,000 centres, 384 dimensions, noise 0.05), drawn from one seeded generator.</summary>
internal sealed class BenchmarkCorpus
{
    private readonly Random _random = new(7);
    private readonly float[][] _centres;

    public BenchmarkCorpus()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Werkly.VectorIndex.sln"))) root = root.Parent;
        Cranfield = BeirDataset.Load(Path.Combine(root?.FullName ?? throw new InvalidOperationException("repository root not found"), "tests", "data", "cranfield"));
        _centres = [.. Enumerable.Range(0, 2000).Select(_ => Unit(Gaussian(384)))];
    }

    /// <summary>The company the benchmark index holds.</summary>
    public const string Company = "bench";

    public BeirDataset Cranfield { get; }

    /// <summary>99,400 chunks (Cranfield's texts × 71 with new ids, drawn vectors) in one company, trained, and one
    /// query per Cranfield query (its text and a drawn vector, top 10); the first 20 are run once to build lazily
    /// initialised state.</summary>
    public (WerklyIndex Index, SearchQuery[] Queries) BuildIndex()
    {
        var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 384, AutoRetrain = false });
        const int copies = 71;
        for (var copy = 0; copy < copies; copy++)
        {
            var batch = Cranfield.Corpus.Select(d => new VectorRecord($"{d.Id}-{copy}", Draw()) { Title = d.Title, Text = d.Text }).ToList();
            index.Apply(Company, batch, []);
        }
        index.Retrain(Company);
        SearchQuery[] queries = [.. Cranfield.Queries.Select(q => new SearchQuery { Text = q.Text, Vector = Draw(), Top = 10 })];
        foreach (var q in queries.Take(20)) index.Search(Company, q with { Feedback = FeedbackOptions.Default });
        return (index, queries);
    }

    /// <summary>A unit vector near a random centre.</summary>
    public float[] Draw()
    {
        var c = _centres[_random.Next(_centres.Length)];
        var g = Gaussian(384);
        return Unit([.. c.Select((x, d) => x + 0.05f * g[d])]);
    }

    private float[] Gaussian(int n) =>
        [.. Enumerable.Range(0, n).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble())))];

    private static float[] Unit(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }
}
