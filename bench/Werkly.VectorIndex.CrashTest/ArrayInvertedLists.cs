using Werkly.VectorIndex.Ivf;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.CrashTest;

/// <summary>Inverted lists over plain managed arrays: the test double of the core's in-memory lists.</summary>
internal sealed class ArrayInvertedLists : IInvertedLists
{
    private readonly float[][] _vectors;
    private readonly int[][] _rowIds;

    public ArrayInvertedLists(int stride, float[][] vectors, int[][] rowIds)
    {
        Stride = stride;
        _vectors = vectors;
        _rowIds = rowIds;
    }

    public int ListCount => _vectors.Length;

    public int Stride { get; }

    public int GetCount(int list) => _rowIds[list].Length;

    public ReadOnlySpan<float> GetVectors(int list) => _vectors[list];

    public ReadOnlySpan<int> GetRowIds(int list) => _rowIds[list];

    /// <summary>Assigns row r to list r % listCount, padding each vector to the stride with zeros.</summary>
    public static ArrayInvertedLists RoundRobin(int dimensions, int listCount, IReadOnlyList<float[]> rows)
    {
        int stride = StorageFormat.StrideFor(dimensions);
        var vectors = new float[listCount][];
        var rowIds = new int[listCount][];
        for (int list = 0; list < listCount; list++)
        {
            var ids = Enumerable.Range(0, rows.Count).Where(r => r % listCount == list).ToArray();
            rowIds[list] = ids;
            vectors[list] = new float[ids.Length * stride];
            for (int i = 0; i < ids.Length; i++) rows[ids[i]].AsSpan(0, dimensions).CopyTo(vectors[list].AsSpan(i * stride));
        }
        return new ArrayInvertedLists(stride, vectors, rowIds);
    }
}
