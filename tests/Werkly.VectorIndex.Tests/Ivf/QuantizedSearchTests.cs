using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Tests.Storage;

namespace Werkly.VectorIndex.Tests.Ivf;

/// <summary>
/// Quantized lists (SQ8 and SQ4 codes of the residuals, exact re-ranking) against float32 lists trained on the same data
/// with the same seed, so both indexes have identical lists: recall within 0.005 at the same probes, re-ranked scores
/// bit-identical to float32 scores, deletes and filters respected, codes persisted and reopened.
/// </summary>
public class QuantizedSearchTests
{
    private const string Company = "acme";

    private static (WerklyIndex Index, Dictionary<string, float[]> Records) Build(int n, int dimensions, VectorQuantization quantization,
        DistanceMetric metric = DistanceMetric.Cosine, int seed = 42, int? rerank = null)
    {
        var vectors = TestData.Clustered(n, dimensions, clusters: n / 5, spread: 0.05f, seed);
        var index = new WerklyIndex(new WerklyIndexOptions
        {
            Dimensions = dimensions,
            Metric = metric,
            FlatSearchThreshold = 1000,
            Seed = seed,
            Quantization = quantization,
            RerankFactor = rerank,
        });
        var records = new Dictionary<string, float[]>();
        var batch = new List<VectorRecord>();
        for (var i = 0; i < n; i++)
        {
            var key = $"doc-{i:D6}";
            records[key] = vectors[i];
            batch.Add(new VectorRecord(key, vectors[i], new Dictionary<string, MetadataValue> { ["n"] = i }));
        }
        index.Upsert(Company, batch);
        return (index, records);
    }

    private static double Recall(WerklyIndex index, Dictionary<string, float[]> records, float[][] queries, string[][] truth, int k, SearchOptions? options = null)
    {
        double found = 0;
        for (var q = 0; q < queries.Length; q++)
        {
            var expected = truth[q].ToHashSet();
            found += index.Search(Company, queries[q], k, options).Count(h => expected.Contains(h.Key));
        }
        return found / (queries.Length * k);
    }

    /// <summary>Recall@10 of the quantized path at the calibrated probes reaches 0.95 and stays within 0.005 of float32
    /// lists at the same probes, at 384, 512 and 1536 dimensions (fixed seeds).</summary>
    [Theory]
    [InlineData(384, VectorQuantization.Scalar4)]
    [InlineData(512, VectorQuantization.Scalar4)]
    [InlineData(1536, VectorQuantization.Scalar4)]
    [InlineData(384, VectorQuantization.Scalar8)]
    public void Quantized_recall_is_within_0005_of_float32_at_the_same_probes(int dimensions, VectorQuantization quantization)
    {
        var n = dimensions == 1536 ? 4000 : 8000;
        var (floats, records) = Build(n, dimensions, VectorQuantization.None);
        var (codes, _) = Build(n, dimensions, quantization);
        using (floats)
        using (codes)
        {
            var stats = codes.GetStatistics(Company);
            Assert.Equal(quantization, stats.Quantization);
            Assert.InRange(stats.RerankFactor, 2, 16);
            Assert.Equal(floats.GetStatistics(Company).DefaultProbes, stats.DefaultProbes); // same lists, same calibration
            Assert.Equal(VectorQuantization.None, floats.GetStatistics(Company).Quantization);
            var queries = TestData.Clustered(50, dimensions, n / 5, 0.05f, seed: 42);
            var truth = queries.Select(q => TestData.BruteForce(records, q, 10, DistanceMetric.Cosine)).ToArray();
            var quantized = Recall(codes, records, queries, truth, 10);
            Assert.True(quantized >= 0.95, $"recall@10 {quantized:F3} at default probes {stats.DefaultProbes}/{stats.ListCount}, r {stats.RerankFactor}");
            foreach (var probes in new[] { 1, 2, stats.DefaultProbes })
            {
                var options = new SearchOptions { Probes = probes };
                var exact = Recall(floats, records, queries, truth, 10, options);
                var approximate = Recall(codes, records, queries, truth, 10, options);
                Assert.True(approximate >= exact - 0.005, $"probes {probes}: quantized {approximate:F4} vs float32 {exact:F4}");
            }
        }
    }

    /// <summary>Every score a quantized search reports is the float32 search's score of the same record, bit for bit;
    /// with every list probed and enough candidates the results are identical, under each metric.</summary>
    [Theory]
    [InlineData(DistanceMetric.Cosine, VectorQuantization.Scalar4)]
    [InlineData(DistanceMetric.InnerProduct, VectorQuantization.Scalar4)]
    [InlineData(DistanceMetric.SquaredL2, VectorQuantization.Scalar4)]
    [InlineData(DistanceMetric.SquaredL2, VectorQuantization.Scalar8)]
    public void Reranked_scores_equal_float32_scores_exactly(DistanceMetric metric, VectorQuantization quantization)
    {
        var (floats, _) = Build(3000, 96, VectorQuantization.None, metric);
        var (codes, _) = Build(3000, 96, quantization, metric);
        using (floats)
        using (codes)
        {
            var lists = codes.GetStatistics(Company).ListCount;
            Assert.Equal(quantization, codes.GetStatistics(Company).Quantization);
            foreach (var query in TestData.Clustered(30, 96, 600, 0.05f, seed: 5))
            {
                var expected = floats.Search(Company, query, 20, new SearchOptions { Probes = 4 }).ToDictionary(h => h.Key, h => h.Score);
                var explanation = codes.Explain(Company, query, 20, new SearchOptions { Probes = 4 });
                Assert.True(explanation.CandidatesReranked >= 20);
                foreach (var hit in explanation.Hits)
                {
                    // A hit the float32 search also returned has its exact score; the rest are scored exactly too.
                    if (expected.TryGetValue(hit.Key, out var score)) Assert.Equal(BitConverter.SingleToInt32Bits(score), BitConverter.SingleToInt32Bits(hit.Score));
                }
                var all = new SearchOptions { Probes = lists, RerankFactor = SearchOptions.MaxRerankFactor };
                var floatHits = floats.Search(Company, query, 10, all);
                var codeHits = codes.Search(Company, query, 10, all);
                Assert.Equal(floatHits.Select(h => (h.Key, BitConverter.SingleToInt32Bits(h.Score))), codeHits.Select(h => (h.Key, BitConverter.SingleToInt32Bits(h.Score))));
            }
        }
    }

    /// <summary>Deleted, replaced and filtered-out rows never come back from a quantized search, which still returns k
    /// results whenever k matching records exist, equal to float32 lists' results.</summary>
    [Fact]
    public void Deletes_replacements_and_filters_are_respected()
    {
        var (floats, records) = Build(3000, 64, VectorQuantization.None);
        var (codes, _) = Build(3000, 64, VectorQuantization.Scalar4);
        using (floats)
        using (codes)
        {
            var random = new Random(3);
            var deleted = records.Keys.Where(_ => random.NextDouble() < 0.3).ToHashSet();
            foreach (var index in new[] { floats, codes })
            {
                foreach (var key in deleted) Assert.True(index.Delete(Company, key));
                index.Upsert(Company, "doc-000007", records["doc-000100"], new Dictionary<string, MetadataValue> { ["n"] = 7 });
            }
            var lists = codes.GetStatistics(Company).ListCount;
            var onlyOdd = new SearchOptions { Probes = 2, Filter = (_, m) => m is not null && (int)m["n"].AsNumber() % 2 == 1, RerankFactor = 4 };
            foreach (var query in TestData.Clustered(20, 64, 600, 0.05f, seed: 9))
            {
                var hits = codes.Search(Company, query, 10, onlyOdd);
                Assert.Equal(10, hits.Length);
                Assert.All(hits, h => Assert.DoesNotContain(h.Key, deleted));
                Assert.All(hits, h => Assert.Equal(1, (int)h.Metadata!["n"].AsNumber() % 2));
                var all = new SearchOptions { Probes = lists, RerankFactor = SearchOptions.MaxRerankFactor };
                Assert.Equal(floats.Search(Company, query, 10, all).Select(h => h.Key), codes.Search(Company, query, 10, all).Select(h => h.Key));
                Assert.Equal(floats.Search(Company, query, 10, all with { Filter = onlyOdd.Filter }).Select(h => h.Key),
                    codes.Search(Company, query, 10, all with { Filter = onlyOdd.Filter }).Select(h => h.Key));
            }
            // A filter that almost nothing passes still finds every match, scanning past the probed lists.
            var wanted = records.Keys.Where(k => !deleted.Contains(k) && k != "doc-000007").Order(StringComparer.Ordinal).Take(2).ToHashSet();
            var rare = codes.Search(Company, records["doc-002999"], 5, new SearchOptions { Probes = 1, Filter = (k, _) => wanted.Contains(k) });
            Assert.Equal(wanted.Order(StringComparer.Ordinal), rare.Select(h => h.Key).Order(StringComparer.Ordinal));
        }
    }

    /// <summary>Codes and ranges are committed and read back: a reopened index searches the same codes with the same
    /// results; opened without quantization it scans float32; rows written after reopening are encoded too.</summary>
    [Fact]
    public void Codes_are_committed_and_reopened()
    {
        using var temp = new TempDirectory("quantized");
        var options = new WerklyIndexOptions { Dimensions = 64, FlatSearchThreshold = 1000, Quantization = VectorQuantization.Scalar4 };
        var vectors = TestData.Clustered(3000, 64, 600, 0.05f, seed: 4);
        var queries = TestData.Clustered(20, 64, 600, 0.05f, seed: 6);
        SearchHit[][] before;
        CompanyStatistics stats;
        using (var index = WerklyIndex.Open(temp.Path, options))
        {
            index.Upsert(Company, [.. vectors.Select((v, i) => new VectorRecord($"doc-{i}", v))]);
            stats = index.GetStatistics(Company);
            Assert.Equal(VectorQuantization.Scalar4, stats.Quantization);
            index.Commit();
            index.Upsert(Company, "late", vectors[5]); // into the memory segment, with a code
            index.Commit();
            before = [.. queries.Select(q => index.Search(Company, q, 10))];
        }
        using (var reopened = WerklyIndex.Open(temp.Path, options, readOnly: true))
        {
            var again = reopened.GetStatistics(Company);
            Assert.Equal(VectorQuantization.Scalar4, again.Quantization);
            Assert.Equal(stats.RerankFactor, again.RerankFactor);
            Assert.Equal(stats.DefaultProbes, again.DefaultProbes);
            for (var q = 0; q < queries.Length; q++)
                Assert.Equal(before[q].Select(h => (h.Key, h.Score)), reopened.Search(Company, queries[q], 10).Select(h => (h.Key, h.Score)));
        }
        using (var plain = WerklyIndex.Open(temp.Path, options with { Quantization = VectorQuantization.None }))
        {
            Assert.Equal(VectorQuantization.None, plain.GetStatistics(Company).Quantization);
            Assert.Equal(0, plain.Explain(Company, queries[0], 10).CandidatesReranked);
        }
        using (var eight = WerklyIndex.Open(temp.Path, options with { Quantization = VectorQuantization.Scalar8 }))
        {
            // The segments keep their 4-bit codes; the memory segment takes 8-bit ones from the same ranges.
            eight.Upsert(Company, "eight", vectors[9]);
            Assert.Contains("eight", eight.Search(Company, vectors[9], 3).Select(h => h.Key));
            Assert.True(eight.Explain(Company, queries[0], 10).CandidatesReranked >= 10);
            eight.Retrain(Company);
            Assert.Equal(VectorQuantization.Scalar8, eight.GetStatistics(Company).Quantization);
            eight.Commit();
        }
        using (var last = WerklyIndex.Open(temp.Path, options, readOnly: true))
        {
            // Scalar4 options over 8-bit segments: searched at the width they were written with.
            Assert.Equal(VectorQuantization.Scalar8, last.GetStatistics(Company).Quantization);
            Assert.Contains("eight", last.Search(Company, vectors[9], 3).Select(h => h.Key));
        }
    }

    /// <summary>A search for one result re-ranks at least 16 candidates (not k × r = 2), so looking a stored vector up
    /// finds its own record, even with 4-bit codes of uniformly random 8-dimension vectors where neighbours are close in
    /// code space (this failed for 2 of 300 lookups without the floor).</summary>
    [Theory]
    [InlineData(VectorQuantization.Scalar4)]
    [InlineData(VectorQuantization.Scalar8)]
    public void A_stored_vector_finds_its_own_record_at_k_1(VectorQuantization quantization)
    {
        const int dimensions = 8;
        using var index = new WerklyIndex(new WerklyIndexOptions
        {
            Dimensions = dimensions, Lists = 2, FlatSearchThreshold = 16, AutoRetrain = false, MaxDegreeOfParallelism = 1, Quantization = quantization,
        });
        var random = new Random(17);
        var vectors = Enumerable.Range(0, 60).Select(_ => Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
        index.Upsert(Company, [.. vectors.Select((v, i) => new VectorRecord($"r{i}", v))]);
        index.Retrain(Company);
        Assert.True(index.GetStatistics(Company).RerankFactor > 0, "the company's lists are not quantized");
        for (var i = 0; i < vectors.Length; i++)
            Assert.Equal($"r{i}", Assert.Single(index.Search(Company, vectors[i], 1, new SearchOptions { Probes = 2, RerankFactor = 1 })).Key);
    }

    [Fact]
    public void Bad_rerank_factors_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WerklyIndexOptions { Dimensions = 4, RerankFactor = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new WerklyIndexOptions { Dimensions = 4, Quantization = (VectorQuantization)7 }.Validate());
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 4 });
        index.Upsert(Company, "a", [1, 0, 0, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(Company, [1, 0, 0, 0], 1, new SearchOptions { RerankFactor = 65 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SearchQuery { Mode = SearchMode.Vector, Vector = new float[] { 1, 0, 0, 0 }, RerankFactor = 0 }.Validate());
    }
}
