using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Werkly.VectorIndex.Ivf;

namespace Werkly.VectorIndex.Storage;

/// <summary>
/// The <see cref="BlockTag.CodeRanges"/> payload: a company's per-dimension code ranges (minimum and 8-bit step), which
/// its quantized segments were encoded with. Its XXH3-64 checksum is also stored in each such segment's
/// <see cref="BlockTag.QuantizerInfo"/> block, so a reader uses codes only together with the ranges they were made with.
/// </summary>
/// <remarks>Layout: docs/FORMAT.md, section "Centroids file". Thread-safe (stateless).</remarks>
internal static class CodeRanges
{
    /// <summary>Bytes before the two float arrays: u32 dimensions, u32 reserved.</summary>
    public const int HeaderBytes = 8;

    /// <summary>The payload for <paramref name="codes"/>' ranges (whatever its width: the 8-bit step is stored).</summary>
    public static byte[] Encode(ScalarQuantizer codes)
    {
        var dimensions = codes.Dimensions;
        var payload = new byte[HeaderBytes + 2 * dimensions * sizeof(float)];
        BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)dimensions);
        MemoryMarshal.AsBytes(codes.Minimum).CopyTo(payload.AsSpan(HeaderBytes));
        MemoryMarshal.AsBytes(codes.RangeStep).CopyTo(payload.AsSpan(HeaderBytes + dimensions * sizeof(float)));
        return payload;
    }

    /// <summary>The checksum a quantized segment records for the ranges its codes were encoded with.</summary>
    public static ulong Checksum(ScalarQuantizer codes) => StorageFormat.Checksum(Encode(codes));

    /// <summary>Reads the ranges of a verified payload.</summary>
    /// <exception cref="Exceptions.IndexCorruptedException">The payload is malformed (length, dimensions, a non-finite value
    /// or a negative step).</exception>
    public static (float[] Minimum, float[] Step) Decode(BlockFile file, int block, int dimensions)
    {
        var payload = file.Payload(block);
        var offset = file.PayloadOffset(block);
        if (payload.Length != HeaderBytes + 2L * dimensions * sizeof(float) || BinaryPrimitives.ReadUInt32LittleEndian(payload) != (uint)dimensions
            || BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]) != 0)
            throw file.Corrupt(offset, $"the SQRG block does not hold the ranges of {dimensions} dimensions.");
        var minimum = MemoryMarshal.Cast<byte, float>(payload.Slice(HeaderBytes, dimensions * sizeof(float))).ToArray();
        var step = MemoryMarshal.Cast<byte, float>(payload.Slice(HeaderBytes + dimensions * sizeof(float), dimensions * sizeof(float))).ToArray();
        for (var d = 0; d < dimensions; d++)
        {
            if (!float.IsFinite(minimum[d]) || !float.IsFinite(step[d]) || step[d] < 0)
                throw file.Corrupt(offset + HeaderBytes + d * sizeof(float), $"the SQRG block holds an invalid range for dimension {d}.");
        }
        return (minimum, step);
    }
}
