using FsCheck;
using FsCheck.Xunit;
using Werkly.VectorIndex.Distance;

namespace Werkly.VectorIndex.Tests.Properties;

/// <summary>Random interleavings of upsert, delete and search across companies, checked against a model.</summary>
public class PartitionProperties
{
    private static readonly string[] Companies = ["acme", "globex", "initech"];

    private static float[] VectorFor(int seed, int dimensions)
    {
        var random = new Random(seed);
        var v = new float[dimensions];
        for (var d = 0; d < dimensions; d++) v[d] = (float)(random.NextDouble() * 2 - 1);
        v[0] += 0.01f; // never the zero vector
        return v;
    }

    /// <summary>Each op: kind (upsert/delete/search/retrain), company, key, vector seed — all decoded from one int.</summary>
    private static void Run(int[] ops, Action<WerklyIndex, Dictionary<string, Dictionary<string, float[]>>, string, float[]> onSearch)
    {
        const int dimensions = 8;
        // A low flat threshold and explicit lists make the IVF path run, not only flat search.
        using var index = new WerklyIndex(new VectorIndexOptions { Dimensions = dimensions, FlatSearchThreshold = 12, Lists = 3, AutoRetrain = true });
        var model = Companies.ToDictionary(c => c, _ => new Dictionary<string, float[]>());
        foreach (var op in ops)
        {
            var u = (uint)op;
            var company = Companies[u % 3];
            var key = $"k{(u / 3) % 25}";
            var kind = (u / 75) % 8;
            var vector = VectorFor((int)(u / 600), dimensions);
            switch (kind)
            {
                case < 4:
                    index.Upsert(company, key, vector, new Dictionary<string, MetadataValue> { ["company"] = company });
                    model[company][key] = vector;
                    break;
                case < 6:
                    Assert.Equal(model[company].Remove(key), index.Delete(company, key));
                    break;
                case 6:
                    if (index.ContainsCompany(company)) index.Retrain(company);
                    break;
                default:
                    if (index.ContainsCompany(company)) onSearch(index, model, company, vector);
                    break;
            }
        }
        foreach (var company in Companies.Where(index.ContainsCompany))
            onSearch(index, model, company, VectorFor(ops.Length, dimensions));
    }

    [Property(MaxTest = 200)]
    public void Searches_never_leak_across_companies(int[] ops)
    {
        Run(ops, (index, model, company, q) =>
        {
            foreach (var hit in index.Search(company, q, 30, new SearchOptions { Probes = 1 }))
            {
                Assert.Equal(company, hit.Metadata!["company"].AsString());
                Assert.True(model[company].ContainsKey(hit.Key), $"{hit.Key} is not a live record of {company}");
            }
        });
    }

    [Property(MaxTest = 200)]
    public void Probing_all_lists_equals_brute_force_over_live_records(int[] ops)
    {
        Run(ops, (index, model, company, q) =>
        {
            var live = model[company];
            var expected = TestData.BruteForce(live, q, 5, DistanceMetric.Cosine);
            var actual = index.Search(company, q, 5, new SearchOptions { Probes = int.MaxValue }).Select(h => h.Key).ToArray();
            // Equal scores within float rounding may order differently than the double-precision reference.
            if (!expected.SequenceEqual(actual))
            {
                var scores = actual.Select(k => TestData.Score(DistanceMetric.Cosine, live[k], q)).ToArray();
                var truth = expected.Select(k => TestData.Score(DistanceMetric.Cosine, live[k], q)).ToArray();
                Assert.Equal(truth.Length, scores.Length);
                for (var i = 0; i < truth.Length; i++) Assert.Equal(truth[i], scores[i], 5);
            }
        });
    }
}
