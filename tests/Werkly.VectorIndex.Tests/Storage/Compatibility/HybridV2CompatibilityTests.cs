using Werkly.VectorIndex.CrashTest;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Tests.Storage.Compatibility;

/// <summary>The index under Storage/Compatibility/v2-hybrid was written through the hybrid index of its day with segment
/// record version 2 (keyword blocks; <see cref="HybridFixture.Write"/>). Every later version must open it, load its
/// stored postings, and search exactly like an index built from its content. (Regenerated once on the day it was
/// created, before any release, when review added the NFKC implementation to the analyzer fingerprint.)</summary>
public class HybridV2CompatibilityTests
{
    private static readonly string[] Queries = ["vacation days", "phishing report", "public holidays december", "laptop", "grüße köln strasse", "passwords manager"];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_v2_hybrid_index_loads_its_stored_postings_and_searches_like_its_content(bool readOnly)
    {
        using var temp = CompatibilityFixtures.Copy("v2-hybrid");
        using var index = WerklyIndex.Open(temp.Path, HybridFixture.Options, readOnly);
        using var reference = new WerklyIndex(HybridFixture.Options);
        var expected = HybridFixture.Expected();
        foreach (var (company, records) in expected)
        {
            reference.Apply(company, [.. records.Select(r => new VectorRecord(r.Key, HybridFixture.V(r.Value.Seed)) { Title = r.Value.Title, Text = r.Value.Text })], []);
            Assert.Equal(records.Keys.Order(StringComparer.Ordinal), index.GetKeys(company).Order(StringComparer.Ordinal));
            foreach (var query in Queries)
            {
                var keywordQuery = new SearchQuery { Mode = SearchMode.Keyword, Text = query, Include = RecordFields.Text, Top = 10 };
                var want = reference.Search(company, keywordQuery);
                var got = index.Search(company, keywordQuery);
                Assert.Equal(want.Select(h => (h.Key, h.Score, h.Title, h.Text)), got.Select(h => (h.Key, h.Score, h.Title, h.Text)));
            }
            var load = index.KeywordLoadOf(company)!.Value;
            // The fixture was written by this repository's tools, which run globalization-invariant (NFKC by the
            // built-in fold): a process with ICU declines those postings and analyzes the stored texts instead.
            if (TextAnalyzer.RuntimeNormalizes) Assert.Equal(0, load.SegmentsFromBlocks);
            else Assert.Equal(0, load.SegmentsAnalyzed);
            Assert.Equal(records.Count, load.Documents);
        }
        Assert.NotEmpty(index.Search("acme", new SearchQuery { Text = "phishing", Vector = HybridFixture.V(8) }));
        if (!readOnly)
        {
            index.Apply("acme", [new VectorRecord("acme-new", HybridFixture.V(300)) { Text = "Bicycle lease through the payroll." }], ["acme-0"]);
            index.Commit();
            Assert.Equal("acme-new", Assert.Single(index.Search("acme", new SearchQuery { Mode = SearchMode.Keyword, Text = "bicycle payroll" })).Key);
        }
    }
}
