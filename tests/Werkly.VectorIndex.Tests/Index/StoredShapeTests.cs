using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Tests.Storage;

namespace Werkly.VectorIndex.Tests.Index;

/// <summary><see cref="WerklyIndex.GetDocumentKeys"/> and <see cref="WerklyIndex.TryReadDimensions"/>: what a tool needs
/// to copy a document catalog and to open an index it did not create.</summary>
public class StoredShapeTests
{
    private static float[] Vector(int dimensions, int seed)
    {
        var v = new float[dimensions];
        v[seed % dimensions] = 1;
        v[(seed + 1) % dimensions] = 0.5f;
        return v;
    }

    [Fact]
    public void Document_keys_are_the_documents_live_records_in_ordinal_order()
    {
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 8 });
        index.ReplaceDocuments("acme", [
            new DocumentUpdate("guide.md", "h1", [new VectorRecord("guide.md#10", Vector(8, 1)), new VectorRecord("guide.md#2", Vector(8, 2)), new VectorRecord("guide.md#1", Vector(8, 3))]),
            new DocumentUpdate("faq.md", "h2", [new VectorRecord("faq.md#0", Vector(8, 4))]),
        ]);
        index.Upsert("acme", new VectorRecord("loose", Vector(8, 5)));

        Assert.Equal(["guide.md#1", "guide.md#10", "guide.md#2"], index.GetDocumentKeys("acme", "guide.md"));
        Assert.Equal(["faq.md#0"], index.GetDocumentKeys("acme", "faq.md"));
        Assert.Empty(index.GetDocumentKeys("acme", "missing.md"));
        Assert.Empty(index.GetDocumentKeys("globex", "guide.md"));

        Assert.True(index.Delete("acme", "guide.md#2"));
        Assert.Equal(["guide.md#1", "guide.md#10"], index.GetDocumentKeys("acme", "guide.md"));
        index.ReplaceDocuments("acme", [new DocumentUpdate("guide.md", "h3", [new VectorRecord("guide.md#0", Vector(8, 6))])]);
        Assert.Equal(["guide.md#0"], index.GetDocumentKeys("acme", "guide.md"));
    }

    [Fact]
    public void Stored_dimensions_and_metric_are_read_without_opening_the_index()
    {
        using var folder = new TempDirectory("shape");
        var path = folder.Combine("index");
        Assert.False(WerklyIndex.TryReadDimensions(path, out _, out _)); // no index

        using (var index = WerklyIndex.Open(path, new WerklyIndexOptions { Dimensions = 512, Metric = DistanceMetric.InnerProduct }))
        {
            Assert.False(WerklyIndex.TryReadDimensions(path, out _, out _)); // created, never committed
            index.Upsert("acme", new VectorRecord("k", Vector(512, 7)));
            index.Commit();
            // Read while the writer holds the directory.
            Assert.True(WerklyIndex.TryReadDimensions(path, out var dimensions, out var metric));
            Assert.Equal((512, DistanceMetric.InnerProduct), (dimensions, metric));
        }

        Assert.True(WerklyIndex.TryReadDimensions(path, out var stored, out var storedMetric));
        using var reopened = WerklyIndex.Open(path, new WerklyIndexOptions { Dimensions = stored, Metric = storedMetric }, readOnly: true);
        Assert.Equal(1, reopened.Count("acme"));
    }
}
