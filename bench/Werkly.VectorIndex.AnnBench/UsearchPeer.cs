using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using Cloud.Unum.USearch;

namespace Werkly.VectorIndex.AnnBench;

/// <summary>
/// USearch (Cloud.Unum.USearch, native HNSW) as a peer: one index per scalar kind, built on the same vectors, searched
/// at several expansion (ef) values by changing the index's search expansion in place.
/// </summary>
/// <remarks>
/// The C# binding has no setter for the search expansion nor a memory figure, so those two calls go to the same native
/// library's C API (<c>usearch_change_expansion_search</c>, <c>usearch_memory_usage</c>) with the binding's own handle.
/// </remarks>
internal sealed partial class UsearchPeer : IDisposable
{
    private const string Library = "libusearch_c";
    private static readonly FieldInfo HandleField = typeof(USearchIndex).GetField("_index", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new InvalidOperationException("USearchIndex has no _index field: the binding changed, update UsearchPeer.");

    private readonly USearchIndex _index;
    private readonly IntPtr _handle;

    private UsearchPeer(USearchIndex index, ScalarKind kind)
    {
        _index = index;
        _handle = (IntPtr)HandleField.GetValue(index)!;
        Kind = kind;
    }

    public ScalarKind Kind { get; }

    public TimeSpan BuildTime { get; private set; }

    /// <summary>Bytes the index holds (graph and vectors), as the library reports them.</summary>
    public long MemoryBytes => (long)Check(usearch_memory_usage(_handle, out var error), error);

    /// <summary>Builds an HNSW index over <paramref name="vectors"/> (keys are row numbers): cosine metric, connectivity (M)
    /// <paramref name="connectivity"/>, construction expansion <paramref name="expansionAdd"/>, vectors added in row
    /// order on <paramref name="threads"/> threads.</summary>
    public static UsearchPeer Build(float[][] vectors, ScalarKind kind, int connectivity, int expansionAdd, int threads)
    {
        var watch = Stopwatch.StartNew();
        var index = new USearchIndex(MetricKind.Cos, kind, (ulong)vectors[0].Length, (ulong)connectivity, (ulong)expansionAdd, 64, false);
        var peer = new UsearchPeer(index, kind);
        usearch_reserve(peer._handle, (nuint)vectors.Length, out var error);
        Check(0, error);
        if (threads == 1)
        {
            for (var i = 0; i < vectors.Length; i++) index.Add((ulong)i, vectors[i]);
        }
        else
        {
            Parallel.For(0, vectors.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => index.Add((ulong)i, vectors[i]));
        }
        peer.BuildTime = watch.Elapsed;
        return peer;
    }

    /// <summary>Saves the index to <paramref name="path"/> (its on-disk form) and returns the file's size in bytes.</summary>
    public long Save(string path)
    {
        _index.Save(path);
        return new FileInfo(path).Length;
    }

    public void SetExpansion(int ef)
    {
        usearch_change_expansion_search(_handle, (nuint)ef, out var error);
        Check(0, error);
    }

    public int Search(float[] query, int k, out ulong[] keys) => _index.Search(query, k, out keys, out _);

    public void Dispose() => _index.Dispose();

    private static nuint Check(nuint value, IntPtr error) =>
        error == IntPtr.Zero ? value : throw new USearchException(Marshal.PtrToStringAnsi(error) ?? "unknown USearch error");

    [LibraryImport(Library)]
    private static partial void usearch_change_expansion_search(IntPtr index, nuint expansion, out IntPtr error);

    [LibraryImport(Library)]
    private static partial nuint usearch_memory_usage(IntPtr index, out IntPtr error);

    [LibraryImport(Library)]
    private static partial void usearch_reserve(IntPtr index, nuint capacity, out IntPtr error);
}
