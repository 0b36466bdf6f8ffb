using Werkly.VectorIndex.CrashTest;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.Tests.Storage.Compatibility;

/// <summary>The index under Storage/Compatibility/v1 was written by format version 1 (by
/// <c>dotnet run --project bench/Werkly.VectorIndex.CrashTest -- write-fixture --dir …</c>) and is committed as is.
/// Every later version must keep reading it; never regenerate it.</summary>
public class FormatV1CompatibilityTests
{
    [Fact]
    public void Every_fixture_file_is_format_version_1()
    {
        var files = CompatibilityFixtures.Files("v1");
        Assert.Equal(7, files.Count);
        Assert.Single(files, f => f.EndsWith(".wvl", StringComparison.Ordinal));
        foreach (string file in files)
        {
            var header = FileHeader.Read(File.ReadAllBytes(file));
            Assert.Equal(StorageFormat.HeaderMagic, header.Magic);
            Assert.Equal(1, header.FormatVersion);
            Assert.Equal(1, header.RecordVersion);
        }
    }

    [Fact]
    public void The_v1_fixture_reads_back_exactly_its_content()
    {
        using var temp = CompatibilityFixtures.Copy("v1");
        using var store = StorageTestData.Open(temp.Path, readOnly: true);
        using var snapshot = store.OpenSnapshot();
        Assert.Equal(3, snapshot.Generation);
        Assert.Equal("fixture-v1 batch 2", System.Text.Encoding.UTF8.GetString(snapshot.CommitData.Span));
        Assert.Equal(CompatibilityFixture.ExpectedModel().Describe(), StoreModel.Read(snapshot).Describe());

        var acme = snapshot.FindCompany("acme")!;
        Assert.Equal(8, acme.Dimensions);
        Assert.Equal(1, acme.Centroids!.Metric);
        Assert.Equal(2, acme.Segments.Count);
        Assert.True(acme.Segments[0].Tombstones.Contains(1));
        Assert.Equal("Ünïcødé key ✓", acme.Segments[0].Segment.GetKey(3));
        var meta = acme.Segments[0].Segment.GetMetadata(0)!;
        Assert.Equal(new DateTimeOffset(2024, 5, 17, 8, 30, 0, TimeSpan.Zero), meta["at"].AsDate());
        Assert.Equal(3.0, meta["page"].AsNumber());
        Assert.Null(snapshot.FindCompany("gone"));
        Assert.Equal(CompatibilityFixture.AcmeProperties, acme.Properties.ToArray());
        var pending = store.PendingLog;
        Assert.Equal(2, pending.Count);
        Assert.Equal("doc-8", pending[0].Key);
        Assert.Equal(CompatibilityFixture.PendingLog()[0].Vector!.Value.ToArray(), pending[0].Vector!.Value.ToArray());
        Assert.Equal("nl", pending[0].Metadata!["lang"].AsString());
        Assert.True(pending[1].IsDelete);
        Assert.Equal("doc-3", pending[1].Key);
        Assert.Null(snapshot.FindCompany("beta.co_2")!.Centroids);
    }

    [Fact]
    public void A_v1_directory_accepts_new_commits()
    {
        using var temp = CompatibilityFixtures.Copy("v1");
        var expected = CompatibilityFixture.ExpectedModel();
        var op = new CompanyOp("acme");
        op.Add.Add(new ModelSegment(2, 3, [new ModelRow("doc-7", new float[8], null)]));
        op.Tombstones[1] = [0];
        using (var store = StorageTestData.Open(temp.Path))
        {
            Assert.Equal(2, store.PendingLog.Count);
            store.Commit([op.ToChange(CompatibilityFixture.Dimensions)]);
            Assert.Empty(store.PendingLog);
        }
        expected.Apply([op], CompatibilityFixture.Dimensions);
        Assert.Equal(expected.Describe(), StorageTestData.DescribeOnDisk(temp.Path));
    }
}
