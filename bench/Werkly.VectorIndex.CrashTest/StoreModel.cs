using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.CrashTest;

/// <summary>One row of a model segment.</summary>
internal sealed record ModelRow(string Key, float[] Vector, IReadOnlyDictionary<string, MetadataValue>? Metadata);

/// <summary>A segment as the model expects it.</summary>
internal sealed class ModelSegment(long id, int listCount, List<ModelRow> rows)
{
    public long Id { get; } = id;
    public int ListCount { get; } = listCount;
    public List<ModelRow> Rows { get; } = rows;
    public SortedSet<int> Deleted { get; } = [];

    public ModelSegment Clone()
    {
        var copy = new ModelSegment(Id, ListCount, Rows);
        copy.Deleted.UnionWith(Deleted);
        return copy;
    }
}

/// <summary>A company's quantizer as the model expects it.</summary>
internal sealed record ModelCentroids(int ListCount, byte Metric, long Version, long TrainedRows, float[] Vectors);

/// <summary>A company as the model expects it.</summary>
internal sealed class ModelCompany(string id, int dimensions)
{
    public string Id { get; } = id;
    public int Dimensions { get; } = dimensions;
    public ModelCentroids? Centroids { get; set; }
    public List<ModelSegment> Segments { get; } = [];

    public IEnumerable<(ModelSegment Segment, int Row)> LiveRows() =>
        Segments.SelectMany(s => Enumerable.Range(0, s.Rows.Count).Where(r => !s.Deleted.Contains(r)).Select(r => (s, r)));
}

/// <summary>One company's part of a batch; mirrors <see cref="CompanyChange"/> in model terms.</summary>
internal sealed class CompanyOp(string company)
{
    public string Company { get; } = company;
    public bool Delete { get; init; }
    public ModelCentroids? Centroids { get; init; }
    public List<long> Remove { get; } = [];
    public List<ModelSegment> Add { get; } = [];
    public Dictionary<long, List<int>> Tombstones { get; } = [];

    public CompanyChange ToChange(int dimensions) => new(Company)
    {
        DeleteCompany = Delete,
        Centroids = Centroids is null ? null : new CentroidsImage(dimensions, Centroids.ListCount, Centroids.Metric, Centroids.Version, Centroids.TrainedRows, Centroids.Vectors),
        RemovedSegments = Remove,
        AddedSegments = Add.Select(s => new SegmentImage(s.Id, dimensions, ArrayInvertedLists.RoundRobin(dimensions, s.ListCount, s.Rows.Select(r => r.Vector).ToList()),
            s.Rows.Select(r => r.Key).ToList(), s.Rows.Select(r => r.Metadata).ToList())).ToList(),
        AddedTombstones = Tombstones.ToDictionary(kv => kv.Key, kv => (IReadOnlyCollection<int>)kv.Value),
    };
}

/// <summary>The expected content of an index directory, and a canonical text form to compare it with what a
/// snapshot actually holds.</summary>
internal sealed class StoreModel
{
    public SortedDictionary<string, ModelCompany> Companies { get; } = new(StringComparer.Ordinal);

    /// <summary>Applies a batch with the semantics of <see cref="IndexDirectory.Commit"/>.</summary>
    public void Apply(IEnumerable<CompanyOp> batch, int dimensions)
    {
        foreach (var op in batch)
        {
            Companies.TryGetValue(op.Company, out var company);
            if (op.Delete) company = null;
            company ??= new ModelCompany(op.Company, dimensions) { Centroids = null };
            var next = new ModelCompany(op.Company, dimensions) { Centroids = op.Centroids ?? company.Centroids };
            next.Segments.AddRange(company.Segments.Where(s => !op.Remove.Contains(s.Id)).Select(s => s.Clone()));
            next.Segments.AddRange(op.Add.Select(s => s.Clone()));
            foreach (var (id, rows) in op.Tombstones) next.Segments.Single(s => s.Id == id).Deleted.UnionWith(rows);
            if (next.Segments.Count == 0 && next.Centroids is null) Companies.Remove(op.Company);
            else Companies[op.Company] = next;
        }
    }

    /// <summary>Reads everything a snapshot holds (verifying every block) into a model.</summary>
    public static StoreModel Read(IndexSnapshot snapshot)
    {
        var model = new StoreModel();
        foreach (var company in snapshot.Companies)
        {
            var c = new ModelCompany(company.CompanyId, company.Dimensions);
            if (company.Centroids is { } centroids)
                c.Centroids = new ModelCentroids(centroids.ListCount, centroids.Metric, centroids.TrainingVersion, centroids.TrainedRowCount, centroids.Vectors.ToArray());
            foreach (var s in company.Segments)
            {
                var segment = s.Segment;
                var vectors = new float[segment.RowCount][];
                var lists = segment.Lists;
                for (int list = 0; list < lists.ListCount; list++)
                {
                    var block = lists.GetVectors(list);
                    var ids = lists.GetRowIds(list);
                    for (int i = 0; i < ids.Length; i++) vectors[ids[i]] = block.Slice(i * lists.Stride, lists.Stride).ToArray();
                }
                var rows = new List<ModelRow>(segment.RowCount);
                for (int row = 0; row < segment.RowCount; row++)
                    rows.Add(new ModelRow(segment.GetKey(row), vectors[row] ?? [], segment.GetMetadata(row)));
                var ms = new ModelSegment(s.SegmentId, lists.ListCount, rows);
                foreach (int row in s.Tombstones.RowIds) ms.Deleted.Add(row);
                c.Segments.Add(ms);
            }
            model.Companies[c.Id] = c;
        }
        return model;
    }

    /// <summary>A canonical text form: equal models give equal text.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        foreach (var c in Companies.Values)
        {
            sb.Append(CultureInfo.InvariantCulture, $"company {c.Id} dims={c.Dimensions}\n");
            if (c.Centroids is { } k)
                sb.Append(CultureInfo.InvariantCulture, $"  centroids lists={k.ListCount} metric={k.Metric} v={k.Version} trained={k.TrainedRows} h={Hash(k.Vectors, k.Vectors.Length)}\n");
            foreach (var s in c.Segments)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  segment {s.Id} lists={s.ListCount} rows={s.Rows.Count} deleted=[{string.Join(',', s.Deleted)}]\n");
                foreach (var r in s.Rows)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"    {r.Key} v={Hash(r.Vector, r.Vector.Length)}");
                    if (r.Metadata is not null)
                        foreach (var (key, value) in r.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                            sb.Append(CultureInfo.InvariantCulture, $" {key}:{value.Kind}={value}");
                    sb.Append('\n');
                }
            }
        }
        return sb.ToString();
    }

    // Vectors are compared over their stride-padded form from the store: pad the model's to the stride first.
    private static string Hash(float[] vector, int length)
    {
        int stride = StorageFormat.StrideFor(length);
        var padded = new float[stride];
        vector.AsSpan(0, Math.Min(vector.Length, stride)).CopyTo(padded);
        return XxHash64.HashToUInt64(MemoryMarshal.AsBytes(padded.AsSpan())).ToString("x16", CultureInfo.InvariantCulture);
    }
}
