using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Werkly.VectorIndex.Ivf;

/// <summary>A zero-initialised float buffer on the pinned object heap whose first element sits on a 64-byte boundary.</summary>
/// <remarks>Pinned arrays never move, so the alignment computed once holds for the buffer's life, and the GC still owns
/// the memory: a reader that captured the old buffer before a writer grew the list keeps scanning valid memory.</remarks>
internal sealed class AlignedFloatBuffer
{
    private const int AlignmentFloats = 16; // 64 bytes
    private readonly float[] _array;
    private readonly int _offset;

    public AlignedFloatBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _array = GC.AllocateArray<float>(length + AlignmentFloats, pinned: true);
        unsafe
        {
            var address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
            var misalignedBytes = (int)(address & 63);
            _offset = misalignedBytes == 0 ? 0 : (64 - misalignedBytes) / sizeof(float);
        }
        Length = length;
    }

    public int Length { get; }

    public Span<float> Span => _array.AsSpan(_offset, Length);
}
