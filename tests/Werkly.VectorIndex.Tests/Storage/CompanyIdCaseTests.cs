using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.Tests.Storage;

/// <summary>Storage compares company ids exactly (ordinal, case-sensitive): ids that differ only in case are two
/// companies. (Whether the facade lets a user create both is its decision, made at write time.)</summary>
public class CompanyIdCaseTests
{
    [Fact]
    public void One_commit_can_delete_Acme_and_create_acme_and_the_result_survives_reopen()
    {
        using var temp = new TempDirectory("case");
        using (var store = StorageTestData.Open(temp.Path))
        {
            store.Commit([StorageTestData.Segment("Acme", 0, 6, seed: 1), StorageTestData.Segment("globex", 0, 4, seed: 2)]);
            string acmeFile = Directory.GetFiles(temp.Path, "seg-*").Order(StringComparer.Ordinal).First();

            store.Commit([new CompanyChange("Acme") { DeleteCompany = true }, StorageTestData.Segment("acme", 0, 3, seed: 3)]);

            using var snapshot = store.OpenSnapshot();
            Assert.Equal(["globex", "acme"], snapshot.Companies.Select(c => c.CompanyId));
            Assert.Null(snapshot.FindCompany("Acme"));
            Assert.Equal(3, snapshot.FindCompany("acme")!.Segments.Single().Entry.RowCount);
            Assert.Equal("acme-0-2", snapshot.FindCompany("acme")!.Segments[0].Segment.GetKey(2));
            Assert.False(File.Exists(acmeFile)); // the deleted company's segment was retired
        }

        using (var store = StorageTestData.Open(temp.Path))
        {
            using (var snapshot = store.OpenSnapshot())
            {
                Assert.Equal(["globex", "acme"], snapshot.Companies.Select(c => c.CompanyId));
                Assert.Null(snapshot.FindCompany("Acme"));
            }
            // The reopened writer keeps committing to the new company.
            store.Commit([StorageTestData.Segment("acme", 1, 2, seed: 4)]);
        }
        using var reader = StorageTestData.Open(temp.Path, readOnly: true);
        using var last = reader.OpenSnapshot();
        Assert.Equal([0L, 1L], last.FindCompany("acme")!.Segments.Select(s => s.SegmentId));
    }

    [Fact]
    public void Two_companies_differing_only_in_case_are_stored_apart_and_round_trip()
    {
        using var temp = new TempDirectory("case");
        using (var store = StorageTestData.Open(temp.Path))
        {
            store.Commit([StorageTestData.Segment("Acme", 0, 5, dimensions: 8, seed: 10), StorageTestData.Segment("acme", 0, 7, dimensions: 16, seed: 11)]);
            // A later commit touches one of them only; the other keeps its state.
            store.Commit([StorageTestData.Segment("ACME", 0, 2, dimensions: 4, seed: 12),
                new CompanyChange("acme") { AddedTombstones = new Dictionary<long, IReadOnlyCollection<int>> { [0] = [1] } }]);
        }

        foreach (bool readOnly in new[] { false, true })
        {
            using var store = StorageTestData.Open(temp.Path, readOnly: readOnly);
            using var snapshot = store.OpenSnapshot();
            Assert.Equal(["Acme", "acme", "ACME"], snapshot.Companies.Select(c => c.CompanyId));
            var upper = snapshot.FindCompany("Acme")!;
            var lower = snapshot.FindCompany("acme")!;
            var shout = snapshot.FindCompany("ACME")!;
            Assert.Equal((8, 5, 0), (upper.Dimensions, upper.Segments[0].Entry.RowCount, upper.Segments[0].Entry.DeletedCount));
            Assert.Equal((16, 7, 1), (lower.Dimensions, lower.Segments[0].Entry.RowCount, lower.Segments[0].Entry.DeletedCount));
            Assert.Equal((4, 2), (shout.Dimensions, shout.Segments[0].Entry.RowCount));
            Assert.Equal("Acme-0-4", upper.Segments[0].Segment.GetKey(4));
            Assert.Equal("acme-0-6", lower.Segments[0].Segment.GetKey(6));
            Assert.Equal("ACME-0-1", shout.Segments[0].Segment.GetKey(1));
            Assert.Null(snapshot.FindCompany("aCME"));
            snapshot.VerifyAll();
        }
    }

    [Fact]
    public void Deleting_one_case_variant_leaves_the_other_untouched()
    {
        using var temp = new TempDirectory("case");
        using var store = StorageTestData.Open(temp.Path);
        store.Commit([StorageTestData.Segment("Acme", 0, 5, seed: 20), StorageTestData.Segment("acme", 0, 6, seed: 21)]);
        store.Commit([new CompanyChange("acme") { DeleteCompany = true }]);
        using var snapshot = store.OpenSnapshot();
        Assert.Equal(["Acme"], snapshot.Companies.Select(c => c.CompanyId));
        Assert.Equal(5, snapshot.Companies[0].Segments[0].Entry.RowCount);
        Assert.Equal("Acme-0-4", snapshot.Companies[0].Segments[0].Segment.GetKey(4));
        Assert.Equal(StorageTestData.Describe(store), StorageTestData.DescribeOnDisk(temp.Path));
    }

    [Fact]
    public void The_same_id_twice_in_one_commit_is_still_refused()
    {
        using var temp = new TempDirectory("case");
        using var store = StorageTestData.Open(temp.Path);
        var ex = Assert.Throws<ArgumentException>(() => store.Commit([StorageTestData.Segment("acme", 0, 2), StorageTestData.Segment("acme", 1, 2)]));
        Assert.Contains("more than one change", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.Generation);
    }
}
