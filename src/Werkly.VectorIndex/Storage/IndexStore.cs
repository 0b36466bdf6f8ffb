using System.Buffers.Binary;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Ivf;

namespace Werkly.VectorIndex.Storage;

/// <summary>One company as loaded from a commit: its IVF index over the mapped segment files, and a signature of the
/// files it was loaded from (equal signatures: the same committed content, mapped by the same shared files).</summary>
internal sealed record LoadedCompany(string CompanyId, IvfIndex Index, string Signature);

/// <summary>
/// Binds an index to an <see cref="IndexDirectory"/>: loads companies from a commit (mapped, nothing copied), turns a
/// company's <see cref="CommitPlan"/> into a <see cref="CompanyChange"/>, commits changes, and keeps the snapshots
/// whose mapped files companies still use.
/// </summary>
/// <remarks>Callers serialise commits and refreshes. A snapshot is released only when the caller says no company
/// (and no reader of a replaced company) can reach its files any more.</remarks>
internal sealed class IndexStore : IDisposable
{
    private const int SettingsBytes = 16;
    private const int PropertiesBytes = 16;
    private readonly IndexDirectory _directory;
    private readonly WerklyIndexOptions _options;
    private readonly List<IndexSnapshot> _snapshots = [];

    private IndexStore(IndexDirectory directory, WerklyIndexOptions options)
    {
        _directory = directory;
        _options = options;
    }

    public string DirectoryPath => _directory.DirectoryPath;

    public bool ReadOnly => _directory.Options.ReadOnly;

    /// <summary>The generation of the commit the newest snapshot shows.</summary>
    public long Generation => _snapshots[^1].Generation;

    /// <summary>The directory (its write-ahead log).</summary>
    public IndexDirectory Directory => _directory;

    /// <summary>Opens the directory and loads every company of its last commit, plus the writes its log holds.</summary>
    public static (IndexStore Store, List<LoadedCompany> Companies, IReadOnlyList<LogRecord> Pending) Open(IStorageDevice device, string path,
        WerklyIndexOptions options, bool readOnly)
    {
        var directory = IndexDirectory.Open(device, path, new IndexDirectoryOptions { ReadOnly = readOnly });
        var store = new IndexStore(directory, options);
        try
        {
            var snapshot = directory.OpenSnapshot();
            store._snapshots.Add(snapshot);
            return (store, store.Load(snapshot), directory.PendingLog);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Read-only: picks up a newer commit or newly logged writes. Null when nothing changed.</summary>
    /// <exception cref="Exceptions.IndexCorruptedException">The new commit is damaged; the store keeps its state.</exception>
    public (List<LoadedCompany> Companies, IReadOnlyList<LogRecord> Pending)? Refresh()
    {
        if (!_directory.Refresh()) return null;
        var snapshot = _directory.OpenSnapshot();
        try
        {
            var companies = Load(snapshot);
            _snapshots.Add(snapshot);
            return (companies, _directory.PendingLog);
        }
        catch
        {
            snapshot.Dispose();
            throw;
        }
    }

    /// <summary>Commits <paramref name="changes"/> atomically and durably and opens a snapshot of the new commit.</summary>
    /// <param name="changes">The companies' changes.</param>
    /// <param name="logRecordsCommitted">How many pending write-ahead log records the changes include (the rest stay logged).</param>
    /// <param name="cancellationToken">Cancels before the new manifest is in place.</param>
    /// <returns>The new generation, and the new snapshot (kept by the store until released).</returns>
    /// <exception cref="IOException">The commit failed; the directory stays at its previous commit.</exception>
    public (long Generation, IndexSnapshot Snapshot) Commit(IReadOnlyList<CompanyChange> changes, int logRecordsCommitted, CancellationToken cancellationToken)
    {
        if (ReadOnly) throw new InvalidOperationException($"The index at '{DirectoryPath}' was opened read-only; open it for writing to commit.");
        var generation = _directory.Commit(changes, Settings(_options), logRecordsCommitted, cancellationToken);
        var snapshot = _directory.OpenSnapshot();
        _snapshots.Add(snapshot);
        return (generation, snapshot);
    }

    /// <summary>Whether a commit would change anything besides <paramref name="changes"/> (a new directory's first commit,
    /// or a write-ahead log to empty).</summary>
    public bool CommitNeeded(int changes) => changes > 0 || _directory.Generation == 0 || _directory.PendingLog.Count > 0;

    /// <summary>The committed copies of a plan's new segments in <paramref name="snapshot"/>, by segment id.</summary>
    public static Dictionary<long, IvfSegment> CommittedSegments(IndexSnapshot snapshot, string companyId, CommitPlan plan)
    {
        var committed = new Dictionary<long, IvfSegment>();
        foreach (var segment in snapshot.FindCompany(companyId)?.Segments ?? [])
        {
            var frozen = plan.NewSegments.FirstOrDefault(s => s.SegmentId == segment.SegmentId);
            if (frozen is not null)
                committed[segment.SegmentId] = new MappedIvfSegment(segment.Segment, withCodes: frozen.Lists.CodeBits != 0) { Deleted = frozen.Deleted };
        }
        return committed;
    }

    /// <summary>Releases every snapshot but the newest: call once no company, and no reader of a replaced company, can
    /// reach a segment that only an older snapshot holds.</summary>
    public void ReleaseOlderSnapshots()
    {
        while (_snapshots.Count > 1)
        {
            _snapshots[0].Dispose();
            _snapshots.RemoveAt(0);
        }
    }

    public void Dispose()
    {
        foreach (var snapshot in _snapshots) snapshot.Dispose();
        _snapshots.Clear();
        _directory.Dispose();
    }

    private List<LoadedCompany> Load(IndexSnapshot snapshot)
    {
        CheckSettings(snapshot.CommitData.Span, _options, DirectoryPath);
        var companies = new List<LoadedCompany>(snapshot.Companies.Count);
        foreach (var company in snapshot.Companies) companies.Add(new LoadedCompany(company.CompanyId, Load(company, _options, DirectoryPath), Signature(company)));
        return companies;
    }

    private static string Signature(CompanySnapshot company) =>
        string.Join('|', [company.SharedCentroids?.Path ?? "-", Convert.ToHexString(company.Properties.Span),
            .. company.Segments.Select(s => $"{s.Entry.File.Name}:{s.Entry.File.FileId}:{s.Entry.TombstoneFile?.Name}:{s.Tombstones.Count}")]);

    private static IvfIndex Load(CompanySnapshot company, WerklyIndexOptions options, string path)
    {
        if (company.Dimensions != options.Dimensions)
            throw new ArgumentException($"Company '{company.CompanyId}' in '{path}' has {company.Dimensions} dimensions; the options say {options.Dimensions}.", nameof(options));
        CoarseQuantizer? quantizer = null;
        ScalarQuantizer? codes = null;
        ulong rangesChecksum = 0;
        if (company.Centroids is { } centroids)
        {
            if (centroids.Metric != (byte)options.Metric)
                throw new ArgumentException($"Company '{company.CompanyId}' in '{path}' was trained for metric {(DistanceMetric)centroids.Metric}; the options say {options.Metric}.", nameof(options));
            quantizer = new CoarseQuantizer(centroids.Vectors, centroids.ListCount, centroids.Stride, options.Metric, centroids.TrainedRowCount);
            var bits = IvfIndex.CodeBitsOf(options.Quantization);
            if (centroids.Ranges is { } ranges && bits != 0)
            {
                codes = new ScalarQuantizer(ranges.Minimum, ranges.Step, bits);
                rangesChecksum = centroids.RangesChecksum;
            }
        }
        var properties = company.Properties.Span;
        var defaultProbes = properties.Length >= PropertiesBytes ? BinaryPrimitives.ReadInt32LittleEndian(properties) : 1;
        var rerankFactor = properties.Length >= PropertiesBytes ? BinaryPrimitives.ReadInt32LittleEndian(properties[4..]) : 0;
        var nextSegmentId = properties.Length >= PropertiesBytes ? BinaryPrimitives.ReadInt64LittleEndian(properties[8..]) : 1;
        var segments = new List<IvfSegment>();
        foreach (var s in company.Segments)
        {
            // Codes are searched only with the ranges they were encoded with (and, under squared L2, with their norms);
            // otherwise, or with quantization off, the segment is scanned in float32.
            var mapped = s.Segment;
            var withCodes = codes is not null && mapped.CodedLists is not null && mapped.CodeRangesChecksum == rangesChecksum
                && (options.Metric != DistanceMetric.SquaredL2 || mapped.HasNorms);
            var segment = new MappedIvfSegment(mapped, withCodes);
            foreach (var row in s.Tombstones.RowIds) segment.Deleted.Add(row, committed: true);
            segments.Add(segment);
            nextSegmentId = Math.Max(nextSegmentId, s.SegmentId + 1);
        }
        var index = new IvfIndex(options, quantizer, segments, Math.Max(1, defaultProbes), persistent: true, codes,
            Math.Clamp(rerankFactor, 0, SearchOptions.MaxRerankFactor));
        index.RestoreCommitState(nextSegmentId, company.Segments.Select(s => s.SegmentId));
        return index;
    }

    /// <summary>Turns a company's frozen state into the change a commit writes.</summary>
    /// <param name="company">The company.</param>
    /// <param name="index">Its IVF index.</param>
    /// <param name="plan">What it froze.</param>
    /// <param name="recreated">The company was deleted and written again since the last commit.</param>
    /// <param name="keywordBlock">Builds a new segment's keyword block from its rows' stored metadata.</param>
    /// <param name="cancellationToken">Checked while keyword blocks are built.</param>
    public CompanyChange ToChange(string company, IvfIndex index, CommitPlan plan, bool recreated,
        Func<IReadOnlyList<IReadOnlyDictionary<string, MetadataValue>?>, CancellationToken, byte[]> keywordBlock, CancellationToken cancellationToken)
    {
        var properties = new byte[PropertiesBytes];
        BinaryPrimitives.WriteInt32LittleEndian(properties, plan.DefaultProbes);
        if (plan.Codes is not null) BinaryPrimitives.WriteInt32LittleEndian(properties.AsSpan(4), plan.RerankFactor);
        BinaryPrimitives.WriteInt64LittleEndian(properties.AsSpan(8), plan.NextSegmentId);
        var ranges = plan.Codes is null ? null : CodeRanges.Encode(plan.Codes);
        var rangesChecksum = ranges is null ? 0 : StorageFormat.Checksum(ranges);
        var quantizer = plan.Quantizer;
        // A retrain back to flat search drops the persisted centroids: start the company over with its new segment.
        // A company deleted and written again since the last commit starts over too.
        var startOver = recreated || (plan.IsFlat && plan.QuantizerChanged);
        return new CompanyChange(company)
        {
            DeleteCompany = startOver,
            Centroids = quantizer is null ? null : new CentroidsImage(_options.Dimensions, quantizer.ListCount, (byte)_options.Metric, 0,
                quantizer.TrainedAtCount, quantizer.Centroids.ToArray())
            {
                Ranges = ranges,
            },
            RemovedSegments = startOver ? [] : plan.RemovedSegmentIds,
            AddedSegments = [.. plan.NewSegments.Select(s => new SegmentImage(s.SegmentId, index.Dimensions, s.Lists, s.Keys, s.Metadata)
            {
                Keywords = keywordBlock(s.Metadata, cancellationToken),
                CodeRangesChecksum = s.Lists.CodeBits == 0 ? 0 : rangesChecksum,
                WithNorms = s.Lists.CodeBits != 0 && _options.Metric == DistanceMetric.SquaredL2,
            })],
            AddedTombstones = plan.Tombstones,
            Properties = properties,
        };
    }

    /// <summary>A change that deletes a company.</summary>
    public static CompanyChange Deletion(string company) => new(company) { DeleteCompany = true };

    private static byte[] Settings(WerklyIndexOptions options)
    {
        var bytes = new byte[SettingsBytes];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, options.Dimensions);
        bytes[4] = (byte)options.Metric;
        return bytes;
    }

    /// <summary>The dimensions and metric stored in the last commit of the index at <paramref name="path"/>; false when
    /// there is no index there or it has never been committed.</summary>
    public static bool TryReadSettings(IStorageDevice device, string path, out int dimensions, out DistanceMetric metric)
    {
        (dimensions, metric) = (0, DistanceMetric.Cosine);
        var manifestPath = Path.Combine(Path.GetFullPath(path), IndexDirectory.ManifestFileName);
        if (!device.Exists(manifestPath)) return false;
        var stored = Manifest.Read(device, manifestPath).CommitData;
        if (stored.Length < SettingsBytes) return false;
        (dimensions, metric) = (BinaryPrimitives.ReadInt32LittleEndian(stored), (DistanceMetric)stored[4]);
        return true;
    }

    private static void CheckSettings(ReadOnlySpan<byte> stored, WerklyIndexOptions options, string path)
    {
        if (stored.Length < SettingsBytes) return; // a new, never committed directory
        var dimensions = BinaryPrimitives.ReadInt32LittleEndian(stored);
        var metric = (DistanceMetric)stored[4];
        if (dimensions != options.Dimensions || metric != options.Metric)
            throw new ArgumentException($"The index at '{path}' holds {dimensions}-dimensional vectors compared by {metric}; the options ask for {options.Dimensions} by {options.Metric}.", nameof(options));
    }
}
