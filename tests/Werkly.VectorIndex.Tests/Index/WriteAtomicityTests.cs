using Werkly.VectorIndex.Tests.Storage;

namespace Werkly.VectorIndex.Tests.Index;

/// <summary>
/// Issue 10, defect 6: a cancelled <c>HybridIndex.Apply</c> of 20,000 records left 20,001 vector records and 1 keyword
/// record, and a never-acknowledged document version survived a reopen. A large write cancelled at a random moment is
/// now all or nothing: vectors, keywords and documents agree, in memory and after a commit and a reopen.
/// </summary>
public class WriteAtomicityTests
{
    private const int Dimensions = 16;
    private static readonly WerklyIndexOptions Options = new() { Dimensions = Dimensions, FlatSearchThreshold = 5_000, Lists = 8, TrainingIterations = 3 };

    private static List<VectorRecord> Records(int count, string prefix, int seed) =>
        [.. TestData.Clustered(count, Dimensions, 20, 0.1f, seed).Select((v, i) => new VectorRecord($"{prefix}{i}", v) { Text = $"record {prefix}{i} words w{i % 50}x" })];

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(30)]
    public void A_large_write_cancelled_at_any_moment_is_all_or_nothing(int cancelAfterMs)
    {
        using var temp = new TempDirectory("atomic");
        bool applied, replaced;
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            index.Upsert("acme", [new VectorRecord("seed", Records(1, "s", 1)[0].Vector) { Text = "seed" }]);
            index.ReplaceDocuments("acme", [new DocumentUpdate("manual", "v1", Records(25, "manual#", 2))]);
            index.Commit();

            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(cancelAfterMs));
            applied = Completes(() => index.Apply("acme", Records(20_000, "r", 3), [], cts.Token));
            using var cts2 = new CancellationTokenSource(TimeSpan.FromMilliseconds(cancelAfterMs));
            replaced = Completes(() => index.ReplaceDocuments("acme", [new DocumentUpdate("manual", "v2", Records(30, "manual#", 4))], cts2.Token));
            Check(index, applied, replaced);
            index.Commit();
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
            Check(index, applied, replaced);
    }

    private static bool Completes(Action write)
    {
        try
        {
            write();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static void Check(WerklyIndex index, bool applied, bool replaced)
    {
        Assert.Empty(index.CheckConsistency("acme"));
        Assert.Equal(1 + (applied ? 20_000 : 0) + (replaced ? 30 : 25), index.Count("acme"));
        Assert.Equal([new DocumentInfo("manual", replaced ? "v2" : "v1", replaced ? 30 : 25)], index.GetDocuments("acme"));
        // The keyword side holds exactly the records the vector side holds.
        var word = index.Search("acme", new SearchQuery { Mode = SearchMode.Keyword, Text = "w7x", Top = SearchQuery.MaxTop });
        Assert.Equal((applied ? 400 : 0) + 1, word.Count); // one record of the document holds the word in either version
    }
}
