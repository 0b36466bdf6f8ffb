using System.Collections.Immutable;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Storage;

internal sealed partial class IndexDirectory
{
    private WriteAheadLog? _log;
    private FileReference? _logReference;
    // Replaced, never mutated, so readers take it without a lock while a commit or append runs.
    private volatile ImmutableList<LogRecord> _pendingLog = [];
    private bool _logNeedsRotation;

    /// <summary>Upserts and deletes appended with <see cref="AppendLog"/> since the last <see cref="Commit"/>: at open,
    /// those the write-ahead log replayed; afterwards, also those appended since. The caller applies them on top of the
    /// snapshot's segments, in order, and includes them in its next commit.</summary>
    public IReadOnlyList<LogRecord> PendingLog => _pendingLog;

    /// <summary>Makes <paramref name="records"/> durable without writing segments: they are appended to the
    /// write-ahead log (one checksummed record for the group, fsynced) and replayed by the next <see cref="Open"/>
    /// as <see cref="PendingLog"/>. All of them survive a crash, or none.</summary>
    /// <remarks>
    /// <para>The next <see cref="Commit"/> empties the log: the caller must include every pending record in that
    /// commit's changes (for example by flushing its in-memory segment). The first append after a commit creates a new
    /// log file and names it in the manifest (one extra manifest write).</para>
    /// <para>Serialized with commits. On failure the records are not pending; the next append rewrites the log.</para>
    /// </remarks>
    /// <exception cref="IOException">Writing failed; the records were not logged (and will not be replayed).</exception>
    /// <exception cref="InvalidOperationException">The directory is read-only.</exception>
    public void AppendLog(IReadOnlyList<LogRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (Options.ReadOnly) throw new InvalidOperationException($"Index directory '{DirectoryPath}' is open read-only.");
        if (records.Count == 0) return;
        lock (_commitGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ThrowIfFaulted();
            cancellationToken.ThrowIfCancellationRequested();
            if (_log is null || _logNeedsRotation) RotateLog();
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
    }

    private void ThrowIfFaulted()
    {
        if (_faulted is not null)
            throw new IOException($"Index directory '{DirectoryPath}' could not restore its manifest after a failed write; dispose and reopen it.", _faulted);
    }

    /// <summary>Starts a new log holding the pending records and points the manifest at it; the old log is deleted.</summary>
    private void RotateLog()
    {
        string path = Path.Combine(DirectoryPath, $"wal-{TakeFileNumber():D12}.wvl");
        WriteAheadLog? log = null;
        var previous = ManifestWithLog(_logReference);
        try
        {
            log = WriteAheadLog.Create(_device, path);
            if (_pendingLog.Count > 0) log.Append(_pendingLog);
            var reference = new FileReference(Path.GetFileName(path), 0, log.FileId);
            ReplaceManifest(ManifestWithLog(reference), previous, () =>
            {
                var old = _logReference;
                _log?.Dispose();
                _log = log;
                _logReference = reference;
                _logNeedsRotation = false;
                if (old is not null) TryDelete(Path.Combine(DirectoryPath, old.Name));
            });
        }
        catch
        {
            log?.Dispose();
            TryDelete(path);
            throw;
        }
    }

    private Manifest ManifestWithLog(FileReference? log) => _current.Manifest with { NextFileNumber = _nextFileNumber, LogFile = log };

    /// <summary>At open: replays the manifest's log; a writer reopens it for appending, or rewrites it after a torn tail.</summary>
    private void RecoverLog()
    {
        var reference = _current.Manifest.LogFile;
        if (reference is null) return;
        var (records, lastSequence, tornTail) = WriteAheadLog.Replay(_device, Path.Combine(DirectoryPath, reference.Name), reference.FileId);
        _pendingLog = [.. records];
        _logReference = reference;
        if (Options.ReadOnly) return;
        if (tornTail) RotateLog();
        else _log = WriteAheadLog.OpenForAppend(_device, Path.Combine(DirectoryPath, reference.Name), reference.FileId, lastSequence);
    }

    /// <summary>After a successful commit: the log's records are in segments now; drop the log.</summary>
    private void RetireLog()
    {
        _log?.Dispose();
        _log = null;
        if (_logReference is not null) TryDelete(Path.Combine(DirectoryPath, _logReference.Name));
        _logReference = null;
        _pendingLog = [];
        _logNeedsRotation = false;
    }
}
