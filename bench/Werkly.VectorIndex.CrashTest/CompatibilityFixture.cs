using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.CrashTest;

/// <summary>The small index committed under tests/…/Storage/Compatibility/v1 and the content it must always read back as.</summary>
/// <remarks>Never change the batches below: the committed files were written from them by format version 1, and the
/// compatibility test compares what it reads with <see cref="ExpectedModel"/>.</remarks>
internal static class CompatibilityFixture
{
    public const int Dimensions = 8;

    /// <summary>The three commits the fixture holds.</summary>
    public static List<List<CompanyOp>> Batches()
    {
        static float[] V(int seed) => Enumerable.Range(0, Dimensions).Select(i => (float)Math.Round(Math.Sin(seed * 31 + i), 4)).ToArray();
        static ModelRow Row(string key, int seed, Dictionary<string, MetadataValue>? meta = null) => new(key, V(seed), meta);
        var centroids = new ModelCentroids(3, 1, 1, 5, Enumerable.Range(0, 3 * 16).Select(i => i % 16 < Dimensions ? (float)Math.Round(Math.Cos(i), 4) : 0f).ToArray());

        var first = new CompanyOp("acme") { Centroids = centroids };
        first.Add.Add(new ModelSegment(0, 3, [
            Row("doc-1", 1, new() { ["lang"] = "en", ["page"] = 3, ["draft"] = false, ["at"] = new DateTimeOffset(2024, 5, 17, 8, 30, 0, TimeSpan.Zero) }),
            Row("doc-2", 2, new() { ["lang"] = "de" }),
            Row("doc-3", 3),
            Row("Ünïcødé key ✓", 4, new() { ["title"] = "Grüße" }),
            Row("doc-5", 5, []),
        ]));
        var flat = new CompanyOp("beta.co_2");
        flat.Add.Add(new ModelSegment(0, 1, [Row("only", 9, new() { ["n"] = -1.5 })]));

        var second = new CompanyOp("acme");
        second.Add.Add(new ModelSegment(1, 3, [Row("doc-2", 22, new() { ["lang"] = "fr" }), Row("doc-6", 6)]));
        second.Tombstones[0] = [1, 2];

        var third = new CompanyOp("gone") { };
        third.Add.Add(new ModelSegment(0, 1, [Row("x", 7)]));
        var fourth = new CompanyOp("gone") { Delete = true };

        return [[first, flat], [second, third], [fourth]];
    }

    /// <summary>The content after all batches.</summary>
    public static StoreModel ExpectedModel()
    {
        var model = new StoreModel();
        foreach (var batch in Batches()) model.Apply(batch, Dimensions);
        return model;
    }

    /// <summary>The per-company properties the first commit stores for acme.</summary>
    public static byte[] AcmeProperties => "probes=4;recall=0.95"u8.ToArray();

    /// <summary>The records left in the write-ahead log after the last commit.</summary>
    public static IReadOnlyList<LogRecord> PendingLog() =>
    [
        LogRecord.Upsert("acme", "doc-8", new float[] { 1, -2, 3, -4, 5, -6, 7, -8 }, new Dictionary<string, MetadataValue> { ["lang"] = "nl" }),
        LogRecord.Delete("acme", "doc-3"),
    ];

    /// <summary>Writes the fixture into an empty <paramref name="directory"/>.</summary>
    public static void Write(string directory)
    {
        using var store = IndexDirectory.Open(FileStorageDevice.Instance, directory);
        long n = 0;
        foreach (var batch in Batches())
        {
            var changes = batch.Select(op => op.ToChange(Dimensions)).ToList();
            if (n == 0)
            {
                var acme = changes[0];
                changes[0] = new CompanyChange(acme.CompanyId) { Centroids = acme.Centroids, AddedSegments = acme.AddedSegments, Properties = AcmeProperties };
            }
            store.Commit(changes, System.Text.Encoding.UTF8.GetBytes($"fixture-v1 batch {n++}"));
        }
        store.AppendLog(PendingLog());
    }
}
