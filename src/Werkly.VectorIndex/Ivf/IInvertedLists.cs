namespace Werkly.VectorIndex.Ivf;

/// <summary>
/// The inverted lists of one IVF segment: for each list, a contiguous block of vectors and the parallel row ids, and,
/// when the segment is quantized, a parallel block of codes.
/// </summary>
/// <remarks>
/// <para>Vectors are stored row-major with a row stride of <see cref="Stride"/> floats (the dimensions rounded up to a
/// multiple of 16, zero-padded), and every list block starts on a 64-byte boundary, so the block kernels load full,
/// aligned vectors and never need a tail.</para>
/// <para>Codes (<see cref="CodeBits"/> 8 or 4) are the same rows in the same order, <see cref="CodeStride"/> bytes each,
/// also 64-byte aligned: a quantized search scans them and reads a vector only to re-rank it
/// (<see cref="GetVector(int, int)"/>), so only the codes need to stay in memory.</para>
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

    /// <summary>Bits per code: 8 or 4 when the lists carry codes, 0 when they do not (the default).</summary>
    int CodeBits => 0;

    /// <summary>Bytes per code row (0 without codes).</summary>
    int CodeStride => 0;

    /// <summary>The codes of list <paramref name="list"/>: <c>GetCount(list) * CodeStride</c> bytes, 64-byte aligned, in
    /// the order of <see cref="GetRowIds"/>; empty without codes.</summary>
    ReadOnlySpan<byte> GetCodes(int list) => [];

    /// <summary>The exact squared norm of each row of list <paramref name="list"/> (kept with the codes under squared
    /// L2, where the approximate distance needs it); empty otherwise.</summary>
    ReadOnlySpan<float> GetNorms(int list) => [];

    /// <summary>The vector at <paramref name="position"/> of list <paramref name="list"/> (<see cref="Stride"/> floats),
    /// for re-ranking: a mapped segment with codes verifies just this row, without reading the rest of the list.</summary>
    ReadOnlySpan<float> GetVector(int list, int position) => GetVectors(list).Slice(position * Stride, Stride);
}
