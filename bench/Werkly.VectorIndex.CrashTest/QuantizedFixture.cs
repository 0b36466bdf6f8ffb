namespace Werkly.VectorIndex.CrashTest;

/// <summary>
/// The small quantized index committed under tests/…/Storage/Compatibility/v3-quantized: segment record version 3 (QINF
/// and QLST code blocks) and centroids record version 2 (SQRG ranges), written through <see cref="WerklyIndex"/> in two
/// sessions, so company "eight" holds an 8-bit and a 4-bit segment and company "four" 4-bit codes and a tombstone. Never
/// change the operations below: the compatibility test reopens those files with every later version and compares them
/// with <see cref="Expected"/>.
/// </summary>
internal static class QuantizedFixture
{
    public static readonly WerklyIndexOptions Options = new() { Dimensions = 8, FlatSearchThreshold = 10, Lists = 2, Quantization = VectorQuantization.Scalar4 };

    public static float[] V(int seed) => [.. Enumerable.Range(0, 8).Select(i => (float)Math.Round(Math.Sin(seed * 13 + i * 0.7) + 0.05 * i, 4))];

    /// <summary>Company → key → seed of its vector, after both sessions.</summary>
    public static Dictionary<string, Dictionary<string, int>> Expected()
    {
        var eight = Enumerable.Range(0, 24).ToDictionary(i => $"e-{i}", i => i);
        eight["e-late"] = 99;
        var four = Enumerable.Range(0, 24).ToDictionary(i => $"f-{i}", i => 100 + i);
        four.Remove("f-3");
        return new() { ["eight"] = eight, ["four"] = four };
    }

    public static void Write(string directory)
    {
        using (var index = WerklyIndex.Open(directory, Options with { Quantization = VectorQuantization.Scalar8 }))
        {
            index.Upsert("eight", [.. Enumerable.Range(0, 24).Select(i => new VectorRecord($"e-{i}", V(i)))]); // trains 2 lists, 8-bit codes
            index.Commit();
        }
        using (var index = WerklyIndex.Open(directory, Options))
        {
            index.Upsert("four", [.. Enumerable.Range(0, 24).Select(i => new VectorRecord($"f-{i}", V(100 + i)))]); // 4-bit codes
            index.Upsert("eight", "e-late", V(99)); // a 4-bit row over the 8-bit company's ranges
            index.Commit();
            index.Delete("four", "f-3");
            index.Commit();
        }
    }
}
