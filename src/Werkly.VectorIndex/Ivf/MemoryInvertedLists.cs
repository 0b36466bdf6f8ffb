using System.Runtime.InteropServices;

namespace Werkly.VectorIndex.Ivf;

/// <summary>Growable in-memory inverted lists: per list a 64-byte aligned vector block, a parallel row-id array, and,
/// when quantized, a parallel 64-byte aligned code block (and squared norms under squared L2).</summary>
/// <remarks>Threading: one writer at a time (the partition's write lock); readers holding the read lock scan
/// concurrently with each other, never with a writer. Growth doubles the block, so appends are amortised O(stride).</remarks>
internal sealed class MemoryInvertedLists : IInvertedLists
{
    private readonly AlignedFloatBuffer?[] _vectors;
    private readonly AlignedFloatBuffer?[] _codes; // viewed as bytes: CodeStride is a multiple of 64
    private readonly float[][] _norms;
    private readonly int[][] _rowIds;
    private readonly int[] _counts;
    private readonly bool _withNorms;

    /// <summary>Creates empty lists.</summary>
    /// <param name="listCount">Lists.</param>
    /// <param name="stride">Floats per vector row.</param>
    /// <param name="codeBits">0 (no codes), 8 or 4.</param>
    /// <param name="codeStride">Bytes per code row (a multiple of 64) when <paramref name="codeBits"/> is not 0.</param>
    /// <param name="withNorms">Keep each row's squared norm beside its code.</param>
    public MemoryInvertedLists(int listCount, int stride, int codeBits = 0, int codeStride = 0, bool withNorms = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(listCount, 1);
        if (stride <= 0 || stride % 16 != 0) throw new ArgumentOutOfRangeException(nameof(stride));
        if (codeBits is not (0 or 4 or 8)) throw new ArgumentOutOfRangeException(nameof(codeBits));
        if (codeBits != 0 && (codeStride <= 0 || codeStride % 64 != 0)) throw new ArgumentOutOfRangeException(nameof(codeStride));
        ListCount = listCount;
        Stride = stride;
        CodeBits = codeBits;
        CodeStride = codeBits == 0 ? 0 : codeStride;
        _withNorms = codeBits != 0 && withNorms;
        _vectors = new AlignedFloatBuffer?[listCount];
        _codes = new AlignedFloatBuffer?[listCount];
        _norms = new float[listCount][];
        Array.Fill(_norms, []);
        _rowIds = new int[listCount][];
        Array.Fill(_rowIds, []);
        _counts = new int[listCount];
    }

    public int ListCount { get; }

    public int Stride { get; }

    public int CodeBits { get; }

    public int CodeStride { get; }

    public int GetCount(int list) => _counts[list];

    public ReadOnlySpan<float> GetVectors(int list) =>
        _vectors[list] is { } buffer ? buffer.Span[..(_counts[list] * Stride)] : [];

    public ReadOnlySpan<int> GetRowIds(int list) => _rowIds[list].AsSpan(0, _counts[list]);

    public ReadOnlySpan<byte> GetCodes(int list) =>
        _codes[list] is { } buffer ? MemoryMarshal.AsBytes(buffer.Span)[..(_counts[list] * CodeStride)] : [];

    public ReadOnlySpan<float> GetNorms(int list) => _withNorms ? _norms[list].AsSpan(0, _counts[list]) : [];

    public ReadOnlySpan<float> GetVector(int list, int position) => GetVectors(list).Slice(position * Stride, Stride);

    /// <summary>Appends a padded vector (exactly <see cref="Stride"/> floats) to <paramref name="list"/>, with its code
    /// (<see cref="CodeStride"/> bytes, ignored without codes) and squared norm; returns its position.</summary>
    public int Append(int list, ReadOnlySpan<float> paddedVector, int rowId, ReadOnlySpan<byte> code = default, float squaredNorm = 0)
    {
        var count = _counts[list];
        EnsureCapacity(list, count + 1);
        paddedVector[..Stride].CopyTo(_vectors[list]!.Span.Slice(count * Stride, Stride));
        if (CodeBits != 0)
        {
            if (code.Length < CodeStride) throw new ArgumentException($"The code holds {code.Length} bytes; {CodeStride} are needed.", nameof(code));
            code[..CodeStride].CopyTo(MemoryMarshal.AsBytes(_codes[list]!.Span).Slice(count * CodeStride, CodeStride));
            if (_withNorms) _norms[list][count] = squaredNorm;
        }
        _rowIds[list][count] = rowId;
        _counts[list] = count + 1;
        return count;
    }

    /// <summary>Removes the last row appended to <paramref name="list"/> (undoing an append).</summary>
    public void RemoveLast(int list) => _counts[list]--;

    /// <summary>Pre-sizes list <paramref name="list"/> for <paramref name="capacity"/> rows.</summary>
    public void EnsureCapacity(int list, int capacity)
    {
        var current = _rowIds[list].Length;
        if (capacity <= current) return;
        var grown = Math.Max(capacity, Math.Max(8, current * 2));
        var count = _counts[list];
        var buffer = new AlignedFloatBuffer(checked(grown * Stride));
        if (_vectors[list] is { } old) old.Span[..(count * Stride)].CopyTo(buffer.Span);
        if (CodeBits != 0)
        {
            var codes = new AlignedFloatBuffer(checked(grown * CodeStride / sizeof(float)));
            if (_codes[list] is { } oldCodes) MemoryMarshal.AsBytes(oldCodes.Span)[..(count * CodeStride)].CopyTo(MemoryMarshal.AsBytes(codes.Span));
            _codes[list] = codes;
            if (_withNorms)
            {
                var norms = new float[grown];
                _norms[list].AsSpan(0, count).CopyTo(norms);
                _norms[list] = norms;
            }
        }
        var ids = new int[grown];
        _rowIds[list].AsSpan(0, count).CopyTo(ids);
        _vectors[list] = buffer;
        _rowIds[list] = ids;
    }
}
