using System.Diagnostics;
using Werkly.VectorIndex.Caching;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Ivf;
using Werkly.VectorIndex.Partitions;
using Werkly.VectorIndex.Storage;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex;

/// <summary>
/// An in-process search index partitioned by company: IVFFlat vector search, BM25 keyword search over the records'
/// titles and texts, and both fused — the embedded replacement for
/// <c>WHERE company_id = … ORDER BY embedding &lt;=&gt; q LIMIT k</c>.
/// </summary>
/// <remarks>
/// <para><b>Companies.</b> Every record belongs to exactly one company, and every search names its company: it can never
/// return another company's record. Company ids are 1 to 64 characters of <c>[A-Za-z0-9_.-]</c>, case-sensitive, and
/// unique regardless of case (<see cref="InvalidIdentifierException"/> for an id that differs only in case from an
/// existing one). Each company has its own lists, trained on its own data, its own keyword statistics and its own
/// documents.</para>
/// <para><b>Writes</b> are atomic per call: a record's vector, text, postings and document entry change together or not
/// at all, and a search sees all of a write or none of it. Cancellation is observed only before a write changes
/// anything. Everything is validated before anything changes, and a value accepted reads back exactly.</para>
/// <para><b>Durability.</b> Persisted indexes (<see cref="Open(string, WerklyIndexOptions, bool)"/>) make writes durable
/// at <see cref="Commit"/>, or, with <see cref="Durability.PerWrite"/>, before each write returns. A commit that fails
/// keeps every write pending; a failure in one company's data never holds back another company's writes.</para>
/// <para><b>Threading.</b> All members are thread-safe. Many concurrent searches with a concurrent writer is the normal
/// case: a search runs on one state of its company from start to end and waits only for the microseconds in which a
/// write installs its change; retrains and merges build while searches continue. Writes to one company are serialised;
/// writes to different companies run in parallel.</para>
/// <para><b>Lifetime.</b> <see cref="Dispose"/> waits for the operations in flight (cancelling commits, retrains and
/// merges) and then releases the mapped files and the directory lock; it never throws. Every member called after it
/// throws <see cref="ObjectDisposedException"/>. Do not call it from inside a filter callback.</para>
/// </remarks>
public sealed partial class WerklyIndex : IDisposable
{
    private readonly PartitionTable _partitions = new();
    private readonly WerklyIndexOptions _options;
    private readonly PartitionSettings _settings;
    private readonly IndexStore? _store;
    private readonly object _commitGate = new();

    /// <summary>Runs a commit's lock-free heavy work (merge builds, encoding, file writes) at <see cref="WerklyIndexOptions.CommitPriority"/>; null when the index cannot commit.</summary>
    private CommitThread? _commitThread;
    private CommitThread? _retrainThread;
    private readonly HashSet<string> _deletedSinceCommit = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposing = new();
    private readonly ManualResetEventSlim _drained = new(false);
    private readonly Timer? _refreshTimer;
    private readonly IWriteLog? _writeLog;
    private readonly QueryCache? _queryCache;
    private int _active;
    private int _disposed;

    /// <summary>Creates an empty in-memory index.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting in <paramref name="options"/> is out of range.</exception>
    public WerklyIndex(WerklyIndexOptions options)
        : this(Validated(options), store: null)
    {
    }

    private WerklyIndex(WerklyIndexOptions options, IndexStore? store)
    {
        _options = options;
        _store = store;
        _settings = new PartitionSettings(options, new TextAnalyzer(options.Keywords.Analysis), Persistent: store is not null);
        if (options.QueryCacheBytes > 0) _queryCache = new QueryCache(options.QueryCacheBytes);
        if (store is { ReadOnly: false } && options.Durability == Durability.PerWrite) _writeLog = new DirectoryWriteLog(store.Directory);
        if (store is { ReadOnly: false }) _commitThread = new CommitThread(options.CommitPriority);
        if (store is not { ReadOnly: true }) _settings.RetrainWorker = _retrainThread = new CommitThread(options.CommitPriority, "Werkly retrain", threadPerRun: true);
        if (store is { ReadOnly: true } && options.RefreshInterval is { } interval)
            _refreshTimer = new Timer(static state => ((WerklyIndex)state!).RefreshInBackground(), this, interval, interval);
    }

    /// <summary>
    /// Opens the persisted index in <paramref name="directory"/>, creating it when the folder is missing or empty.
    /// Opening memory-maps the committed segment files: it reads no vectors, so it takes the same time for a million
    /// vectors as for ten thousand, and search reads the mapped blocks in place.
    /// </summary>
    /// <param name="directory">The index folder (one writer at a time, any number of read-only openers).</param>
    /// <param name="options">Must match the dimensions and metric the index was created with.</param>
    /// <param name="readOnly">Open without the write lock: searches only. A read-only index sees later commits after
    /// <see cref="Refresh"/>, or automatically with <see cref="WerklyIndexOptions.RefreshInterval"/>.</param>
    /// <remarks>Damaged files throw <see cref="IndexCorruptedException"/> (naming the file and offset) here or on the first
    /// read of the damaged block; files of a newer format throw <see cref="IncompatibleFormatException"/>.</remarks>
    /// <exception cref="IndexLockedException">Another writer holds the directory.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable (and <paramref name="readOnly"/> is false).</exception>
    /// <exception cref="IOException">The folder is on a read-only file system (and <paramref name="readOnly"/> is false), or another I/O error.</exception>
    /// <exception cref="ArgumentException">The options' dimensions or metric differ from the stored index's.</exception>
    public static WerklyIndex Open(string directory, WerklyIndexOptions options, bool readOnly = false) =>
        Open(FileStorageDevice.Instance, directory, options, readOnly);

    /// <summary>Reads the dimensions and metric the index in <paramref name="directory"/> was created with, without
    /// opening it (no lock is taken, nothing is mapped): what a tool passes to <see cref="Open(string, WerklyIndexOptions, bool)"/>
    /// for an index it did not create.</summary>
    /// <param name="directory">The index folder.</param>
    /// <param name="dimensions">The stored vectors' dimensions.</param>
    /// <param name="metric">The stored metric.</param>
    /// <returns>False when the folder holds no index, or one that has never been committed.</returns>
    /// <exception cref="IndexCorruptedException">The manifest is damaged.</exception>
    /// <exception cref="IncompatibleFormatException">The manifest was written by a newer format version.</exception>
    public static bool TryReadDimensions(string directory, out int dimensions, out Distance.DistanceMetric metric)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return IndexStore.TryReadSettings(FileStorageDevice.Instance, directory, out dimensions, out metric);
    }

    // faultHook: the test hook (FaultHook), installed before the write-ahead log is replayed.
    internal static WerklyIndex Open(IStorageDevice device, string directory, WerklyIndexOptions options, bool readOnly = false, Action<string>? faultHook = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Validated(options);
        var (store, companies, pending) = IndexStore.Open(device, Path.GetFullPath(directory), options, readOnly);
        WerklyIndex? index = null;
        try
        {
            index = new WerklyIndex(options, store) { FaultHook = faultHook };
            index._partitions.Replace(index.Load(companies, pending));
            return index;
        }
        catch
        {
            if (index is not null) index.Dispose();
            else store.Dispose();
            throw;
        }
    }

    /// <summary>The settings the index was created with.</summary>
    public WerklyIndexOptions Options => NotDisposed(_options);

    /// <summary>Vector length.</summary>
    public int Dimensions => NotDisposed(_options.Dimensions);

    /// <summary>How vectors are compared.</summary>
    public Distance.DistanceMetric Metric => NotDisposed(_options.Metric);

    /// <summary>The folder of a persisted index, or null for an in-memory one.</summary>
    public string? DirectoryPath => NotDisposed(_store?.DirectoryPath);

    /// <summary>Whether the index was opened read-only.</summary>
    public bool IsReadOnly => NotDisposed(ReadOnly);

    private bool ReadOnly => _store is { ReadOnly: true };

    /// <summary><paramref name="value"/>, unless the index is disposed (every member throws then, the settings too).</summary>
    private T NotDisposed<T>(T value)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return value;
    }

    /// <summary>The generation of the commit this index shows (0 for a new or in-memory index).</summary>
    public long Generation
    {
        get
        {
            using var lease = Enter();
            lock (_commitGate) return _store?.Generation ?? 0;
        }
    }

    /// <summary>The companies that have a partition (a snapshot).</summary>
    public IReadOnlyCollection<string> Companies
    {
        get
        {
            using var lease = Enter();
            return _partitions.CompanyIds;
        }
    }

    /// <summary>Whether <paramref name="companyId"/> has a partition.</summary>
    public bool ContainsCompany(string companyId)
    {
        Identifiers.ValidateCompanyId(companyId);
        using var lease = Enter();
        return _partitions.TryGet(companyId, out _);
    }

    /// <summary>
    /// Throws unless <paramref name="companyId"/> is well formed and this index can write to it: it names an existing
    /// company, or no existing company's id differs from it only in case. Writes check the same; this lets a caller
    /// (a command-line tool, an upload endpoint) reject a bad id before doing any work.
    /// </summary>
    /// <exception cref="InvalidIdentifierException">The id is malformed, or differs only in case from an existing company's.</exception>
    public void ValidateCompanyId(string companyId)
    {
        Identifiers.ValidateCompanyId(companyId);
        using var lease = Enter();
        _partitions.ThrowIfCaseVariant(companyId);
    }

    /// <summary>The query-result cache, or null (<see cref="WerklyIndexOptions.QueryCacheBytes"/> is 0); for tests.</summary>
    internal QueryCache? QueryCache => _queryCache;

    /// <summary>Test hook: called between the steps of every write (see <see cref="PartitionSettings.FaultHook"/>).</summary>
    internal Action<string>? FaultHook
    {
        get => _settings.FaultHook;
        init => _settings = _settings with { FaultHook = value };
    }

    /// <summary>
    /// Waits for the operations in flight (commits, retrains and merges are cancelled), then releases the mapped files
    /// and the directory's write lock. Uncommitted writes of an <see cref="Durability.OnCommit"/> index are discarded.
    /// Never throws; calling it again does nothing.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            _disposing.Cancel();
        }
        catch (AggregateException)
        {
            // A callback registered on the token failed; the operation it belonged to reports it.
        }
        _refreshTimer?.Dispose();
        if (Volatile.Read(ref _active) != 0) _drained.Wait();
        foreach (var partition in _partitions.All()) TryRun(partition.Dispose);
        if (_store is not null) TryRun(_store.Dispose);
        if (_commitThread is not null) TryRun(_commitThread.Dispose);
        if (_retrainThread is not null) TryRun(_retrainThread.Dispose);
        _drained.Dispose();
        _disposing.Dispose();
    }

    /// <summary>Runs a disposal step; a failure must not keep the next steps (above all, releasing the lock) from running.</summary>
    private static void TryRun(Action step)
    {
        try
        {
            step();
        }
#pragma warning disable CA1031 // Dispose never throws: a failure to release one resource must not keep the others held.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>A lease on the index for one operation: Dispose waits until every lease is returned.</summary>
    private readonly struct Lease(WerklyIndex index) : IDisposable
    {
        public void Dispose() => index.Exit();
    }

    private Lease Enter()
    {
        Interlocked.Increment(ref _active);
        if (Volatile.Read(ref _disposed) != 0)
        {
            Exit();
            throw new ObjectDisposedException(nameof(WerklyIndex));
        }
        return new Lease(this);
    }

    private void Exit()
    {
        if (Interlocked.Decrement(ref _active) == 0 && Volatile.Read(ref _disposed) != 0) _drained.Set();
    }

    /// <summary>A token cancelled by <paramref name="cancellationToken"/> or by <see cref="Dispose"/>.</summary>
    private CancellationTokenSource Linked(CancellationToken cancellationToken) =>
        CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);

    /// <summary>An operation cancelled because the index is being disposed reports that, not a cancellation.</summary>
    private ObjectDisposedException? DisposedInstead(OperationCanceledException ex, CancellationToken caller) =>
        _disposing.IsCancellationRequested && !caller.IsCancellationRequested ? new ObjectDisposedException(nameof(WerklyIndex), ex) : null;

    private CompanyPartition NewPartition(string companyId, IvfIndex? loaded) =>
        loaded is null
            ? new CompanyPartition(companyId, _settings, new IvfIndex(_options, _settings.Persistent), keywordsLoaded: true)
            : new CompanyPartition(companyId, _settings, loaded, keywordsLoaded: false);

    private void EnsureWritable()
    {
        if (ReadOnly)
            throw new InvalidOperationException($"The index at '{_store!.DirectoryPath}' was opened read-only; open it for writing to change it.");
    }

    private static WerklyIndexOptions Validated(WerklyIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    private static long Now() => Stopwatch.GetTimestamp();
}
