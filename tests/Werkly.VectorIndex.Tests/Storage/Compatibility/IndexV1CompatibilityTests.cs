using Werkly.VectorIndex.CrashTest;
using Werkly.VectorIndex.Distance;

namespace Werkly.VectorIndex.Tests.Storage.Compatibility;

/// <summary>The index under Storage/Compatibility/v1-index was written through <see cref="WerklyIndex"/> by format
/// version 1 (<see cref="IndexFixture.Write"/>). Every later version must open it and read exactly its content.</summary>
public class IndexV1CompatibilityTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_v1_index_reads_back_exactly_its_content(bool readOnly)
    {
        using var temp = CompatibilityFixtures.Copy("v1-index");
        using var index = WerklyIndex.Open(temp.Path, IndexFixture.Options, readOnly);
        var expected = IndexFixture.Expected();
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), index.Companies.Order(StringComparer.Ordinal));
        Assert.Equal(2, index.GetStatistics("acme").ListCount);
        Assert.Equal(0, index.GetStatistics("flat.co_2").ListCount);
        var vector = new float[8];
        foreach (var (company, records) in expected)
        {
            Assert.Equal(records.Keys.Order(StringComparer.Ordinal), index.GetKeys(company).Order(StringComparer.Ordinal));
            foreach (var (key, (seed, metadata)) in records)
            {
                Assert.True(index.TryGetVector(company, key, vector));
                var normalized = IndexFixture.V(seed);
                VectorDistance.Normalize(normalized, normalized);
                Assert.Equal(normalized, vector);
                Assert.True(index.TryGetRecord(company, key, out var record));
                var stored = record.Metadata;
                if (metadata is null) Assert.Null(stored);
                else Assert.Equal(metadata.OrderBy(p => p.Key, StringComparer.Ordinal), stored!.OrderBy(p => p.Key, StringComparer.Ordinal));
            }
            // Probing every list is exact: the stored vectors, lists and tombstones all read back right.
            var query = IndexFixture.V(7);
            var truth = records.Select(r => (r.Key, Score: VectorDistance.Cosine(IndexFixture.V(r.Value.Seed), query)))
                .OrderByDescending(x => x.Score).ThenBy(x => x.Key, StringComparer.Ordinal).Select(x => x.Key).Take(5);
            Assert.Equal(truth, index.Search(company, query, 5, new SearchOptions { Probes = 10 }).Select(h => h.Key));
        }
        if (!readOnly)
        {
            // The old files keep working under new writes and commits.
            index.Upsert("acme", "doc-new", IndexFixture.V(200));
            index.Commit();
            Assert.Equal(expected["acme"].Count + 1, index.Count("acme"));
        }
    }
}
