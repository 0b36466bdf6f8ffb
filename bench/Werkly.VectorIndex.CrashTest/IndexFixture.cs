namespace Werkly.VectorIndex.CrashTest;

/// <summary>
/// The small index written through the public facade (<see cref="WerklyIndex"/>) by format version 1 and committed under
/// tests/…/Storage/Compatibility/v1-index. Never change the operations below: the compatibility test reopens those
/// files with every later version and compares them with <see cref="Expected"/>.
/// </summary>
internal static class IndexFixture
{
    public static readonly WerklyIndexOptions Options = new() { Dimensions = 8, FlatSearchThreshold = 10, Lists = 2 };

    public static float[] V(int seed) => [.. Enumerable.Range(0, 8).Select(i => (float)Math.Round(Math.Sin(seed * 17 + i) + 0.1, 4))];

    /// <summary>Company → key → (seed of its vector, metadata), after all commits.</summary>
    public static Dictionary<string, Dictionary<string, (int Seed, Dictionary<string, MetadataValue>? Metadata)>> Expected()
    {
        var acme = Enumerable.Range(0, 14).ToDictionary(i => $"doc-{i}", i => (i, (Dictionary<string, MetadataValue>?)Meta(i)));
        acme.Remove("doc-3");
        acme["doc-5"] = (100, new Dictionary<string, MetadataValue> { ["lang"] = "de", ["replaced"] = true });
        return new()
        {
            ["acme"] = acme,
            ["flat.co_2"] = new() { ["only"] = (50, null), ["Ünïcødé ✓"] = (51, new() { ["title"] = "Grüße" }) },
        };
    }

    private static Dictionary<string, MetadataValue> Meta(int i) => new()
    {
        ["lang"] = i % 2 == 0 ? "en" : "nl",
        ["page"] = i,
        ["draft"] = i % 3 == 0,
        ["at"] = new DateTimeOffset(2026, 11, 29, 8, i, 0, TimeSpan.Zero),
    };

    public static void Write(string directory)
    {
        using var index = WerklyIndex.Open(directory, Options);
        index.Upsert("acme", [.. Enumerable.Range(0, 14).Select(i => new VectorRecord($"doc-{i}", V(i), Meta(i)))]); // trains 2 lists
        index.Upsert("flat.co_2", "only", V(50));
        index.Commit();
        index.Delete("acme", "doc-3");
        index.Upsert("acme", "doc-5", V(100), new Dictionary<string, MetadataValue> { ["lang"] = "de", ["replaced"] = true });
        index.Upsert("flat.co_2", "Ünïcødé ✓", V(51), new Dictionary<string, MetadataValue> { ["title"] = "Grüße" });
        index.Commit();
    }
}
