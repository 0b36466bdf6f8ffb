namespace Werkly.VectorIndex.Storage;

/// <summary>A consistent, read-only view of one commit of an <see cref="IndexDirectory"/>: for each company its
/// centroids and its live segments with their tombstones.</summary>
/// <remarks>
/// <para>A snapshot pins the mapped files it uses: a segment retired by a later commit or merge is unmapped and
/// deleted only after every snapshot that holds it is disposed. Spans obtained from a snapshot's segments are valid
/// until the snapshot is disposed. Dispose every snapshot (idempotent).</para>
/// <para>Threading: all members are safe to call from any number of threads; commits never block snapshot readers.</para>
/// </remarks>
internal sealed class IndexSnapshot : IDisposable
{
    private readonly DirectoryState _state;
    private int _disposed;

    internal IndexSnapshot(DirectoryState state)
    {
        _state = state;
    }

    /// <summary>The manifest generation (0 for a new directory, +1 per commit).</summary>
    public long Generation => _state.Manifest.Generation;

    /// <summary>The opaque bytes passed to the commit (the facade stores its index-wide settings here).</summary>
    public ReadOnlyMemory<byte> CommitData => _state.Manifest.CommitData;

    /// <summary>Companies, in commit order of first appearance.</summary>
    public IReadOnlyList<CompanySnapshot> Companies
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _state.Companies;
        }
    }

    /// <summary>The company with <paramref name="companyId"/>, or null.</summary>
    public CompanySnapshot? FindCompany(string companyId)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _state.CompanyById.GetValueOrDefault(companyId);
    }

    /// <summary>Reads and checks every byte of every file of the snapshot now (instead of on first touch), like an fsck.</summary>
    /// <exception cref="Exceptions.IndexCorruptedException">A block is damaged; the exception names the file and offset.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public void VerifyAll(CancellationToken cancellationToken = default)
    {
        foreach (var company in Companies)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _ = company.Centroids?.Vectors.Length;
            foreach (var segment in company.Segments)
            {
                cancellationToken.ThrowIfCancellationRequested();
                segment.Segment.VerifyAll();
            }
        }
    }

    /// <summary>Releases the snapshot's hold on its files.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _state.Release();
    }
}

/// <summary>One company in an <see cref="IndexSnapshot"/>.</summary>
/// <remarks>Immutable; valid while its snapshot is.</remarks>
internal sealed class CompanySnapshot
{
    internal CompanySnapshot(string companyId, int dimensions, SharedFile<MappedCentroids>? centroids, IReadOnlyList<SegmentSnapshot> segments, byte[]? properties)
    {
        Properties = properties ?? [];
        CompanyId = companyId;
        Dimensions = dimensions;
        SharedCentroids = centroids;
        Segments = segments;
    }

    /// <summary>The company id.</summary>
    public string CompanyId { get; }

    /// <summary>Vector dimensions of the company's segments and centroids.</summary>
    public int Dimensions { get; }

    /// <summary>The coarse quantizer, or null for a flat company.</summary>
    public MappedCentroids? Centroids => SharedCentroids?.Value;

    /// <summary>The caller's opaque per-company bytes from the last commit that set them (empty when never set); the
    /// facade keeps settings such as calibrated default probes here.</summary>
    public ReadOnlyMemory<byte> Properties { get; }

    /// <summary>Live segments, oldest first.</summary>
    public IReadOnlyList<SegmentSnapshot> Segments { get; }

    /// <summary>Rows not deleted, over all segments.</summary>
    public long LiveRowCount => Segments.Sum(s => (long)s.LiveRowCount);

    internal SharedFile<MappedCentroids>? SharedCentroids { get; }
}

/// <summary>One live segment and its tombstones in an <see cref="IndexSnapshot"/>.</summary>
/// <remarks>Immutable; valid while its snapshot is.</remarks>
internal sealed class SegmentSnapshot
{
    internal SegmentSnapshot(SegmentEntry entry, SharedFile<MappedSegment> segment, Tombstones tombstones)
    {
        Entry = entry;
        SharedSegment = segment;
        Tombstones = tombstones;
    }

    /// <summary>The segment id.</summary>
    public long SegmentId => Entry.SegmentId;

    /// <summary>The mapped segment (lists, keys, metadata).</summary>
    public MappedSegment Segment => SharedSegment.Value;

    /// <summary>Deleted rows of the segment; searches skip them.</summary>
    public Tombstones Tombstones { get; }

    /// <summary>Rows not deleted. Rows absent from every list (dropped before the segment was written) count as live here.</summary>
    public int LiveRowCount => Entry.RowCount - Tombstones.Count;

    internal SegmentEntry Entry { get; }

    internal SharedFile<MappedSegment> SharedSegment { get; }
}
