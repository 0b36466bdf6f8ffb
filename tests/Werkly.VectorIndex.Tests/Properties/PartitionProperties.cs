using FsCheck;
using FsCheck.Fluent;
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

    /// <summary>
    /// Up to 200 ops, each a uniform non-negative int. FsCheck's own ints are small (mostly near 0), which made nearly
    /// every op the same upsert of one of two vectors, with no searches and no company big enough for IVF lists.
    /// </summary>
    private static readonly Gen<int[]> OpsGen =
        from n in Gen.Choose(0, 200)
        from ops in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), n)
        select ops;

    /// <summary>Each op: kind (upsert/delete/search/retrain), company and key decoded from one int, and a vector seeded by it.</summary>
    private static void Run(int[] ops, Action<WerklyIndex, Dictionary<string, Dictionary<string, float[]>>, string, float[]> onSearch)
    {
        const int dimensions = 8;
        // A low flat threshold and explicit lists make the IVF path run, not only flat search.
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = dimensions, FlatSearchThreshold = 12, Lists = 3, AutoRetrain = true });
        var model = Companies.ToDictionary(c => c, _ => new Dictionary<string, float[]>());
        foreach (var op in ops)
        {
            var u = (uint)op;
            var kind = u % 8;
            var company = Companies[(u / 8) % 3];
            var key = $"k{(u / 24) % 25}";
            var vector = VectorFor(op, dimensions);
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

    [Property(MaxTest = 500)]
    public Property Searches_never_leak_across_companies() => Prop.ForAll(OpsGen.ToArbitrary(), ops =>
    {
        Run(ops, (index, model, company, q) =>
        {
            foreach (var hit in index.Search(company, q, 30, new SearchOptions { Probes = 1 }))
            {
                Assert.Equal(company, hit.Metadata!["company"].AsString());
                Assert.True(model[company].ContainsKey(hit.Key), $"{hit.Key} is not a live record of {company}");
            }
        });
    });

    [Property(MaxTest = 500)]
    public Property Probing_all_lists_equals_brute_force_over_live_records() => Prop.ForAll(OpsGen.ToArbitrary(), ops =>
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
    });
}
