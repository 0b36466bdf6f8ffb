using System.Threading.Channels;
using Werkly.VectorIndex.Documents;
using Werkly.VectorIndex.Documents.Extraction;
using Werkly.VectorIndex.Documents.Ingestion;

namespace Werkly.VectorIndex.Cli.Sync;

/// <summary>One pass of a <see cref="FolderWatcher"/>: what it ingested, skipped and deleted.</summary>
/// <param name="Time">When the pass finished.</param>
/// <param name="Full">True for a full mirror of the folder (the first pass, and after the watcher lost events).</param>
/// <param name="Result">The outcomes: ingested, unchanged, empty and failed documents, then the deleted ones.</param>
internal sealed record SyncPass(DateTimeOffset Time, bool Full, IngestResult Result);

/// <summary>
/// Keeps one company's documents equal to a folder's files: a full sync first (ingest everything, remove what is not in
/// the folder), then, for every burst of file-system changes once the folder has been quiet for the debounce period,
/// ingests the created, changed and renamed-in files (unchanged content is skipped by hash) and removes the documents of
/// deleted and renamed-away files and folders.
/// </summary>
/// <remarks>
/// Hidden files and folders (names starting with '.') and the index folder itself are ignored, as by <c>werkly ingest</c>.
/// When the operating system drops events (its buffer overflowed), the next pass is a full sync, so nothing is missed.
/// A file still being written when the pass runs is read as it is then; the write that completes it raises another event.
/// Not thread-safe: one <see cref="RunAsync"/> at a time.
/// </remarks>
internal sealed class FolderWatcher
{
    private readonly string _root;
    private readonly string _companyId;
    private readonly DocumentIngestor _ingestor;
    private readonly IChunkSink _sink;
    private readonly TimeSpan _debounce;
    private readonly string? _exclude;
    private volatile bool _passInProgress;

    /// <param name="root">The folder to mirror.</param>
    /// <param name="companyId">The company whose documents mirror it.</param>
    /// <param name="ingestor">Writes to <paramref name="sink"/>.</param>
    /// <param name="sink">The index (to list the company's documents).</param>
    /// <param name="debounce">How long the folder must be quiet before a pass.</param>
    /// <param name="exclude">A folder under <paramref name="root"/> to ignore (the index), or null.</param>
    public FolderWatcher(string root, string companyId, DocumentIngestor ingestor, IChunkSink sink, TimeSpan debounce, string? exclude = null)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _companyId = companyId;
        _ingestor = ingestor;
        _sink = sink;
        _debounce = debounce;
        _exclude = exclude is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(exclude));
    }

    /// <summary>Whether a pass is writing now (so a cancellation interrupts work rather than idle waiting).</summary>
    public bool PassInProgress => _passInProgress;

    /// <summary>Mirrors the folder, then keeps it mirrored until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="onPass">Called after every pass (the first one included).</param>
    /// <param name="cancellationToken">Stops watching; throws <see cref="OperationCanceledException"/>.</param>
    public async Task RunAsync(Func<SyncPass, ValueTask> onPass, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onPass);
        var changes = Channel.CreateUnbounded<string?>(new UnboundedChannelOptions { SingleReader = true }); // null: events were lost
        using var watcher = new FileSystemWatcher(_root)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            InternalBufferSize = 64 * 1024,
        };
        watcher.Created += (_, e) => changes.Writer.TryWrite(e.FullPath);
        watcher.Changed += (_, e) => changes.Writer.TryWrite(e.FullPath);
        watcher.Deleted += (_, e) => changes.Writer.TryWrite(e.FullPath);
        watcher.Renamed += (_, e) =>
        {
            changes.Writer.TryWrite(e.OldFullPath);
            changes.Writer.TryWrite(e.FullPath);
        };
        watcher.Error += (_, _) => changes.Writer.TryWrite(null);
        watcher.EnableRaisingEvents = true; // before the first pass, so that no change during it is missed

        await onPass(await FullSyncAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        var dirty = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            // Wait for a change, then for the folder to be quiet for the debounce period.
            var first = await changes.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var full = first is null;
            if (first is not null) dirty.Add(first);
            while (true)
            {
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                quiet.CancelAfter(_debounce);
                try
                {
                    var next = await changes.Reader.ReadAsync(quiet.Token).ConfigureAwait(false);
                    if (next is null) full = true;
                    else dirty.Add(next);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    break; // quiet long enough
                }
            }
            var pass = full ? await FullSyncAsync(cancellationToken).ConfigureAwait(false) : await ApplyAsync(dirty, cancellationToken).ConfigureAwait(false);
            dirty.Clear();
            await onPass(pass).ConfigureAwait(false);
        }
    }

    private async Task<SyncPass> FullSyncAsync(CancellationToken cancellationToken)
    {
        _passInProgress = true;
        try
        {
            var documents = SourceDocument.FromDirectory(_root).Where(d => !IsExcluded(d.FilePath!)).ToList();
            var result = await _ingestor.SyncAsync(documents, _companyId, null, cancellationToken).ConfigureAwait(false);
            return new SyncPass(DateTimeOffset.Now, Full: true, result);
        }
        finally
        {
            _passInProgress = false;
        }
    }

    /// <summary>Ingests what exists of the changed paths and deletes the documents of what no longer does.</summary>
    private async Task<SyncPass> ApplyAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ingest = new Dictionary<string, SourceDocument>(StringComparer.Ordinal);
        var gone = new List<string>();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            if (IsExcluded(path) || Id(path) is not { } id)
                continue;
            if (File.Exists(path))
            {
                if (DocumentTextExtractor.Default.IsSupported(path))
                    ingest[id] = SourceDocument.FromFile(path, id);
            }
            else if (Directory.Exists(path))
            {
                foreach (var document in SourceDocument.FromDirectory(path).Where(d => !IsExcluded(d.FilePath!)))
                    ingest[id + "/" + document.Id] = SourceDocument.FromFile(document.FilePath!, id + "/" + document.Id);
            }
            else
            {
                gone.Add(id);
            }
        }

        _passInProgress = true;
        try
        {
            var result = await _ingestor.IngestAsync(ingest.Values.OrderBy(d => d.Id, StringComparer.Ordinal).ToList(), _companyId, null, cancellationToken).ConfigureAwait(false);
            var outcomes = new List<DocumentOutcome>(result.Documents);
            if (gone.Count > 0)
            {
                // A deleted path is a file (its document) or a folder (every document under it).
                var stored = new List<string>();
                await foreach (var id in _sink.ListDocumentIdsAsync(_companyId, cancellationToken).ConfigureAwait(false))
                    stored.Add(id);
                foreach (var id in stored.Where(s => !ingest.ContainsKey(s) && gone.Any(g => s == g || s.StartsWith(g + "/", StringComparison.Ordinal))).Order(StringComparer.Ordinal))
                {
                    if (await _ingestor.DeleteDocumentAsync(_companyId, id, cancellationToken).ConfigureAwait(false))
                        outcomes.Add(new DocumentOutcome(_companyId, id, DocumentStatus.Deleted));
                }
            }
            return new SyncPass(DateTimeOffset.Now, Full: false, result with { Documents = outcomes, Elapsed = clock.Elapsed });
        }
        finally
        {
            _passInProgress = false;
        }
    }

    /// <summary>The document id of a path under the root (relative, '/' separators), or null for the root itself, paths
    /// outside it and hidden files or folders.</summary>
    private string? Id(string path)
    {
        var relative = Path.GetRelativePath(_root, path);
        if (relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
            return null;
        var id = relative.Replace(Path.DirectorySeparatorChar, '/');
        return id.Split('/').Any(segment => segment.StartsWith('.')) ? null : id;
    }

    private bool IsExcluded(string path) =>
        _exclude is not null && (path == _exclude || path.StartsWith(_exclude + Path.DirectorySeparatorChar, StringComparison.Ordinal));
}
