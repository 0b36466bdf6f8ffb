using System.Collections.Immutable;

namespace Werkly.VectorIndex.Storage;

internal sealed partial class IndexDirectory
{
    // Lock order: _commitGate → _logIo → _queueGate. _logIo guards the log file and the pending records; it is held
    // for one append (write + fsync) or for the swap to the next log at the end of a commit, never for a commit's I/O.
    private readonly object _logIo = new();
    private readonly object _queueGate = new();
    private List<(IReadOnlyList<LogRecord> Records, TaskCompletionSource Done)> _queue = [];
    private bool _flushing;
    private WriteAheadLog? _log;
    private FileReference? _logReference;
    // Replaced, never mutated, so readers take it without a lock while a commit or append runs.
    private volatile ImmutableList<LogRecord> _pendingLog = [];
    private volatile bool _logNeedsRotation;

    /// <summary>Upserts and deletes appended with <see cref="AppendLogAsync"/> and not yet in a commit: at open, those the
    /// write-ahead log replayed; afterwards, also those appended since. The caller applies them on top of the
    /// snapshot's segments, in order.</summary>
    public IReadOnlyList<LogRecord> PendingLog => _pendingLog;

    /// <summary>Makes <paramref name="records"/> durable without writing segments; see <see cref="AppendLogAsync"/>.</summary>
    public void AppendLog(IReadOnlyList<LogRecord> records, CancellationToken cancellationToken = default) =>
        AppendLogAsync(records, cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Makes <paramref name="records"/> durable without writing segments: they are appended to the write-ahead log and
    /// fsynced, and replayed by the next <see cref="Open"/> as <see cref="PendingLog"/>. All of them survive a crash, or
    /// none. Concurrent appends share one write and one fsync (group commit): the first caller writes every record queued
    /// while the previous fsync ran.
    /// </summary>
    /// <remarks>A commit that includes the first <c>n</c> pending records (<see cref="Commit"/>'s <c>logRecordsCommitted</c>)
    /// moves the rest to a new log file named by its manifest, so appends continue during a commit's I/O.</remarks>
    /// <exception cref="IOException">Writing failed; the records were not logged and are not replayed: the log is cut
    /// back to its length before the append. Only when that fails too (the disk refuses every write) may they reappear
    /// at the next open if the process ends before the next append or commit moves the pending records to a new log.</exception>
    /// <exception cref="InvalidOperationException">The directory is read-only.</exception>
    public Task AppendLogAsync(IReadOnlyList<LogRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (Options.ReadOnly) throw new InvalidOperationException($"Index directory '{DirectoryPath}' is open read-only.");
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (records.Count == 0) return Task.CompletedTask;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool leader;
        lock (_queueGate)
        {
            _queue.Add((records, done));
            leader = !_flushing;
            _flushing = true;
        }
        if (leader) FlushQueue();
        return done.Task;
    }

    /// <summary>The leader writes every queued group as one log record, until the queue is empty.</summary>
    private void FlushQueue()
    {
        while (true)
        {
            List<(IReadOnlyList<LogRecord> Records, TaskCompletionSource Done)> batch;
            lock (_queueGate)
            {
                if (_queue.Count == 0)
                {
                    _flushing = false;
                    return;
                }
                batch = _queue;
                _queue = [];
            }
            var records = batch.Count == 1 ? batch[0].Records : [.. batch.SelectMany(b => b.Records)];
            Exception? error = null;
            try
            {
                Append(records);
            }
#pragma warning disable CA1031 // Every waiting writer gets the failure.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error = ex;
            }
            foreach (var (_, done) in batch)
            {
                if (error is null) done.SetResult();
                else done.SetException(error);
            }
        }
    }

    private void Append(IReadOnlyList<LogRecord> records)
    {
        while (true)
        {
            if (_log is null || _logNeedsRotation)
            {
                // Starting a log names it in the manifest: that is a manifest write, serialised with commits.
                lock (_commitGate)
                {
                    lock (_logIo)
                    {
                        ObjectDisposedException.ThrowIf(_disposed, this);
                        ThrowIfFaulted();
                        if (_log is null || _logNeedsRotation) RotateLog();
                        AppendLocked(records);
                        return;
                    }
                }
            }
            lock (_logIo)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_log is null || _logNeedsRotation) continue; // a failure in between: rotate first
                AppendLocked(records);
                return;
            }
        }
    }

    private void AppendLocked(IReadOnlyList<LogRecord> records)
    {
        try
        {
            _log!.Append(records);
        }
        catch
        {
            // A partial record may sit at the log's tail: never append behind it; rewrite the log next time.
            _logNeedsRotation = true;
            throw;
        }
        _pendingLog = _pendingLog.AddRange(records);
    }

    private void ThrowIfFaulted()
    {
        if (_faulted is not null)
            throw new IOException($"Index directory '{DirectoryPath}' could not restore its manifest after a failed write; dispose and reopen it.", _faulted);
    }

    /// <summary>Starts a new log holding the pending records and points the manifest at it; the old log is deleted.
    /// Holds <c>_commitGate</c> and <c>_logIo</c>.</summary>
    private void RotateLog()
    {
        var previous = ManifestWithLog(_logReference);
        var (log, reference) = CreateLog(_pendingLog);
        try
        {
            ReplaceManifest(ManifestWithLog(reference), previous, () => SwitchLog(log, reference));
        }
        catch
        {
            log.Dispose();
            TryDelete(Path.Combine(DirectoryPath, reference.Name));
            throw;
        }
    }

    /// <summary>A new, fsynced log file holding <paramref name="records"/>.</summary>
    private (WriteAheadLog Log, FileReference Reference) CreateLog(ImmutableList<LogRecord> records)
    {
        string path = Path.Combine(DirectoryPath, $"wal-{TakeFileNumber():D12}.wvl");
        WriteAheadLog? log = null;
        try
        {
            log = WriteAheadLog.Create(_device, path);
            if (records.Count > 0) log.Append(records);
            return (log, new FileReference(Path.GetFileName(path), 0, log.FileId));
        }
        catch
        {
            log?.Dispose();
            TryDelete(path);
            throw;
        }
    }

    /// <summary>Makes <paramref name="log"/> the log appends go to, and deletes the previous one.</summary>
    private void SwitchLog(WriteAheadLog log, FileReference reference)
    {
        var old = _logReference;
        _log?.Dispose();
        _log = log;
        _logReference = reference;
        _logNeedsRotation = false;
        if (old is not null && old.Name != reference.Name) TryDelete(Path.Combine(DirectoryPath, old.Name));
    }

    private Manifest ManifestWithLog(FileReference? log) => _current.Manifest with { NextFileNumber = _nextFileNumber, LogFile = log };

    /// <summary>
    /// The last step of a commit (holding <c>_commitGate</c>): with appends paused, the records after the first
    /// <paramref name="logRecordsCommitted"/> (appended while the commit wrote its files) move to a new log, which
    /// <paramref name="manifest"/> names, and the manifest is made durable.
    /// </summary>
    /// <returns>The manifest as written (naming the log).</returns>
    private Manifest ReplaceManifestAndLog(Manifest manifest, int logRecordsCommitted)
    {
        lock (_logIo)
        {
            var previous = ManifestWithLog(_logReference);
            var pending = _pendingLog;
            var committed = Math.Min(logRecordsCommitted, pending.Count);
            var remaining = pending.RemoveRange(0, committed);
            if (_log is null && remaining.Count == 0 && !_logNeedsRotation)
            {
                // No log in use (a replayed one is in this commit now): drop it.
                var plain = manifest with { LogFile = null };
                ReplaceManifest(plain, previous);
                if (_logReference is not null) TryDelete(Path.Combine(DirectoryPath, _logReference.Name));
                _logReference = null;
                _pendingLog = [];
                return plain;
            }
            // Once a log is in use, a commit always leaves one (empty or not), so appends never wait for a manifest write.
            var (log, reference) = CreateLog(remaining);
            var named = manifest with { LogFile = reference, NextFileNumber = _nextFileNumber };
            try
            {
                ReplaceManifest(named, previous, () =>
                {
                    SwitchLog(log, reference);
                    _pendingLog = remaining;
                });
                return named;
            }
            catch
            {
                log.Dispose();
                TryDelete(Path.Combine(DirectoryPath, reference.Name));
                throw;
            }
        }
    }

    /// <summary>A writer at open: replays the manifest's log and reopens it for appending, or rewrites it after a torn tail.</summary>
    private void RecoverLog()
    {
        var reference = _current.Manifest.LogFile;
        if (reference is null) return;
        var (records, lastSequence, tornTail) = WriteAheadLog.Replay(_device, Path.Combine(DirectoryPath, reference.Name), reference.FileId);
        _pendingLog = [.. records];
        _logReference = reference;
        if (tornTail) RotateLog();
        else _log = WriteAheadLog.OpenForAppend(_device, Path.Combine(DirectoryPath, reference.Name), reference.FileId, lastSequence);
    }
}
