using System.IO.Hashing;
using System.Text;

namespace Werkly.VectorIndex.Storage;

/// <summary>Constants and small primitives of the on-disk format shared by every file kind.</summary>
/// <remarks>Keep in sync with docs/FORMAT.md.</remarks>
internal static class StorageFormat
{
    /// <summary>"WRKLYVIX" read as a little-endian <see cref="ulong"/>: the first 8 bytes of every file.</summary>
    public const ulong HeaderMagic = 0x584956594C4B5257UL;

    /// <summary>"WVIXEND!" read as a little-endian <see cref="ulong"/>: the first 8 bytes of every footer.</summary>
    public const ulong FooterMagic = 0x21444E4558495657UL;

    /// <summary>The container format version this library writes (header, blocks, table of contents, footer).</summary>
    public const ushort FormatVersion = 1;

    /// <summary>The record (payload layout) version of every file kind at format version 1, and what this library
    /// still writes for every file without a keyword index.</summary>
    public const ushort RecordVersion = 1;

    /// <summary>Record version 2 of segment files: a segment may end with a <see cref="BlockTag.KeywordIndex"/> block.
    /// Written only for segments that carry one, so indexes without keyword search stay readable by version-1 readers.</summary>
    public const ushort SegmentRecordVersionWithKeywords = 2;

    /// <summary>Record version 3 of segment files: a segment may end with a <see cref="BlockTag.QuantizerInfo"/> block and
    /// one <see cref="BlockTag.QuantizedList"/> block per list (after the optional keyword index). Written only for
    /// segments that carry codes, so indexes without quantization stay readable by older readers.</summary>
    public const ushort SegmentRecordVersionWithCodes = 3;

    /// <summary>Record version 2 of centroids files: a <see cref="BlockTag.CodeRanges"/> block may follow the centroids.
    /// Written only for companies with code ranges.</summary>
    public const ushort CentroidsRecordVersionWithRanges = 2;

    /// <summary>The newest record version this library reads for files of <paramref name="kind"/>.</summary>
    public static ushort MaxRecordVersion(FileKind kind) => kind switch
    {
        FileKind.Segment => SegmentRecordVersionWithCodes,
        FileKind.Centroids => CentroidsRecordVersionWithRanges,
        _ => RecordVersion,
    };

    /// <summary>Every block header and payload starts at a multiple of this many bytes.</summary>
    public const int Alignment = 64;

    /// <summary>Rounds <paramref name="value"/> up to a multiple of <see cref="Alignment"/>.</summary>
    public static long AlignUp(long value) => (value + (Alignment - 1)) & ~(long)(Alignment - 1);

    /// <summary>The checksum of every block and header: XXH3-64 with seed 0.</summary>
    public static ulong Checksum(ReadOnlySpan<byte> bytes) => XxHash3.HashToUInt64(bytes);

    /// <summary>UTF-8 without a byte order mark that throws <see cref="DecoderFallbackException"/> on invalid bytes:
    /// how stored keys and company ids are decoded.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Floats per row for <paramref name="dimensions"/>: rounded up to a multiple of 16 (one 64-byte line).</summary>
    public static int StrideFor(int dimensions) => (dimensions + 15) & ~15;
}
