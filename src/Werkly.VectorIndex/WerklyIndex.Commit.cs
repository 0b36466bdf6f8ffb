using System.Diagnostics;
using Werkly.VectorIndex.Ivf;
using Werkly.VectorIndex.Partitions;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex;

public sealed partial class WerklyIndex
{
    private int _refreshing;

    /// <summary>Test and benchmark hook: the thread a commit's lock-free work runs on (see <see cref="CommitThread.PhaseHook"/>);
    /// setting a priority replaces it (between commits), so one index can be measured at several.</summary>
    internal CommitThread? CommitWorker => _commitThread;

    /// <summary>Test hook: the thread an automatic retrain's build runs on (null for a read-only index).</summary>
    internal CommitThread? RetrainWorker => _retrainThread;

    /// <inheritdoc cref="CommitWorker"/>
    internal void SetCommitPriority(ThreadPriority priority)
    {
        lock (_commitGate)
        {
            var previous = _commitThread ?? throw new InvalidOperationException("This index cannot commit.");
            _commitThread = new CommitThread(priority) { PhaseHook = previous.PhaseHook };
            previous.Dispose();
            var retrain = _retrainThread;
            _settings.RetrainWorker = _retrainThread = new CommitThread(priority, "Werkly retrain", threadPerRun: true) { PhaseHook = retrain?.PhaseHook };
            retrain?.Dispose();
        }
    }

    /// <summary>Benchmark hook: where the last commit's time went, or null before the first.</summary>
    internal CommitProfile? LastCommitProfile { get; private set; }

    /// <summary>Test and benchmark hook: rewrites each segment's keyword block before a commit writes it (an empty
    /// result writes the segment without one, as an older version would), or null.</summary>
    internal Func<byte[], byte[]>? KeywordBlockTransform { get; set; }

    /// <summary>
    /// Makes every write so far durable: new records are written as immutable segment files and fsynced, then a new
    /// manifest is renamed into place atomically. Searches and writes continue during the I/O. When this returns the
    /// writes survive a killed process or a power loss; when it throws (I/O error, disk full) the index stays at its
    /// last good commit and the writes stay pending for the next commit.
    /// </summary>
    /// <returns>The commit generation.</returns>
    /// <exception cref="InvalidOperationException">The index is in-memory or read-only.</exception>
    /// <exception cref="IOException">The commit failed; nothing was lost.</exception>
    /// <exception cref="OperationCanceledException">Cancelled before the new manifest was in place; nothing was lost.</exception>
    public long Commit(CancellationToken cancellationToken = default)
    {
        using var lease = Enter();
        if (_store is null) throw new InvalidOperationException("This index is in-memory; create it with WerklyIndex.Open(directory, options) to commit.");
        EnsureWritable();
        using var linked = Linked(cancellationToken);
        try
        {
            lock (_commitGate) return CommitLocked(linked.Token);
        }
        catch (OperationCanceledException ex) when (DisposedInstead(ex, cancellationToken) is { } disposed)
        {
            throw disposed;
        }
    }

    /// <summary>Runs <see cref="Commit"/> on the thread pool.</summary>
    public Task<long> CommitAsync(CancellationToken cancellationToken = default) =>
        Task.Run(() => Commit(cancellationToken), cancellationToken);

    private long CommitLocked(CancellationToken cancellationToken)
    {
        var store = _store!;
        var worker = _commitThread!;
        var start = Now();
        using var activity = IndexTelemetry.Start("commit", company: null);
        var partitions = _partitions.All();
        var phase = Stopwatch.GetTimestamp();
        var merged = 0;

        // Tiered merges first, each built on the commit thread while searches and the company's readers continue.
        foreach (var partition in partitions)
        {
            if (partition.MergeIfNeeded(worker, cancellationToken)) merged++;
        }
        var merges = Stopwatch.GetElapsedTime(phase);
        phase = Stopwatch.GetTimestamp();

        // Freeze every company at one point: with every writer gate held (in company id order), no write is half-way,
        // so the frozen segments hold exactly the writes logged before this point.
        var plans = new List<(CompanyPartition Partition, CommitPlan Plan)>();
        var deleted = _deletedSinceCommit.ToArray();
        int logMark;
        var entered = new List<CompanyPartition>(partitions.Length);
        try
        {
            foreach (var partition in partitions)
            {
                partition.EnterGate(cancellationToken);
                entered.Add(partition);
            }
            worker.Observe("freeze");
            foreach (var partition in partitions)
            {
                if (partition.Freeze() is { } plan) plans.Add((partition, plan));
            }
            logMark = store.Directory.PendingLog.Count;
        }
        finally
        {
            foreach (var partition in entered) partition.ExitGate();
        }

        var freeze = Stopwatch.GetElapsedTime(phase);
        phase = Stopwatch.GetTimestamp();
        if (!store.CommitNeeded(plans.Count + deleted.Length)) return store.Generation;
        long generation;
        IndexSnapshot snapshot;
        try
        {
            // Keyword blocks, files, checksums and fsyncs on the commit thread: no lock a search takes is held here.
            (generation, snapshot) = worker.Run(() =>
            {
                worker.Observe("write");
                var changes = new List<CompanyChange>();
                var recreated = deleted.ToHashSet(StringComparer.Ordinal);
                foreach (var company in deleted)
                {
                    if (!partitions.Any(p => p.CompanyId == company)) changes.Add(IndexStore.Deletion(company));
                }
                foreach (var (partition, plan) in plans)
                {
                    var transform = KeywordBlockTransform;
                    changes.Add(store.ToChange(partition.CompanyId, partition.Vectors, plan, recreated.Contains(partition.CompanyId), (metadata, token) =>
                    {
                        var block = partition.EncodeKeywords(metadata, token);
                        return transform is null ? block : transform(block);
                    }, cancellationToken));
                }
                return store.Commit(changes, logMark, cancellationToken);
            });
        }
        catch
        {
            foreach (var (partition, plan) in plans) partition.AbortCommit(plan);
            throw;
        }

        var write = Stopwatch.GetElapsedTime(phase);
        phase = Stopwatch.GetTimestamp();
        // Swap the frozen memory segments for their mapped copies, then let the previous commit's files go: every
        // swap ran under its company's write lock, so no search can still reach them.
        worker.Observe("swap");
        foreach (var (partition, plan) in plans) partition.CompleteCommit(plan, IndexStore.CommittedSegments(snapshot, partition.CompanyId, plan));
        _deletedSinceCommit.ExceptWith(deleted);
        store.ReleaseOlderSnapshots();
        LastCommitProfile = new CommitProfile(merges, merged, freeze, write, Stopwatch.GetElapsedTime(phase), plans.Count);
        activity?.SetTag("werkly.commit.generation", generation);
        IndexTelemetry.Record("commit", null, start);
        return generation;
    }

    /// <summary>
    /// For an index opened read-only: switches to the newest commit (and the writes the writer has logged since), if
    /// there is one. Searches running meanwhile finish on the state they started on; later ones see the new state.
    /// </summary>
    /// <returns>True when the index changed.</returns>
    /// <exception cref="InvalidOperationException">The index is in-memory or opened for writing (a writer always sees its own writes).</exception>
    /// <exception cref="Exceptions.IndexCorruptedException">The new commit is damaged; the index keeps its current state.</exception>
    public bool Refresh(CancellationToken cancellationToken = default)
    {
        using var lease = Enter();
        if (!ReadOnly) throw new InvalidOperationException("Only an index opened read-only refreshes; a writer always sees its own writes.");
        lock (_commitGate)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Now();
            var refreshed = _store!.Refresh();
            if (refreshed is not { } state) return false;
            // A company whose committed files did not change, and that no logged write touched, keeps its partition
            // (and the keyword side it loaded); the others start over on the new commit. The new partitions, with the
            // writes logged after the commit replayed into them, are published together: a search never sees the new
            // commit without those writes (an older state than the one it replaces).
            var logged = state.Pending.Select(r => r.CompanyId).ToHashSet(StringComparer.Ordinal);
            var replaced = _partitions.Replace(Load(state.Companies, state.Pending, company =>
                _partitions.TryGet(company.CompanyId, out var current) && current.Signature == company.Signature && !logged.Contains(company.CompanyId) ? current : null));
            // Searches in the old partitions finish first; then nothing can reach the previous commit's files.
            foreach (var partition in replaced)
            {
                partition.Retire();
                partition.Dispose();
            }
            _store.ReleaseOlderSnapshots();
            IndexTelemetry.Record("refresh", null, start);
            return true;
        }
    }

    private void RefreshInBackground()
    {
        if (Interlocked.Exchange(ref _refreshing, 1) != 0) return;
        try
        {
            Refresh();
        }
#pragma warning disable CA1031 // A background refresh that fails (a damaged commit, disposal) keeps the current state; the next tick retries.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }
}

/// <summary>Where one commit's time went (a benchmark hook).</summary>
/// <param name="Merges">Tiered merges, built while searches continue.</param>
/// <param name="MergedCompanies">Companies a tiered merge rewrote.</param>
/// <param name="Freeze">Taking every writer gate and freezing each company (write lock held per company briefly).</param>
/// <param name="Write">Keyword blocks, segment, tombstone and centroid files, fsyncs and the manifest (no lock a search takes).</param>
/// <param name="Swap">Swapping the frozen memory segments for their mapped copies (each company's write lock in turn).</param>
/// <param name="Companies">Companies with changes in the commit.</param>
internal readonly record struct CommitProfile(TimeSpan Merges, int MergedCompanies, TimeSpan Freeze, TimeSpan Write, TimeSpan Swap, int Companies);
