using System.Globalization;

namespace Werkly.VectorIndex.CrashTest;

/// <summary>
/// The writer of the two-process read-replica test (issue 10, defect 8: a read-only reader never saw a later commit).
/// It writes batches forever: batch b replaces the <see cref="RecordsPerBatch"/> records of each company with records
/// carrying <c>batch = b</c>, so a reader's view of a company is consistent exactly when all its records carry one batch
/// number. With <see cref="Durability.OnCommit"/> every batch is committed and "committed b generation" is printed when
/// <see cref="WerklyIndex.Commit"/> returns; with <see cref="Durability.PerWrite"/> "acked b" is printed when both writes
/// of the batch returned, and every 10th batch is also committed.
/// </summary>
internal static class ReplicaWriter
{
    public const int Dimensions = 8;
    public const int RecordsPerBatch = 20;
    public static readonly string[] Companies = ["acme", "globex"];

    public static WerklyIndexOptions Options(Durability durability) => new() { Dimensions = Dimensions, Durability = durability };

    public static float[] Vector(long batch, int i)
    {
        var rng = new Random(unchecked((int)(batch * 7_919 + i)));
        var v = new float[Dimensions];
        for (var d = 0; d < Dimensions; d++) v[d] = (float)(rng.NextDouble() * 2 - 1);
        v[0] += 0.5f;
        return v;
    }

    public static int RunChild(string directory, Durability durability)
    {
        using var index = WerklyIndex.Open(directory, Options(durability));
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        for (long batch = 0; ; batch++)
        {
            foreach (var company in Companies)
            {
                index.Apply(company, [.. Enumerable.Range(0, RecordsPerBatch).Select(i =>
                    new VectorRecord($"r{i}", Vector(batch, i), new Dictionary<string, MetadataValue> { ["batch"] = batch }) { Text = $"batch b{batch}x record" })], []);
            }
            if (durability == Durability.PerWrite) Print($"acked {batch}");
            if (durability == Durability.OnCommit || batch % 10 == 9)
            {
                var generation = index.Commit();
                Print(string.Create(CultureInfo.InvariantCulture, $"committed {batch} {generation}"));
            }
        }
    }

    private static void Print(string line)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }
}
