using System.Globalization;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.CrashTest;

/// <summary>A deterministic stream of commit batches exercising every kind of change: new segments, upserts
/// (tombstone + re-add), deletes, retraining (new centroids), merges (remove segments + add one) and company deletion.</summary>
/// <remarks>Batch <c>n</c> depends only on the seed, <c>n</c> and the model state after batch <c>n - 1</c>, so a writer
/// that restarts from a reopened store generates the same batches as the verifier's independent model.</remarks>
internal static class CrashWorkload
{
    public const int Dimensions = 24;
    private static readonly string[] s_companies = ["acme", "globex", "initech", "umbrella"];

    /// <summary>Generates batch <paramref name="batch"/> from the state <paramref name="model"/> holds after the previous one.</summary>
    public static List<CompanyOp> Generate(StoreModel model, long seed, long batch)
    {
        var rng = new Random(unchecked((int)(seed * 1_000_003 + batch * 7_919)));
        int companyCount = 1 + rng.Next(2);
        var chosen = s_companies.OrderBy(_ => rng.Next()).Take(companyCount).ToList();
        var ops = new List<CompanyOp>();
        foreach (string id in chosen)
        {
            model.Companies.TryGetValue(id, out var company);
            if (company is not null && rng.Next(40) == 0)
            {
                ops.Add(new CompanyOp(id) { Delete = true });
                continue;
            }

            ModelCentroids? centroids = null;
            if (company?.Centroids is null || rng.Next(8) == 0)
            {
                int lists = 1 + rng.Next(4);
                centroids = new ModelCentroids(lists, (byte)rng.Next(3), (company?.Centroids?.Version ?? 0) + 1,
                    company?.LiveRows().Count() ?? 0, RandomVectors(rng, lists * 32, padTo: 32));
            }
            var op = new CompanyOp(id) { Centroids = centroids };
            int listCount = (centroids ?? company!.Centroids!).ListCount;
            long nextSegment = (company?.Segments.Count > 0 ? company.Segments.Max(s => s.Id) : -1) + 1;
            var live = company?.LiveRows().ToList() ?? [];

            if (company is not null && company.Segments.Count >= 3 && rng.Next(4) == 0)
            {
                // Merge: one new segment with every live row replaces all segments.
                op.Remove.AddRange(company.Segments.Select(s => s.Id));
                op.Add.Add(new ModelSegment(nextSegment, listCount, live.Select(x => x.Segment.Rows[x.Row]).ToList()));
                ops.Add(op);
                continue;
            }

            var rows = new List<ModelRow>();
            var usedKeys = new HashSet<string>(StringComparer.Ordinal);
            int newRows = 3 + rng.Next(28);
            for (int i = 0; i < newRows; i++)
            {
                string key;
                if (live.Count > 0 && rng.Next(5) == 0)
                {
                    // Upsert of an existing key: tombstone its live row, add the new version.
                    var (segment, row) = live[rng.Next(live.Count)];
                    key = segment.Rows[row].Key;
                    if (!usedKeys.Add(key)) continue;
                    Tombstone(op, segment.Id, row);
                }
                else
                {
                    key = string.Create(CultureInfo.InvariantCulture, $"doc-{batch}-{i}-é");
                    if (!usedKeys.Add(key)) continue;
                }
                rows.Add(new ModelRow(key, RandomVectors(rng, Dimensions, Dimensions), RandomMetadata(rng)));
            }
            for (int d = rng.Next(4); d > 0 && live.Count > 0; d--)
            {
                var (segment, row) = live[rng.Next(live.Count)];
                if (!usedKeys.Contains(segment.Rows[row].Key)) Tombstone(op, segment.Id, row);
            }
            op.Add.Add(new ModelSegment(nextSegment, listCount, rows));
            ops.Add(op);
        }
        return ops;
    }

    /// <summary>The directory changes of a batch.</summary>
    public static List<CompanyChange> ToChanges(IEnumerable<CompanyOp> batch) => batch.Select(op => op.ToChange(Dimensions)).ToList();

    /// <summary>The commit data that records the batch number.</summary>
    public static byte[] CommitDataFor(long batch) => BitConverter.GetBytes(batch);

    /// <summary>The batch number a snapshot's commit data records, or -1 for a new directory.</summary>
    public static long BatchOf(IndexSnapshot snapshot) => snapshot.CommitData.Length == 8 ? BitConverter.ToInt64(snapshot.CommitData.Span) : -1;

    private static void Tombstone(CompanyOp op, long segment, int row)
    {
        if (!op.Tombstones.TryGetValue(segment, out var rows)) op.Tombstones[segment] = rows = [];
        if (!rows.Contains(row)) rows.Add(row);
    }

    private static float[] RandomVectors(Random rng, int count, int padTo)
    {
        var v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (i % padTo) < Dimensions ? (float)(rng.NextDouble() * 2 - 1) : 0f;
        return v;
    }

    private static Dictionary<string, MetadataValue>? RandomMetadata(Random rng)
    {
        if (rng.Next(4) == 0) return null;
        var map = new Dictionary<string, MetadataValue>(StringComparer.Ordinal);
        if (rng.Next(2) == 0) map["lang"] = rng.Next(2) == 0 ? "en" : "de";
        if (rng.Next(2) == 0) map["page"] = rng.Next(1000) / 4.0;
        if (rng.Next(2) == 0) map["draft"] = rng.Next(2) == 0;
        if (rng.Next(2) == 0) map["at"] = new DateTimeOffset(2020 + rng.Next(6), 1 + rng.Next(12), 1 + rng.Next(28), rng.Next(24), 0, 0, TimeSpan.Zero);
        return map;
    }
}
