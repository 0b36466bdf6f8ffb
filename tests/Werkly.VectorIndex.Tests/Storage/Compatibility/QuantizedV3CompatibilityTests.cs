using Werkly.VectorIndex.CrashTest;
using Werkly.VectorIndex.Distance;

namespace Werkly.VectorIndex.Tests.Storage.Compatibility;

/// <summary>
/// Quantized files: the v3-quantized fixture (segment record version 3 with QINF/QLST code blocks, centroids record
/// version 2 with SQRG ranges; <see cref="QuantizedFixture.Write"/>) reads back exactly and searches its codes; the
/// older v1-index fixture, written before quantization, opens and searches in float32 until a retrain writes codes.
/// </summary>
public class QuantizedV3CompatibilityTests
{
    [Theory]
    [InlineData(true, VectorQuantization.Scalar4)]
    [InlineData(false, VectorQuantization.Scalar4)]
    [InlineData(true, VectorQuantization.Scalar8)]
    [InlineData(true, VectorQuantization.None)]
    public void The_v3_index_reads_back_exactly_and_searches_its_codes(bool readOnly, VectorQuantization quantization)
    {
        using var temp = CompatibilityFixtures.Copy("v3-quantized");
        using var index = WerklyIndex.Open(temp.Path, QuantizedFixture.Options with { Quantization = quantization }, readOnly);
        var expected = QuantizedFixture.Expected();
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), index.Companies.Order(StringComparer.Ordinal));
        var vector = new float[8];
        foreach (var (company, records) in expected)
        {
            var stats = index.GetStatistics(company);
            Assert.Equal(2, stats.ListCount);
            // "eight" holds 8- and 4-bit segments: it reports the current setting's width; "four" only 4-bit ones.
            var width = quantization == VectorQuantization.None ? VectorQuantization.None
                : company == "eight" ? quantization : VectorQuantization.Scalar4;
            Assert.Equal(width, stats.Quantization);
            Assert.Equal(records.Keys.Order(StringComparer.Ordinal), index.GetKeys(company).Order(StringComparer.Ordinal));
            foreach (var (key, seed) in records)
            {
                Assert.True(index.TryGetVector(company, key, vector));
                var normalized = QuantizedFixture.V(seed);
                VectorDistance.Normalize(normalized, normalized);
                Assert.Equal(normalized, vector);
            }
            // Every list probed and every row a candidate: exactly the brute-force order, scores exact.
            foreach (var querySeed in new[] { 7, 130 })
            {
                var query = QuantizedFixture.V(querySeed);
                var truth = records.Select(r => (r.Key, Score: VectorDistance.Cosine(QuantizedFixture.V(r.Value), query)))
                    .OrderByDescending(x => x.Score).ThenBy(x => x.Key, StringComparer.Ordinal).Select(x => x.Key).Take(5);
                var options = new SearchOptions { Probes = 2, RerankFactor = SearchOptions.MaxRerankFactor };
                Assert.Equal(truth, index.Search(company, query, 5, options).Select(h => h.Key));
                var explanation = index.Explain(company, query, 5, options);
                if (quantization == VectorQuantization.None) Assert.Equal(0, explanation.CandidatesReranked);
                else Assert.Equal(records.Count, explanation.CandidatesReranked);
            }
        }
        if (!readOnly)
        {
            index.Upsert("four", "f-new", QuantizedFixture.V(500));
            index.Retrain("eight");
            index.Commit();
            Assert.Equal(expected["four"].Count + 1, index.Count("four"));
            Assert.Equal("f-new", index.Search("four", QuantizedFixture.V(500), 1)[0].Key);
        }
    }

    /// <summary>Files written before quantization: searched in float32 (no codes, no re-ranking) with quantization on,
    /// until a retrain writes codes, which a commit persists.</summary>
    [Fact]
    public void Files_without_codes_search_in_float32_until_a_retrain()
    {
        using var temp = CompatibilityFixtures.Copy("v1-index");
        var options = IndexFixture.Options with { Quantization = VectorQuantization.Scalar4 };
        var query = IndexFixture.V(7);
        string[] before;
        using (var index = WerklyIndex.Open(temp.Path, options))
        {
            Assert.Equal(VectorQuantization.None, index.GetStatistics("acme").Quantization);
            Assert.Equal(0, index.Explain("acme", query, 5, new SearchOptions { Probes = 2 }).CandidatesReranked);
            before = [.. index.Search("acme", query, 5, new SearchOptions { Probes = 2 }).Select(h => h.Key)];
            index.Upsert("acme", "doc-new", IndexFixture.V(300)); // still no codes: the company has no ranges yet
            Assert.Equal(VectorQuantization.None, index.GetStatistics("acme").Quantization);
            index.Retrain("acme");
            Assert.Equal(VectorQuantization.Scalar4, index.GetStatistics("acme").Quantization);
            index.Commit();
        }
        using (var reopened = WerklyIndex.Open(temp.Path, options, readOnly: true))
        {
            Assert.Equal(VectorQuantization.Scalar4, reopened.GetStatistics("acme").Quantization);
            var options2 = new SearchOptions { Probes = 2, RerankFactor = SearchOptions.MaxRerankFactor };
            Assert.True(reopened.Explain("acme", query, 5, options2).CandidatesReranked > 0);
            Assert.Equal(before, reopened.Search("acme", query, 6, options2).Select(h => h.Key).Where(k => k != "doc-new").Take(5));
        }
    }
}
