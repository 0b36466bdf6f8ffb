namespace Werkly.VectorIndex.Tests.Storage.Facade;

/// <summary>Issue 10, points 3 and 4: extreme dates and <c>default(MetadataValue)</c> are committed and read back
/// exactly through <see cref="WerklyIndex"/>, and another company's commit is never held back by them.</summary>
public class MetadataPersistenceTests
{
    private static Dictionary<string, MetadataValue> EveryKind() => new()
    {
        ["null"] = default,
        ["max"] = DateTimeOffset.MaxValue,
        ["min"] = DateTimeOffset.MinValue,
        ["local"] = new DateTimeOffset(2026, 3, 1, 9, 15, 0, TimeSpan.FromHours(-5)).AddTicks(3),
        ["dt"] = MetadataValue.FromDateTime(new DateTime(2020, 1, 1, 12, 30, 45, DateTimeKind.Local).AddTicks(1)),
        ["int"] = MetadataValue.FromInteger(long.MaxValue),
        ["dec"] = MetadataValue.FromDecimal(-8.50m),
        ["tags"] = MetadataValue.FromStringList(["a", "b"]),
        ["ids"] = MetadataValue.FromIntegerList([1, long.MinValue]),
        ["xs"] = MetadataValue.FromNumberList([0.1, 2.5]),
        ["n"] = 1.25,
    };

    [Fact]
    public void Every_kind_survives_commit_and_reopen_exactly()
    {
        using var temp = new TempDirectory("metadata-kinds");
        var options = new WerklyIndexOptions { Dimensions = 4 };
        using (var index = WerklyIndex.Open(temp.Path, options))
        {
            index.Upsert("acme", "a", [1, 0, 0, 0], EveryKind());
            index.Upsert("globex", "g", [0, 1, 0, 0], new Dictionary<string, MetadataValue> { ["x"] = "y" });
            index.Commit();
        }
        using (var index = WerklyIndex.Open(temp.Path, options, readOnly: true))
        {
            Assert.True(index.TryGetRecord("acme", "a", out var record));
            var metadata = record.Metadata;
            var expected = EveryKind();
            Assert.Equal(expected.Count, metadata!.Count);
            foreach (var (key, value) in expected)
            {
                Assert.Equal(value.Kind, metadata[key].Kind);
                Assert.Equal(value, metadata[key]);
            }
            Assert.Equal(DateTimeOffset.MaxValue.UtcTicks, metadata["max"].AsDate().UtcTicks);
            Assert.Equal(TimeSpan.FromHours(-5), metadata["local"].AsDate().Offset);
            Assert.Equal(DateTimeKind.Local, metadata["dt"].AsDateTime().Kind);
            var hit = Assert.Single(index.Search("acme", [1, 0, 0, 0], 1));
            Assert.Equal(expected["dec"], hit.Metadata!["dec"]);
            Assert.True(index.TryGetRecord("globex", "g", out _));
        }
    }
}
