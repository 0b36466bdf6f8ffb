using System.Buffers.Binary;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Ivf;

namespace Werkly.VectorIndex.Storage;

/// <summary>
/// Binds a <see cref="WerklyIndex"/> to an <see cref="IndexDirectory"/>: loads companies from the last commit
/// (mapped, nothing copied) and turns each company's <see cref="CommitPlan"/> into one atomic directory commit.
/// </summary>
/// <remarks>Commits are serialised by a gate; searches and writes continue during a commit's I/O. The current snapshot
/// stays alive as long as segments from it are in use, and is replaced after each commit.</remarks>
internal sealed class IndexStore : IDisposable
{
    private const int SettingsBytes = 16;
    private const int PropertiesBytes = 16;
    private readonly IndexDirectory _directory;
    private readonly object _commitGate = new();
    private readonly List<IndexSnapshot> _snapshots = [];

    private IndexStore(IndexDirectory directory) => _directory = directory;

    public string DirectoryPath => _directory.DirectoryPath;

    public bool ReadOnly => _directory.Options.ReadOnly;

    /// <summary>Opens the directory and builds every persisted company's index over the mapped files.</summary>
    public static (IndexStore Store, Dictionary<string, IvfIndex> Companies) Open(IStorageDevice device, string path, VectorIndexOptions options, bool readOnly)
    {
        var directory = IndexDirectory.Open(device, path, new IndexDirectoryOptions { ReadOnly = readOnly });
        var store = new IndexStore(directory);
        try
        {
            var snapshot = directory.OpenSnapshot();
            store._snapshots.Add(snapshot);
            CheckSettings(snapshot.CommitData.Span, options, path);
            var companies = new Dictionary<string, IvfIndex>(StringComparer.Ordinal);
            foreach (var company in snapshot.Companies)
                companies[company.CompanyId] = Load(company, options, path);
            foreach (var record in directory.PendingLog)
            {
                if (!companies.TryGetValue(record.CompanyId, out var index))
                    companies[record.CompanyId] = index = new IvfIndex(options, persistent: true);
                if (record.IsDelete) index.Apply([], [record.Key]);
                else index.Apply([new VectorRecord(record.Key, record.Vector!.Value, record.Metadata)], []);
            }
            return (store, companies);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Commits every company's changes (and the deletion of <paramref name="deletedCompanies"/>) atomically and
    /// durably. On failure nothing is lost: the changes stay pending for the next commit.
    /// </summary>
    /// <returns>The new commit generation, or the current one when nothing changed.</returns>
    /// <param name="companies">Every company of the index.</param>
    /// <param name="deletedCompanies">Companies deleted since the last commit.</param>
    /// <param name="options">The index settings.</param>
    /// <param name="keywordEncoder">Builds each new segment's keyword index block, or null for none.</param>
    /// <param name="cancellationToken">Cancels before the manifest is replaced; nothing is lost.</param>
    public long Commit(IReadOnlyDictionary<string, IvfIndex> companies, IReadOnlyCollection<string> deletedCompanies, VectorIndexOptions options,
        SegmentKeywordEncoder? keywordEncoder, CancellationToken cancellationToken)
    {
        if (ReadOnly) throw new InvalidOperationException($"The index at '{DirectoryPath}' was opened read-only; open it for writing to commit.");
        lock (_commitGate)
        {
            var plans = new List<(string Company, IvfIndex Index, CommitPlan Plan)>();
            foreach (var (company, index) in companies)
            {
                index.MergeIfNeeded(cancellationToken);
                if (index.PrepareCommit() is { } plan) plans.Add((company, index, plan));
            }
            if (plans.Count == 0 && deletedCompanies.Count == 0 && _directory.Generation > 0 && _directory.PendingLog.Count == 0)
                return _directory.Generation;

            var changes = new List<CompanyChange>();
            foreach (var company in deletedCompanies)
            {
                if (!companies.ContainsKey(company)) changes.Add(new CompanyChange(company) { DeleteCompany = true });
            }
            long generation;
            try
            {
                foreach (var (company, index, plan) in plans)
                    changes.Add(ToChange(company, index, plan, options, deletedCompanies.Contains(company), keywordEncoder, cancellationToken));
                generation = _directory.Commit(changes, Settings(options), cancellationToken);
            }
            catch
            {
                foreach (var (_, index, plan) in plans) index.AbortCommit(plan);
                throw;
            }

            // Swap the frozen memory segments for their mapped copies, then release the old snapshot.
            var snapshot = _directory.OpenSnapshot();
            foreach (var (company, index, plan) in plans)
            {
                var persisted = snapshot.FindCompany(company);
                var committed = new Dictionary<long, IvfSegment>();
                foreach (var segment in persisted?.Segments ?? [])
                {
                    var frozen = plan.NewSegments.FirstOrDefault(s => s.SegmentId == segment.SegmentId);
                    if (frozen is not null) committed[segment.SegmentId] = new MappedIvfSegment(segment.Segment) { Deleted = frozen.Deleted };
                }
                index.CompleteCommit(plan, committed);
            }
            _snapshots.Add(snapshot);
            ReleaseUnusedSnapshots();
            return generation;
        }
    }

    public void Dispose()
    {
        foreach (var snapshot in _snapshots) snapshot.Dispose();
        _snapshots.Clear();
        _directory.Dispose();
    }

    /// <summary>
    /// Older snapshots can go once no company references their segments: every segment object a company holds that
    /// came from a snapshot is also in the newest snapshot (unchanged segments are shared), except segments a retrain
    /// dropped, which the companies no longer reference either. Keeping only the newest is therefore safe here,
    /// because segment swaps happen under each company's write lock, which waits for searches in flight.
    /// </summary>
    private void ReleaseUnusedSnapshots()
    {
        while (_snapshots.Count > 1)
        {
            _snapshots[0].Dispose();
            _snapshots.RemoveAt(0);
        }
    }

    private static IvfIndex Load(CompanySnapshot company, VectorIndexOptions options, string path)
    {
        if (company.Dimensions != options.Dimensions)
            throw new ArgumentException($"Company '{company.CompanyId}' in '{path}' has {company.Dimensions} dimensions; the options say {options.Dimensions}.", nameof(options));
        CoarseQuantizer? quantizer = null;
        if (company.Centroids is { } centroids)
        {
            if (centroids.Metric != (byte)options.Metric)
                throw new ArgumentException($"Company '{company.CompanyId}' in '{path}' was trained for metric {(DistanceMetric)centroids.Metric}; the options say {options.Metric}.", nameof(options));
            quantizer = new CoarseQuantizer(centroids.Vectors, centroids.ListCount, centroids.Stride, options.Metric, centroids.TrainedRowCount);
        }
        var properties = company.Properties.Span;
        var defaultProbes = properties.Length >= PropertiesBytes ? BinaryPrimitives.ReadInt32LittleEndian(properties) : 1;
        var nextSegmentId = properties.Length >= PropertiesBytes ? BinaryPrimitives.ReadInt64LittleEndian(properties[8..]) : 1;
        var segments = new List<IvfSegment>();
        foreach (var s in company.Segments)
        {
            var segment = new MappedIvfSegment(s.Segment);
            foreach (var row in s.Tombstones.RowIds) segment.Deleted.Add(row, committed: true);
            segments.Add(segment);
            nextSegmentId = Math.Max(nextSegmentId, s.SegmentId + 1);
        }
        var index = new IvfIndex(options, quantizer, segments, Math.Max(1, defaultProbes));
        index.RestoreCommitState(nextSegmentId, company.Segments.Select(s => s.SegmentId));
        return index;
    }

    private static CompanyChange ToChange(string company, IvfIndex index, CommitPlan plan, VectorIndexOptions options, bool recreated,
        SegmentKeywordEncoder? keywordEncoder, CancellationToken cancellationToken)
    {
        var properties = new byte[PropertiesBytes];
        BinaryPrimitives.WriteInt32LittleEndian(properties, plan.DefaultProbes);
        BinaryPrimitives.WriteInt64LittleEndian(properties.AsSpan(8), plan.NextSegmentId);
        var quantizer = plan.Quantizer;
        return new CompanyChange(company)
        {
            // A retrain back to flat search drops the persisted centroids: start the company over with its new segment.
            // A company deleted and written again since the last commit starts over too.
            DeleteCompany = recreated || (plan.IsFlat && plan.QuantizerChanged),
            Centroids = quantizer is null ? null : new CentroidsImage(options.Dimensions, quantizer.ListCount, (byte)options.Metric, 0,
                quantizer.TrainedAtCount, quantizer.Centroids.ToArray()),
            RemovedSegments = recreated || (plan.IsFlat && plan.QuantizerChanged) ? [] : plan.RemovedSegmentIds,
            AddedSegments = [.. plan.NewSegments.Select(s => new SegmentImage(s.SegmentId, index.Dimensions, s.Lists, s.Keys, s.Metadata)
            {
                Keywords = keywordEncoder?.Invoke(s.Keys, s.Metadata, cancellationToken) ?? default(ReadOnlyMemory<byte>),
            })],
            AddedTombstones = plan.Tombstones,
            Properties = properties,
        };
    }

    private static byte[] Settings(VectorIndexOptions options)
    {
        var bytes = new byte[SettingsBytes];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, options.Dimensions);
        bytes[4] = (byte)options.Metric;
        return bytes;
    }

    private static void CheckSettings(ReadOnlySpan<byte> stored, VectorIndexOptions options, string path)
    {
        if (stored.Length < SettingsBytes) return; // a new, never committed directory
        var dimensions = BinaryPrimitives.ReadInt32LittleEndian(stored);
        var metric = (DistanceMetric)stored[4];
        if (dimensions != options.Dimensions || metric != options.Metric)
            throw new ArgumentException($"The index at '{path}' holds {dimensions}-dimensional vectors compared by {metric}; the options ask for {options.Dimensions} by {options.Metric}.", nameof(options));
    }
}
