using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Storage;

/// <summary>A centroids file, memory-mapped: the small CENI block is verified on open, the vectors on first access.</summary>
/// <remarks>Layout: docs/FORMAT.md, section "Centroids file". Threading: read-only, safe from any number of threads while the owning snapshot lives.</remarks>
internal sealed unsafe class MappedCentroids : IDisposable
{
    /// <summary>Bytes of the fixed part of the CENI payload (the company id follows).</summary>
    public const int InfoFixedBytes = 48;

    private readonly BlockFile _file;
    private readonly int _vectorsBlock;
    private int _verified;

    private MappedCentroids(BlockFile file, int vectorsBlock, string companyId, int dimensions, int listCount, byte metric, long trainingVersion, long trainedRowCount,
        (float[] Minimum, float[] Step)? ranges, ulong rangesChecksum)
    {
        Ranges = ranges;
        RangesChecksum = rangesChecksum;
        _file = file;
        _vectorsBlock = vectorsBlock;
        CompanyId = companyId;
        Dimensions = dimensions;
        ListCount = listCount;
        Metric = metric;
        TrainingVersion = trainingVersion;
        TrainedRowCount = trainedRowCount;
    }

    /// <summary>The file's path.</summary>
    public string Path => _file.Path;

    /// <summary>The file's length in bytes.</summary>
    public long FileLength => _file.Length;

    /// <summary>The random id in the file's header.</summary>
    public ulong FileId => _file.Header.FileId;

    /// <summary>The company.</summary>
    public string CompanyId { get; }

    /// <summary>Vector dimensions.</summary>
    public int Dimensions { get; }

    /// <summary>Floats per centroid.</summary>
    public int Stride => StorageFormat.StrideFor(Dimensions);

    /// <summary>Number of centroids.</summary>
    public int ListCount { get; }

    /// <summary>The caller's metric code.</summary>
    public byte Metric { get; }

    /// <summary>Training version.</summary>
    public long TrainingVersion { get; }

    /// <summary>Rows at training time.</summary>
    public long TrainedRowCount { get; }

    /// <summary>The company's code ranges (per-dimension minimum and 8-bit step) when the file carries them (record
    /// version 2), else null.</summary>
    public (float[] Minimum, float[] Step)? Ranges { get; }

    /// <summary>The checksum of the ranges payload (what quantized segments encoded with them record); 0 without ranges.</summary>
    public ulong RangesChecksum { get; }

    /// <summary>The centroids in place: <see cref="ListCount"/> × <see cref="Stride"/> floats, 64-byte aligned.</summary>
    /// <remarks>The CVEC block is verified on the first access (lists × stride floats grow with the data, so open does not hash them).</remarks>
    /// <exception cref="IndexCorruptedException">The block is damaged.</exception>
    public ReadOnlySpan<float> Vectors
    {
        get
        {
            if (Volatile.Read(ref _verified) == 0)
            {
                _file.Verify(_vectorsBlock);
                Volatile.Write(ref _verified, 1);
            }
            return new(_file.PayloadPointer(_vectorsBlock), ListCount * Stride);
        }
    }

    /// <summary>Writes a centroids file for <paramref name="companyId"/>; does not sync.</summary>
    public static (long Length, ulong FileId) Write(IWritableFile file, string companyId, CentroidsImage image)
    {
        var writer = new BlockFileWriter(file, FileKind.Centroids,
            image.Ranges is null ? StorageFormat.RecordVersion : StorageFormat.CentroidsRecordVersionWithRanges);
        byte[] company = Encoding.UTF8.GetBytes(companyId);
        var info = new byte[InfoFixedBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(0), (uint)image.Dimensions);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(4), (uint)image.Stride);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(8), (uint)image.ListCount);
        info[12] = image.Metric;
        BinaryPrimitives.WriteInt64LittleEndian(info.AsSpan(16), image.TrainingVersion);
        BinaryPrimitives.WriteInt64LittleEndian(info.AsSpan(24), image.TrainedRowCount);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(32), (uint)company.Length);
        writer.WriteBlock(BlockTag.CentroidInfo, 0, info, company);
        writer.WriteBlock(BlockTag.CentroidVectors, 0, MemoryMarshal.AsBytes(image.Vectors.Span));
        if (image.Ranges is { } ranges) writer.WriteBlock(BlockTag.CodeRanges, 0, ranges);
        return (writer.Finish(), writer.FileId);
    }

    /// <summary>Maps and fully verifies a centroids file.</summary>
    /// <exception cref="IndexCorruptedException">The file is missing or damaged.</exception>
    /// <exception cref="IncompatibleFormatException">The file was written by a newer format.</exception>
    public static MappedCentroids Open(IStorageDevice device, string path, string? expectedCompanyId = null, ulong? expectedFileId = null, long? expectedLength = null)
    {
        var file = BlockFile.Open(device, path, FileKind.Centroids, expectedFileId, expectedLength);
        try
        {
            // Record version 2 allows one SQRG block after CVEC.
            var withRanges = file.Header.RecordVersion >= StorageFormat.CentroidsRecordVersionWithRanges && file.Blocks.Length == 3;
            if (file.Blocks.Length != (withRanges ? 3 : 2) || file.Blocks[0].Tag != BlockTag.CentroidInfo || file.Blocks[1].Tag != BlockTag.CentroidVectors
                || (withRanges && (file.Blocks[2].Tag != BlockTag.CodeRanges || file.Blocks[2].Index != 0)))
                throw file.Corrupt(FileHeader.Size, "a centroids file holds a CENI and a CVEC block, and in record version 2 optionally an SQRG block.");
            file.Verify(0);
            var info = file.Payload(0);
            if (info.Length < InfoFixedBytes) throw file.Corrupt(file.PayloadOffset(0), "the CENI block is too short.");
            uint dimensions = BinaryPrimitives.ReadUInt32LittleEndian(info);
            uint stride = BinaryPrimitives.ReadUInt32LittleEndian(info[4..]);
            uint listCount = BinaryPrimitives.ReadUInt32LittleEndian(info[8..]);
            long version = BinaryPrimitives.ReadInt64LittleEndian(info[16..]);
            long trained = BinaryPrimitives.ReadInt64LittleEndian(info[24..]);
            uint companyBytes = BinaryPrimitives.ReadUInt32LittleEndian(info[32..]);
            if (dimensions is 0 or > 65536 || stride != StorageFormat.StrideFor((int)dimensions) || listCount == 0
                || version < 0 || trained < 0 || companyBytes != info.Length - InfoFixedBytes
                || file.PayloadLength(1) != (long)listCount * stride * sizeof(float)
                || info[13..16].IndexOfAnyExcept((byte)0) >= 0 || info[36..InfoFixedBytes].IndexOfAnyExcept((byte)0) >= 0)
                throw file.Corrupt(file.PayloadOffset(0), "the CENI block holds invalid values.");
            string companyId = file.DecodeUtf8(info[InfoFixedBytes..], file.PayloadOffset(0) + InfoFixedBytes, "company id");
            if (expectedCompanyId is not null && !string.Equals(companyId, expectedCompanyId, StringComparison.Ordinal))
                throw file.Corrupt(file.PayloadOffset(0), $"the centroids belong to company '{companyId}', not '{expectedCompanyId}'.");
            (float[] Minimum, float[] Step)? ranges = null;
            if (withRanges)
            {
                file.Verify(2);
                ranges = CodeRanges.Decode(file, 2, (int)dimensions);
            }
            return new MappedCentroids(file, 1, companyId, (int)dimensions, (int)listCount, info[12], version, trained, ranges,
                withRanges ? file.Blocks[2].PayloadChecksum : 0);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Unmaps the file.</summary>
    public void Dispose() => _file.Dispose();
}
