using Werkly.VectorIndex.Clustering;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Ivf;
using Werkly.VectorIndex.Partitions;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex;

/// <summary>
/// An in-process IVFFlat vector index partitioned by company: the embedded replacement for
/// <c>WHERE company_id = … ORDER BY embedding &lt;=&gt; q LIMIT k</c>.
/// </summary>
/// <remarks>
/// <para>Every record belongs to exactly one company and a search names its company: it can never return another
/// company's record. Each company has its own lists, trained on its own data; a company below
/// <see cref="VectorIndexOptions.FlatSearchThreshold"/> live records is searched exactly.</para>
/// <para>Threading: all members are thread-safe. Many concurrent searches with a concurrent writer is the normal case:
/// searches of a company wait only while a write to that same company mutates it (microseconds per record); a retrain
/// builds new lists while searches continue on the old ones. Writes to one company are serialised; writes to
/// different companies run in parallel.</para>
/// <para>Invalid input throws before anything changes: <see cref="DimensionMismatchException"/>,
/// <see cref="InvalidVectorException"/> (NaN, ∞, a zero vector under cosine), <see cref="InvalidIdentifierException"/>,
/// <see cref="CompanyNotFoundException"/> for searches of an unknown company.</para>
/// </remarks>
public sealed class WerklyIndex : IDisposable
{
    private readonly PartitionTable _partitions;
    private readonly IndexStore? _store;
    private readonly object _commitGate = new();
    private readonly HashSet<string> _deletedSinceCommit = new(StringComparer.Ordinal);

    /// <summary>Creates an empty in-memory index.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting in <paramref name="options"/> is out of range.</exception>
    public WerklyIndex(VectorIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _partitions = new PartitionTable(options);
    }

    private WerklyIndex(VectorIndexOptions options, IndexStore store, Dictionary<string, IvfIndex> companies)
    {
        Options = options;
        _store = store;
        _partitions = new PartitionTable(options, companies);
    }

    /// <summary>
    /// Opens the persisted index in <paramref name="directory"/>, creating it when the folder is missing or empty.
    /// Opening memory-maps the committed segment files: it reads no vectors, so it takes the same time for a million
    /// vectors as for ten thousand, and search reads the mapped blocks in place.
    /// </summary>
    /// <param name="directory">The index folder (one writer at a time, any number of read-only openers).</param>
    /// <param name="options">Must match the dimensions and metric the index was created with.</param>
    /// <param name="readOnly">Open without the write lock: searches only, no writes or commits.</param>
    /// <remarks>Writes become durable at <see cref="Commit"/>; a write not yet committed is lost if the process dies,
    /// but never half-applied. Damaged files throw <see cref="IndexCorruptedException"/> (naming the file and offset)
    /// here or on the first read of the damaged block; files of a newer format throw
    /// <see cref="IncompatibleFormatException"/>.</remarks>
    /// <exception cref="IndexLockedException">Another writer holds the directory.</exception>
    /// <exception cref="ArgumentException">The options' dimensions or metric differ from the stored index's.</exception>
    public static WerklyIndex Open(string directory, VectorIndexOptions options, bool readOnly = false) =>
        Open(FileStorageDevice.Instance, directory, options, readOnly);

    internal static WerklyIndex Open(IStorageDevice device, string directory, VectorIndexOptions options, bool readOnly = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var (store, companies) = IndexStore.Open(device, Path.GetFullPath(directory), options, readOnly);
        return new WerklyIndex(options, store, companies);
    }

    /// <summary>
    /// Builds the keyword index block of a segment about to be written, from its rows' keys and metadata; null writes
    /// segments without one. <see cref="Hybrid.HybridIndex"/> sets it, so its segment files carry their postings.
    /// </summary>
    internal SegmentKeywordEncoder? SegmentKeywordEncoder { get; set; }

    /// <summary>Runs <paramref name="read"/> over a company's segments under its read lock; see <see cref="IvfIndex.ReadSegments"/>.</summary>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    internal void ReadSegments(string companyId, Action<IReadOnlyList<IvfSegment>> read) => _partitions.Get(companyId).ReadSegments(read);

    /// <summary>The folder of a persisted index, or null for an in-memory one.</summary>
    public string? DirectoryPath => _store?.DirectoryPath;

    /// <summary>
    /// Makes every write so far durable: new records are written as immutable segment files and fsynced, then a new
    /// manifest is renamed into place atomically. Searches and writes continue during the I/O. When this returns the
    /// writes survive a killed process or a power loss; when it throws (I/O error, disk full) the index stays at its
    /// last good commit and the writes stay pending for the next commit.
    /// </summary>
    /// <returns>The commit generation.</returns>
    /// <exception cref="InvalidOperationException">The index is in-memory or read-only.</exception>
    /// <exception cref="IOException">The commit failed; nothing was lost.</exception>
    public long Commit(CancellationToken cancellationToken = default)
    {
        if (_store is null) throw new InvalidOperationException("This index is in-memory; create it with WerklyIndex.Open(directory, options) to commit.");
        lock (_commitGate)
        {
            using var activity = IndexTelemetry.ActivitySource.StartActivity("werkly.index.commit");
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            var deleted = _deletedSinceCommit.ToArray();
            var generation = _store.Commit(_partitions.Snapshot(), deleted, Options, SegmentKeywordEncoder, cancellationToken);
            _deletedSinceCommit.ExceptWith(deleted);
            IndexTelemetry.CommitDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            activity?.SetTag("werkly.commit.generation", generation);
            return generation;
        }
    }

    /// <summary>Runs <see cref="Commit"/> on the thread pool.</summary>
    public Task<long> CommitAsync(CancellationToken cancellationToken = default) =>
        Task.Run(() => Commit(cancellationToken), cancellationToken);

    /// <summary>The settings the index was created with.</summary>
    public VectorIndexOptions Options { get; }

    /// <summary>Vector length.</summary>
    public int Dimensions => Options.Dimensions;

    /// <summary>How vectors are compared.</summary>
    public DistanceMetric Metric => Options.Metric;

    /// <summary>The companies that have a partition (a snapshot).</summary>
    public IReadOnlyCollection<string> Companies => [.. _partitions.CompanyIds];

    /// <summary>Whether <paramref name="companyId"/> has a partition.</summary>
    public bool ContainsCompany(string companyId) => _partitions.TryGet(companyId, out _);

    /// <summary>Inserts or replaces one record of <paramref name="companyId"/>.</summary>
    /// <param name="companyId">The company; its partition is created on first write.</param>
    /// <param name="key">Unique within the company: an existing record with this key is replaced.</param>
    /// <param name="vector">Exactly <see cref="Dimensions"/> finite floats.</param>
    /// <param name="metadata">Optional metadata for filtering and projection.</param>
    public void Upsert(string companyId, string key, ReadOnlySpan<float> vector, IReadOnlyDictionary<string, MetadataValue>? metadata = null) =>
        Upsert(companyId, [new VectorRecord(key, vector.ToArray(), metadata)]);

    /// <summary>
    /// Inserts or replaces a batch of records of <paramref name="companyId"/>. The batch is validated whole before
    /// anything changes. When the company crosses the flat-search threshold or doubles since its last training and
    /// <see cref="VectorIndexOptions.AutoRetrain"/> is on, its lists are retrained before this returns.
    /// </summary>
    /// <param name="companyId">The company; its partition is created on first write.</param>
    /// <param name="records">The records; a key repeated in the batch keeps its last occurrence.</param>
    /// <param name="cancellationToken">Cancels an automatic retrain (the records stay written).</param>
    public void Upsert(string companyId, IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        EnsureWritable();
        var partition = _partitions.GetOrCreate(companyId);
        var trainingDue = partition.Upsert(records);
        IndexTelemetry.RecordsWritten.Add(records.Count);
        if (trainingDue) Train(partition, progress: null, cancellationToken);
    }

    /// <summary>
    /// Deletes <paramref name="deletes"/> and then upserts <paramref name="upserts"/> in <paramref name="companyId"/> as one
    /// atomic change: a concurrent search, and a commit, see all of it or none of it. This is how a document's chunks
    /// are replaced. Everything is validated before anything changes; keys that do not exist are ignored.
    /// </summary>
    /// <param name="companyId">The company; its partition is created on first write.</param>
    /// <param name="upserts">Records to insert or replace.</param>
    /// <param name="deletes">Keys to delete first.</param>
    /// <param name="cancellationToken">Cancels an automatic retrain (the change stays applied).</param>
    public void Apply(string companyId, IReadOnlyList<VectorRecord> upserts, IReadOnlyList<string> deletes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upserts);
        ArgumentNullException.ThrowIfNull(deletes);
        EnsureWritable();
        var partition = _partitions.GetOrCreate(companyId);
        var trainingDue = partition.Apply(upserts, deletes);
        IndexTelemetry.RecordsWritten.Add(upserts.Count);
        if (trainingDue) Train(partition, progress: null, cancellationToken);
    }

    /// <summary>Deletes one record. Returns false when the company or the key does not exist.</summary>
    public bool Delete(string companyId, string key)
    {
        Identifiers.ValidateKey(key);
        EnsureWritable();
        return _partitions.TryGet(companyId, out var partition) && partition!.Delete(key);
    }

    /// <summary>Deletes a company and all of its data. Returns false when it did not exist.</summary>
    public bool DeleteCompany(string companyId)
    {
        EnsureWritable();
        lock (_commitGate)
        {
            if (!_partitions.Remove(companyId)) return false;
            _deletedSinceCommit.Add(companyId);
            return true;
        }
    }

    /// <summary>The <paramref name="k"/> records of <paramref name="companyId"/> most similar to <paramref name="query"/>, best first.</summary>
    /// <param name="companyId">The company to search.</param>
    /// <param name="query">Exactly <see cref="Dimensions"/> finite floats.</param>
    /// <param name="k">How many results at most (≥ 1).</param>
    /// <param name="options">Probes and filter for this call, or null.</param>
    /// <returns>At most <paramref name="k"/> hits ordered by score (descending), ties broken by key (ordinal).</returns>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public SearchHit[] Search(string companyId, ReadOnlySpan<float> query, int k, SearchOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var hits = new SearchHit[k];
        var count = Search(companyId, query, hits.AsSpan(), options);
        return count == k ? hits : hits[..count];
    }

    /// <summary>
    /// Allocation-free search: fills <paramref name="destination"/> with the best <c>destination.Length</c> records.
    /// </summary>
    /// <returns>How many hits were written.</returns>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public int Search(string companyId, ReadOnlySpan<float> query, Span<SearchHit> destination, SearchOptions? options = null)
    {
        var partition = _partitions.Get(companyId);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        var count = partition.Search(query, destination, options);
        IndexTelemetry.Searches.Add(1);
        IndexTelemetry.SearchDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return count;
    }

    /// <summary>Searches and reports the lists probed, vectors scanned and filtered out, and the time per phase.</summary>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public SearchExplanation Explain(string companyId, ReadOnlySpan<float> query, int k, SearchOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return _partitions.Get(companyId).Explain(query, k, options);
    }

    /// <summary>
    /// Retrains a company's lists from its live records now (k-means, then probe calibration), dropping deleted rows.
    /// Below the flat-search threshold it compacts the company into exact flat search instead.
    /// </summary>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the company keeps its previous lists.</exception>
    public void Retrain(string companyId, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        Train(_partitions.Get(companyId), progress, cancellationToken);
    }

    private static void Train(IvfIndex partition, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        using var activity = IndexTelemetry.ActivitySource.StartActivity("werkly.index.retrain");
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        partition.Retrain(progress, cancellationToken);
        IndexTelemetry.TrainingDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    /// <summary>
    /// Compacts a company: merges all its segments into one and drops deleted and replaced rows, under its current
    /// lists (use <see cref="Retrain"/> to retrain them too). Commits also merge automatically, smallest segments
    /// first, once a company has more than 8 segments.
    /// </summary>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public void Merge(string companyId, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        _partitions.Get(companyId).MergeAll(cancellationToken);
    }

    /// <summary>Copies a record's stored vector (unit length under cosine) into <paramref name="destination"/>.</summary>
    /// <returns>False when the company or key does not exist.</returns>
    public bool TryGetVector(string companyId, string key, Span<float> destination)
    {
        Identifiers.ValidateKey(key);
        return _partitions.TryGet(companyId, out var partition) && partition!.TryGetVector(key, destination, out _);
    }

    /// <summary>The metadata of one record.</summary>
    /// <returns>False when the company or key does not exist; <paramref name="metadata"/> is null for a record without metadata.</returns>
    public bool TryGetMetadata(string companyId, string key, out IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        Identifiers.ValidateKey(key);
        metadata = null;
        return _partitions.TryGet(companyId, out var partition) && partition!.TryGetMetadata(key, out metadata);
    }

    /// <summary>The keys of a company's live records (a snapshot, in no particular order).</summary>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public IReadOnlyList<string> GetKeys(string companyId) => _partitions.Get(companyId).GetKeys();

    /// <summary>Live records of a company; 0 when it has no partition.</summary>
    public int Count(string companyId) => _partitions.TryGet(companyId, out var partition) ? partition!.Count : 0;

    /// <summary>The shape of a company's index: live and deleted rows, lists, default probes.</summary>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public IvfStatistics GetStatistics(string companyId) => _partitions.Get(companyId).GetStatistics();

    private void EnsureWritable()
    {
        if (_store is { ReadOnly: true })
            throw new InvalidOperationException($"The index at '{_store.DirectoryPath}' was opened read-only; open it for writing to change it.");
    }

    /// <summary>Releases the mapped files and the write lock. Uncommitted writes are discarded.</summary>
    public void Dispose()
    {
        _partitions.Dispose();
        _store?.Dispose();
    }
}
