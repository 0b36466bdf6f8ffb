namespace Werkly.VectorIndex.Tests.Storage.Facade;

/// <summary>
/// <see cref="Durability.PerWrite"/> end to end, in one process: every acknowledged write survives a dispose without a
/// commit (the log is replayed on open), and what the replayed log says keeps holding after the next commit.
/// </summary>
public class PerWriteDurabilityTests
{
    private static readonly WerklyIndexOptions Options = new() { Dimensions = 4, Durability = Durability.PerWrite };

    private static VectorRecord Record(string key, float x) => new(key, new[] { 1, x, 0, 0.25f }) { Text = $"text of {key}" };

    private static string[] Keys(WerklyIndex index, string company) => index.ContainsCompany(company) ? [.. index.GetKeys(company).Order(StringComparer.Ordinal)] : [];

    [Fact]
    public void Acknowledged_writes_survive_without_a_commit_and_after_the_next_one()
    {
        using var temp = new TempDirectory("per-write");
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            index.Upsert("acme", Record("a", 1));
            index.Commit();
            index.Upsert("acme", Record("b", 2));
            index.Apply("acme", [Record("c", 3)], ["a"]);
            index.ReplaceDocuments("acme", [new DocumentUpdate("d", "h1", [Record("d#0", 4), Record("d#1", 5)])]);
            index.Upsert("globex", Record("g", 6));
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.Equal(["b", "c", "d#0", "d#1"], Keys(index, "acme"));
            Assert.Equal(["g"], Keys(index, "globex"));
            Assert.Equal([new DocumentInfo("d", "h1", 2)], index.GetDocuments("acme"));
            Assert.Empty(index.CheckConsistency("acme"));
            Assert.True(index.DeleteDocument("acme", "d"));
            index.Commit();
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.Equal(["b", "c"], Keys(index, "acme"));
            Assert.Equal("c", index.Search("acme", new SearchQuery { Mode = SearchMode.Keyword, Text = "c" }).Single().Key);
        }
    }

    /// <summary>A company deletion that was only logged when the index closed: after the reopen replays it, the next
    /// commit must delete the committed company, or its old records come back at the following open.</summary>
    [Fact]
    public void A_replayed_company_deletion_is_committed_by_the_next_commit()
    {
        using var temp = new TempDirectory("per-write");
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            index.Upsert("acme", Record("old", 1));
            index.Upsert("globex", Record("g", 2));
            index.Commit();
            Assert.True(index.DeleteCompany("acme"));
            Assert.True(index.DeleteCompany("globex"));
            index.Upsert("globex", Record("new", 3)); // deleted and written again
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.False(index.ContainsCompany("acme"));
            Assert.Equal(["new"], Keys(index, "globex"));
            index.Commit();
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.False(index.ContainsCompany("acme"));
            Assert.Equal(["new"], Keys(index, "globex"));
        }
    }

    [Fact]
    public void Concurrent_writers_share_the_log_and_every_acknowledged_write_survives()
    {
        using var temp = new TempDirectory("per-write");
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, w =>
            {
                for (var i = 0; i < 50; i++)
                {
                    index.Upsert($"c{w}", Record($"k{i}", i));
                    if (w == 0 && i % 20 == 19) index.Commit(); // commits move what was appended meanwhile to the next log
                }
            });
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            for (var w = 0; w < 4; w++) Assert.Equal(50, index.Count($"c{w}"));
        }
    }
}
