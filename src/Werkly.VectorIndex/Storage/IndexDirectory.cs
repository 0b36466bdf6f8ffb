using System.Collections.Immutable;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Storage;

/// <summary>
/// A persisted index directory: per company a centroids file and immutable segment files with tombstones, named by a
/// MANIFEST that each commit replaces atomically. This is the storage API the public facade calls.
/// </summary>
/// <remarks>
/// <para><b>Usage.</b> <see cref="Open"/> the directory (creating it when empty), read the last commit with
/// <see cref="OpenSnapshot"/>, and make changes durable with <see cref="Commit"/>. Dispose snapshots, then the directory.</para>
/// <para><b>Durability.</b> A commit (1) writes and fsyncs every new segment, centroids and tombstone file, (2) writes
/// the new manifest to <c>MANIFEST.tmp</c> and fsyncs it, (3) renames it over <c>MANIFEST</c>, (4) fsyncs the
/// directory. When <see cref="Commit"/> returns, the commit survives a crash or power loss; if it throws, the
/// directory stays at the previous commit (on disk and in memory) and the next commit may succeed. A crash at any
/// moment leaves either the previous or the new commit, never a mix; files a crash leaves behind are deleted by the
/// next writer's <see cref="Open"/>.</para>
/// <para><b>Write-ahead log (optional).</b> <see cref="AppendLog"/> makes single upserts and deletes durable
/// without writing segments; <see cref="PendingLog"/> returns them after a reopen, and the next commit (which must
/// include them) empties the log.</para>
/// <para><b>Concurrency.</b> One writer per directory across processes, enforced by an exclusive lock on the
/// <c>LOCK</c> file (<see cref="IndexLockedException"/> for a second writer). Commits are serialized; snapshots are
/// taken and read without waiting for a commit in progress. Retired files are deleted when the last snapshot that
/// uses them is disposed. All members are thread-safe.</para>
/// </remarks>
internal sealed partial class IndexDirectory : IDisposable
{
    /// <summary>The manifest's file name.</summary>
    public const string ManifestFileName = "MANIFEST";

    /// <summary>The temporary name a new manifest is written under before it is renamed into place.</summary>
    public const string ManifestTempFileName = "MANIFEST.tmp";

    /// <summary>The lock file's name.</summary>
    public const string LockFileName = "LOCK";

    private readonly IStorageDevice _device;
    private readonly IDisposable? _lock;
    private readonly object _stateGate = new();
    private readonly object _commitGate = new();
    private DirectoryState _current;
    private long _nextFileNumber;
    private bool _disposed;
    private Exception? _faulted;

    private IndexDirectory(IStorageDevice device, string path, IndexDirectoryOptions options, IDisposable? writeLock, DirectoryState state)
    {
        _device = device;
        DirectoryPath = path;
        Options = options;
        _lock = writeLock;
        _current = state;
        _nextFileNumber = state.Manifest.NextFileNumber;
    }

    /// <summary>The directory's path.</summary>
    public string DirectoryPath { get; }

    /// <summary>The options it was opened with.</summary>
    public IndexDirectoryOptions Options { get; }

    /// <summary>The generation of the current commit.</summary>
    public long Generation
    {
        get
        {
            lock (_stateGate) return _current.Manifest.Generation;
        }
    }

    /// <summary>Opens the index directory at <paramref name="path"/>, creating it (and an empty first commit) when it
    /// does not exist or is empty, unless <see cref="IndexDirectoryOptions.ReadOnly"/>.</summary>
    /// <param name="device">The I/O device (<see cref="FileStorageDevice.Instance"/> outside tests).</param>
    /// <param name="path">The directory.</param>
    /// <param name="options">Options; null for a writer with defaults.</param>
    /// <returns>The open directory, holding the write lock unless read-only.</returns>
    /// <exception cref="IndexLockedException">Another writer holds the directory.</exception>
    /// <exception cref="IndexCorruptedException">The manifest or a file it names is missing or damaged (the message names the file and the offset).</exception>
    /// <exception cref="IncompatibleFormatException">A file was written by a newer format version.</exception>
    /// <exception cref="DirectoryNotFoundException">Read-only and the directory does not exist.</exception>
    public static IndexDirectory Open(IStorageDevice device, string path, IndexDirectoryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new IndexDirectoryOptions();
        path = Path.GetFullPath(path);
        if (options.ReadOnly)
        {
            if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"Index directory '{path}' does not exist.");
            var (state, pending) = LoadReaderState(device, path, previous: null);
            return new IndexDirectory(device, path, options, null, state) { _pendingLog = pending, _logReference = state.Manifest.LogFile };
        }

        device.CreateDirectory(path);
        var writeLock = device.AcquireExclusiveLock(Path.Combine(path, LockFileName));
        try
        {
            string manifestPath = Path.Combine(path, ManifestFileName);
            if (!device.Exists(manifestPath))
            {
                var strays = device.ListFiles(path).Where(Manifest.IsDataFileName).ToList();
                if (strays.Count > 0)
                    throw new IndexCorruptedException(manifestPath, -1, $"the manifest is missing but the directory holds {strays.Count} data file(s), e.g. '{strays[0]}'.");
                WriteManifest(device, path, Manifest.Empty);
            }
            var state = LoadState(device, path, Manifest.Read(device, manifestPath));
            var directory = new IndexDirectory(device, path, options, writeLock, state);
            try
            {
                directory.DeleteUnreferencedFiles();
                directory.RecoverLog();
            }
            catch
            {
                directory.Dispose();
                throw;
            }
            return directory;
        }
        catch
        {
            writeLock.Dispose();
            throw;
        }
    }

    /// <summary>A snapshot of the current commit; dispose it when done.</summary>
    public IndexSnapshot OpenSnapshot()
    {
        lock (_stateGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_current.TryAddReference()) throw new InvalidOperationException("The current state was released.");
            return new IndexSnapshot(_current);
        }
    }

    /// <summary>Read-only instances: reload the manifest (and the write-ahead log) if a writer has committed or logged since; returns true when something changed.</summary>
    /// <exception cref="IndexCorruptedException">The new commit is damaged; the instance keeps its previous state.</exception>
    public bool Refresh()
    {
        if (!Options.ReadOnly) return false;
        lock (_commitGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var manifest = Manifest.Read(_device, Path.Combine(DirectoryPath, ManifestFileName));
            if (manifest.Generation == _current.Manifest.Generation && manifest.NextFileNumber == _current.Manifest.NextFileNumber)
            {
                // Same commit: only the log can have grown (a writer never appends behind a torn record).
                if (manifest.LogFile is null) return false;
                ImmutableList<LogRecord>? records = null;
                try
                {
                    records = ReadLog(_device, DirectoryPath, manifest.LogFile);
                }
                catch (IndexCorruptedException) when (ManifestChanged(_device, Path.Combine(DirectoryPath, ManifestFileName), manifest))
                {
                    // The writer committed (and dropped this log) meanwhile: load the new commit below.
                }
                if (records is not null)
                {
                    if (records.Count == _pendingLog.Count) return false;
                    _pendingLog = records;
                    return true;
                }
            }
            var (next, pending) = LoadReaderState(_device, DirectoryPath, _current);
            Swap(next);
            _pendingLog = pending;
            _logReference = next.Manifest.LogFile;
        }
        return true;
    }

    /// <summary>Releases the write lock and the directory's hold on its files (open snapshots stay usable until disposed).</summary>
    public void Dispose()
    {
        DirectoryState state;
        lock (_commitGate)
        {
            lock (_stateGate)
            {
                if (_disposed) return;
                _disposed = true;
                state = _current;
            }
        }
        state.Release();
        lock (_logIo) _log?.Dispose();
        _lock?.Dispose();
    }

    private void Swap(DirectoryState next)
    {
        DirectoryState previous;
        lock (_stateGate)
        {
            previous = _current;
            _current = next;
        }
        previous.Release();
    }

    /// <summary>A reader's view: the last commit and the records its write-ahead log holds, read as one (a writer that
    /// commits in between drops the log the manifest named: then both are read again).</summary>
    /// <param name="device">The device.</param>
    /// <param name="path">The directory.</param>
    /// <param name="previous">The state being replaced: files it maps that the new commit still names are shared, not
    /// mapped again, so a company whose files did not change keeps the very same mapped segments.</param>
    private static (DirectoryState State, ImmutableList<LogRecord> Pending) LoadReaderState(IStorageDevice device, string path, DirectoryState? previous)
    {
        string manifestPath = Path.Combine(path, ManifestFileName);
        for (int attempt = 0; ; attempt++)
        {
            var state = LoadStateWithRetry(device, path, previous);
            try
            {
                return (state, state.Manifest.LogFile is { } log ? ReadLog(device, path, log) : []);
            }
            catch (IndexCorruptedException) when (attempt < 5 && ManifestChanged(device, manifestPath, state.Manifest))
            {
                state.Release();
            }
            catch
            {
                state.Release();
                throw;
            }
        }
    }

    /// <summary>The records of a log (a torn tail, which a writer is still appending or which a crash left, is ignored).</summary>
    private static ImmutableList<LogRecord> ReadLog(IStorageDevice device, string path, FileReference log) =>
        [.. WriteAheadLog.Replay(device, Path.Combine(path, log.Name), log.FileId).Records];

    private static DirectoryState LoadStateWithRetry(IStorageDevice device, string path, DirectoryState? previous = null)
    {
        string manifestPath = Path.Combine(path, ManifestFileName);
        for (int attempt = 0; ; attempt++)
        {
            if (!device.Exists(manifestPath) && !device.ListFiles(path).Any(Manifest.IsDataFileName))
                return new DirectoryState(Manifest.Empty, []);
            var manifest = Manifest.Read(device, manifestPath);
            try
            {
                return LoadState(device, path, manifest, previous);
            }
            catch (IndexCorruptedException) when (attempt < 5 && ManifestChanged(device, manifestPath, manifest))
            {
                // A writer committed and deleted a retired file between our manifest read and the open: read again.
            }
        }
    }

    private static bool ManifestChanged(IStorageDevice device, string manifestPath, Manifest seen)
    {
        try
        {
            var now = Manifest.Read(device, manifestPath);
            return now.Generation != seen.Generation || now.NextFileNumber != seen.NextFileNumber;
        }
        catch (IndexCorruptedException)
        {
            return false;
        }
    }

    private static DirectoryState LoadState(IStorageDevice device, string path, Manifest manifest, DirectoryState? previous = null)
    {
        // Files the previous state maps (same name, same file id) are shared with it instead of mapped again.
        var mappedCentroids = new Dictionary<(string, ulong), SharedFile<MappedCentroids>>();
        var mappedSegments = new Dictionary<(string, ulong), SharedFile<MappedSegment>>();
        foreach (var company in previous?.Companies ?? [])
        {
            var entry = previous!.Manifest.Companies.First(c => c.CompanyId == company.CompanyId);
            if (company.SharedCentroids is { } c && entry.CentroidsFile is { } cf) mappedCentroids[(cf.Name, cf.FileId)] = c;
            for (var i = 0; i < company.Segments.Count; i++)
                mappedSegments[(company.Segments[i].Entry.File.Name, company.Segments[i].Entry.File.FileId)] = company.Segments[i].SharedSegment;
        }
        var opened = new List<Action>();
        try
        {
            var companies = new List<CompanySnapshot>(manifest.Companies.Count);
            foreach (var company in manifest.Companies)
            {
                SharedFile<MappedCentroids>? centroids = null;
                if (company.CentroidsFile is { } c)
                {
                    string file = Path.Combine(path, c.Name);
                    if (mappedCentroids.TryGetValue((c.Name, c.FileId), out var shared) && shared.TryAddReference()) centroids = shared;
                    else centroids = new SharedFile<MappedCentroids>(MappedCentroids.Open(device, file, company.CompanyId, c.FileId, c.Length), file, device);
                    opened.Add(centroids.Release);
                    if (centroids.Value.Dimensions != company.Dimensions)
                        throw new IndexCorruptedException(file, FileHeader.Size, $"the centroids have {centroids.Value.Dimensions} dimensions, the manifest says {company.Dimensions}.");
                }
                var segments = new List<SegmentSnapshot>(company.Segments.Count);
                foreach (var entry in company.Segments)
                {
                    var segment = mappedSegments.TryGetValue((entry.File.Name, entry.File.FileId), out var shared) && shared.TryAddReference()
                        ? shared
                        : OpenSegment(device, path, company, entry);
                    opened.Add(segment.Release);
                    var tombstones = entry.TombstoneFile is { } t
                        ? Tombstones.Read(device, Path.Combine(path, t.Name), entry.SegmentId, entry.RowCount, t.FileId, t.Length)
                        : Tombstones.None;
                    if (tombstones.Count != entry.DeletedCount)
                        throw new IndexCorruptedException(Path.Combine(path, entry.TombstoneFile?.Name ?? ManifestFileName), -1,
                            $"the tombstone file holds {tombstones.Count} rows, the manifest says {entry.DeletedCount}.");
                    segments.Add(new SegmentSnapshot(entry, segment, tombstones));
                }
                companies.Add(new CompanySnapshot(company.CompanyId, company.Dimensions, centroids, segments, company.Properties));
            }
            return new DirectoryState(manifest, companies);
        }
        catch
        {
            foreach (var release in opened) release();
            throw;
        }
    }

    private static SharedFile<MappedSegment> OpenSegment(IStorageDevice device, string path, CompanyEntry company, SegmentEntry entry)
    {
        string file = Path.Combine(path, entry.File.Name);
        var segment = MappedSegment.Open(device, file, company.CompanyId, entry.SegmentId, entry.File.FileId, entry.File.Length);
        if (segment.RowCount != entry.RowCount || segment.Dimensions != company.Dimensions)
        {
            segment.Dispose();
            throw new IndexCorruptedException(file, FileHeader.Size, $"the segment has {segment.RowCount} rows of {segment.Dimensions} dimensions, the manifest says {entry.RowCount} of {company.Dimensions}.");
        }
        return new SharedFile<MappedSegment>(segment, file, device);
    }

    private void DeleteUnreferencedFiles()
    {
        var referenced = _current.Manifest.Files().Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (string name in _device.ListFiles(DirectoryPath))
        {
            if (Manifest.IsDataFileName(name))
            {
                _nextFileNumber = Math.Max(_nextFileNumber, Manifest.FileNumberOf(name) + 1);
                if (!referenced.Contains(name)) TryDelete(Path.Combine(DirectoryPath, name));
            }
            else if (name == ManifestTempFileName)
            {
                TryDelete(Path.Combine(DirectoryPath, name));
            }
        }
    }

    private void TryDelete(string file)
    {
        try
        {
            _device.Delete(file);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
