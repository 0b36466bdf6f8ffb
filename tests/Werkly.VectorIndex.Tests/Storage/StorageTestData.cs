using Werkly.VectorIndex.CrashTest;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.Tests.Storage;

/// <summary>Builders shared by the storage tests.</summary>
internal static class StorageTestData
{
    /// <summary>Opens a writer on <paramref name="path"/> through the real file system (or <paramref name="device"/>).</summary>
    public static IndexDirectory Open(string path, IStorageDevice? device = null, bool readOnly = false) =>
        IndexDirectory.Open(device ?? FileStorageDevice.Instance, path, new IndexDirectoryOptions { ReadOnly = readOnly });

    /// <summary>Applies <paramref name="batches"/> CrashWorkload batches to a store and a model; returns the model.</summary>
    public static StoreModel Fill(IndexDirectory store, long seed, int batches, StoreModel? model = null, long firstBatch = 0)
    {
        model ??= new StoreModel();
        for (long b = firstBatch; b < firstBatch + batches; b++)
        {
            var ops = CrashWorkload.Generate(model, seed, b);
            store.Commit(CrashWorkload.ToChanges(ops), CrashWorkload.CommitDataFor(b));
            model.Apply(ops, CrashWorkload.Dimensions);
        }
        return model;
    }

    /// <summary>Everything the directory holds on disk, read by a fresh read-only instance.</summary>
    public static string DescribeOnDisk(string path)
    {
        using var store = Open(path, readOnly: true);
        using var snapshot = store.OpenSnapshot();
        return StoreModel.Read(snapshot).Describe();
    }

    /// <summary>Everything an open directory's current snapshot holds.</summary>
    public static string Describe(IndexDirectory store)
    {
        using var snapshot = store.OpenSnapshot();
        return StoreModel.Read(snapshot).Describe();
    }

    /// <summary>A one-company change with a segment of <paramref name="rows"/> rows of <paramref name="dimensions"/> dimensions.</summary>
    public static CompanyChange Segment(string company, long segmentId, int rows, int dimensions = 24, int lists = 3, int seed = 1)
    {
        var rng = new Random(seed);
        var vectors = Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, dimensions).Select(_ => (float)rng.NextDouble()).ToArray()).ToList();
        return new CompanyChange(company)
        {
            AddedSegments = [new SegmentImage(segmentId, dimensions, ArrayInvertedLists.RoundRobin(dimensions, lists, vectors),
                Enumerable.Range(0, rows).Select(i => $"{company}-{segmentId}-{i}").ToList())],
        };
    }
}
