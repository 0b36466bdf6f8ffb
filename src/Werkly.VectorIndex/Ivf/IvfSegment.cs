namespace Werkly.VectorIndex.Ivf;

/// <summary>
/// One segment of a company's index: inverted lists over the company's lists (same quantizer), the key and metadata
/// of each segment-local row, and the rows deleted since it was written.
/// </summary>
/// <remarks>
/// A company has zero or more immutable (sealed, typically memory-mapped) segments and exactly one mutable
/// <see cref="MemorySegment"/> that takes new rows. Search scans each probed list in every segment. Rows are addressed
/// in a search by a global row number, <see cref="RowBase"/> + local row. Guarded by the owning <see cref="IvfIndex"/>'s lock.
/// </remarks>
internal abstract class IvfSegment
{
    /// <summary>The segment's id within its company (persistence names its file by it); 0 for a segment never committed.</summary>
    public long SegmentId { get; set; }

    /// <summary>Global row number of local row 0 (set by the owning index whenever its segment set changes).</summary>
    public int RowBase { get; set; }

    /// <summary>Deleted rows; a segment replacing another (a committed copy of a memory segment) takes over its set.</summary>
    public DeletionSet Deleted { get; init; } = new();

    public abstract IInvertedLists Lists { get; }

    /// <summary>Rows ever written to the segment, deleted ones included.</summary>
    public abstract int RowCount { get; }

    public int LiveCount => RowCount - Deleted.Count;

    public abstract string GetKey(int row);

    public abstract IReadOnlyDictionary<string, MetadataValue>? GetMetadata(int row);

    /// <summary>The string stored under <paramref name="key"/> in a row's metadata, or null (absent or not a string).
    /// Mapped segments read it without decoding the rest of the row's map.</summary>
    public virtual string? GetMetadataString(int row, string key) =>
        GetMetadata(row) is { } metadata && metadata.TryGetValue(key, out var value) && value.Kind == MetadataKind.String ? value.AsString() : null;

    /// <summary>The stored (padded) vector of a row.</summary>
    public abstract ReadOnlySpan<float> GetVector(int row);
}
