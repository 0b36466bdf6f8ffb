namespace Werkly.VectorIndex.Ivf;

/// <summary>
/// The inverted lists of one IVF segment: for each list, a contiguous block of vectors and the parallel row ids.
/// </summary>
/// <remarks>
/// <para>Vectors are stored row-major with a row stride of <see cref="Stride"/> floats (the dimensions rounded up to a
/// multiple of 16, zero-padded), and every list block starts on a 64-byte boundary, so the block kernels load full,
/// aligned vectors and never need a tail.</para>
/// <para>Implementations are managed arrays (<c>MemoryInvertedLists</c>) or memory-mapped segment files.
/// Threading: concurrent readers are safe; a mutable implementation documents its own writer rules.</para>
/// </remarks>
internal interface IInvertedLists
{
    /// <summary>Number of lists (equals the quantizer's centroid count, or 1 for a flat segment).</summary>
    int ListCount { get; }

    /// <summary>Floats per row: the dimensions rounded up to a multiple of 16.</summary>
    int Stride { get; }

    /// <summary>Rows currently in list <paramref name="list"/>.</summary>
    int GetCount(int list);

    /// <summary>The vectors of list <paramref name="list"/>: <c>GetCount(list) * Stride</c> floats, 64-byte aligned.</summary>
    ReadOnlySpan<float> GetVectors(int list);

    /// <summary>The segment-local row id of each vector of list <paramref name="list"/>.</summary>
    ReadOnlySpan<int> GetRowIds(int list);
}
