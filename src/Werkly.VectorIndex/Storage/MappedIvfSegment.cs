using Werkly.VectorIndex.Ivf;

namespace Werkly.VectorIndex.Storage;

/// <summary>A committed, memory-mapped segment seen through the IVF index's segment abstraction.</summary>
/// <remarks>Reads go straight to the mapped file; its lifetime is that of the snapshot that opened it, which the
/// <see cref="IndexStore"/> keeps alive while any company uses the segment.</remarks>
internal sealed class MappedIvfSegment : IvfSegment
{
    private readonly MappedSegment _segment;
    private readonly IInvertedLists _lists;

    /// <summary>Wraps a mapped segment.</summary>
    /// <param name="segment">The segment file.</param>
    /// <param name="withCodes">Search its codes (it must have them, encoded with the company's current ranges); false
    /// scans its vectors in float32.</param>
    public MappedIvfSegment(MappedSegment segment, bool withCodes = false)
    {
        _segment = segment;
        SegmentId = segment.SegmentId;
        _lists = withCodes ? segment.CodedLists ?? throw new ArgumentException("The segment carries no codes.", nameof(withCodes)) : segment.Lists;
    }

    /// <summary>The mapped segment file.</summary>
    public MappedSegment Segment => _segment;

    public override IInvertedLists Lists => _lists;

    public override int RowCount => _segment.RowCount;

    public override string GetKey(int row) => _segment.GetKey(row);

    public override IReadOnlyDictionary<string, MetadataValue>? GetMetadata(int row) => _segment.GetMetadata(row);

    public override string? GetMetadataString(int row, string key) => _segment.GetMetadataString(row, key);

    public override ReadOnlySpan<float> GetVector(int row) => _segment.GetVector(row);
}
