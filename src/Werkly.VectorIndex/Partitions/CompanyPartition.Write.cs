using Werkly.VectorIndex.Clustering;
using Werkly.VectorIndex.Ivf;
using Werkly.VectorIndex.Storage;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Partitions;

/// <summary>Makes a write durable before it is acknowledged (the write-ahead log), or does nothing.</summary>
internal interface IWriteLog
{
    /// <summary>Appends the write (the records as stored, the deleted keys) and returns once it is durable.</summary>
    /// <exception cref="IOException">The write could not be logged; it must not be acknowledged.</exception>
    ValueTask AppendAsync(string companyId, WriteEffects effects, CancellationToken cancellationToken);
}

/// <summary>What one write did, as the write-ahead log records it: keys deleted, then records written.</summary>
internal sealed record WriteEffects(IReadOnlyList<string> Deleted, IReadOnlyList<(string Key, ReadOnlyMemory<float> Vector, IReadOnlyDictionary<string, MetadataValue>? Metadata)> Written);

/// <summary>The partition a write waited for was retired (its company deleted, or a refresh replaced it): nothing changed.</summary>
internal sealed class PartitionRetiredException(string companyId) : Exception($"The partition of company '{companyId}' was retired.");

internal sealed partial class CompanyPartition
{
    /// <summary>
    /// Applies <paramref name="write"/> to every side of the partition (vectors, keywords, documents) or to none, then,
    /// if <paramref name="log"/> is given, makes it durable before returning; then runs an automatic retrain if due.
    /// </summary>
    /// <remarks>Cancellation is observed only before the first change. An exception after it (a failed log append, an
    /// injected fault) takes every change back before it is rethrown, so a failed write leaves no trace. An automatic
    /// retrain that fails or is cancelled leaves the write applied and acknowledged (see <see cref="LastRetrainError"/>).</remarks>
    /// <exception cref="ArgumentException">A record of a document is held by another document.</exception>
    /// <exception cref="OperationCanceledException">Cancelled before anything changed.</exception>
    /// <exception cref="IOException">The write-ahead log failed; nothing changed.</exception>
    /// <returns>How many of the keys the write deletes existed.</returns>
    /// <exception cref="PartitionRetiredException">The company was deleted (or the partition replaced) meanwhile; nothing
    /// changed, and the caller writes to the company's new partition.</exception>
    public async ValueTask<int> WriteAsync(PreparedWrite write, IWriteLog? log, bool synchronous, CancellationToken cancellationToken)
    {
        if (synchronous) _gate.Wait(cancellationToken);
        else await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureKeyMapGated();
            EnsureKeywordsGated();
            if (write.Documents.Length > 0) EnsureDocumentsGated();
            var deletes = DeletesOf(write);
            cancellationToken.ThrowIfCancellationRequested();

            var undo = new WriteUndo();
            var deleted = 0;
            Install(() =>
            {
                if (_retired) throw new PartitionRetiredException(CompanyId);
                deleted = Apply(write, deletes, undo);
            });
            if (log is not null)
            {
                try
                {
                    var effects = Effects(write, deletes);
                    var append = log.AppendAsync(CompanyId, effects, CancellationToken.None);
                    if (synchronous) append.AsTask().GetAwaiter().GetResult();
                    else await append.ConfigureAwait(false);
                    // The write is durable from here: nothing below may take it back (an undo in memory would leave
                    // the log replaying it), so nothing below throws for this write.
                }
                catch
                {
                    Install(() => Undo(undo));
                    throw;
                }
            }
            _written = true;
            _keywords!.CompactIfNeeded();
            if (_settings.Options.AutoRetrain && _vectors.NeedsTraining()) TryAutoRetrain(cancellationToken);
            return deleted;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The keys the write deletes: those it names, and every current record of the documents it replaces.</summary>
    /// <exception cref="ArgumentException">A document's record key already holds a record of another document.</exception>
    private string[] DeletesOf(PreparedWrite write)
    {
        if (write.Documents.Length == 0) return write.Deletes;
        var deletes = new List<string>(write.Deletes);
        foreach (var document in write.Documents) deletes.AddRange(_documents!.KeysOf(document.DocumentId));
        for (var i = 0; i < write.Keys.Length; i++)
        {
            var target = ReservedMetadata.Get(write.Metadata[i], ReservedMetadata.Document);
            if (target is null) continue;
            if (_documents!.DocumentOf(write.Keys[i]) is { } owner && owner != target && !write.Documents.Any(d => d.DocumentId == owner))
                throw new ArgumentException($"Record '{write.Keys[i]}' of document '{target}' already holds a record of document '{owner}' in company '{CompanyId}'.", nameof(write));
        }
        return [.. deletes];
    }

    /// <summary>Every change of one write, for taking it back.</summary>
    private sealed class WriteUndo
    {
        public readonly VectorUndo Vectors = new();
        public readonly KeywordUndo Keywords = new();
        public readonly List<Action> Documents = [];
    }

    /// <summary>Applies a write under the write lock; on any exception takes back what it did and rethrows.</summary>
    /// <returns>How many of <paramref name="deletes"/> existed.</returns>
    private int Apply(PreparedWrite write, string[] deletes, WriteUndo undo)
    {
        try
        {
            Fault("start");
            var deleted = _vectors.Apply(write.Keys, write.Metadata, write.Padded, deletes, undo.Vectors);
            Fault("vectors");
            // The keyword side: records without text drop whatever text their key had.
            var keywordDeletes = deletes;
            if (write.KeywordKeys.Length != write.Keys.Length)
            {
                var withText = write.KeywordKeys.ToHashSet(StringComparer.Ordinal);
                keywordDeletes = [.. deletes, .. write.Keys.Where(k => !withText.Contains(k))];
            }
            _keywords!.Apply(write.Keywords, write.KeywordKeys, keywordDeletes, undo.Keywords);
            Fault("keywords");
            if (_documents is { } documents)
            {
                foreach (var key in deletes) documents.Set(key, null, null, undo.Documents);
                for (var i = 0; i < write.Keys.Length; i++)
                {
                    var metadata = write.Metadata[i];
                    documents.Set(write.Keys[i], ReservedMetadata.Get(metadata, ReservedMetadata.Document), ReservedMetadata.Get(metadata, ReservedMetadata.Hash), undo.Documents);
                }
            }
            Fault("documents");
            return deleted;
        }
        catch
        {
            Undo(undo);
            throw;
        }
    }

    /// <summary>Takes a write back, newest side first (write lock held).</summary>
    private void Undo(WriteUndo undo)
    {
        for (var i = undo.Documents.Count - 1; i >= 0; i--) undo.Documents[i]();
        _keywords!.Undo(undo.Keywords);
        _vectors.Undo(undo.Vectors);
        undo.Documents.Clear();
        undo.Keywords.Changes.Clear();
        undo.Vectors.Keys.Clear();
        undo.Vectors.Deleted.Clear();
        undo.Vectors.Memory = null;
    }

    private static WriteEffects Effects(PreparedWrite write, string[] deletes)
    {
        var written = new (string, ReadOnlyMemory<float>, IReadOnlyDictionary<string, MetadataValue>?)[write.Keys.Length];
        for (var i = 0; i < written.Length; i++) written[i] = (write.Keys[i], write.Vectors[i], write.Metadata[i]);
        return new WriteEffects(deletes, written);
    }

    private void Fault(string step) => _settings.FaultHook?.Invoke(step);

    /// <summary>Retrains after a write that made it due; a failure leaves the write applied and is remembered.</summary>
    private void TryAutoRetrain(CancellationToken cancellationToken)
    {
        try
        {
            RetrainGated(progress: null, _settings.RetrainWorker, cancellationToken);
            LastRetrainError = null;
        }
#pragma warning disable CA1031 // The write is applied and acknowledged; the retrain is retried by the next write.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LastRetrainError = ex;
        }
    }

    /// <summary>Retrains the lists now (k-means while searches continue, installed under the write lock).</summary>
    public void Retrain(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        _gate.Wait(cancellationToken);
        try
        {
            EnsureKeyMapGated();
            RetrainGated(progress, worker: null, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Builds a retrain (on <paramref name="worker"/> at its priority when given, else on this thread) and
    /// installs it on this thread: a lowered thread never holds the lock searches wait for.</summary>
    private void RetrainGated(IProgress<TrainingProgress>? progress, CommitThread? worker, CancellationToken cancellationToken)
    {
        var result = worker is null
            ? _vectors.BuildRetrain(progress, cancellationToken)
            : worker.Run(() =>
            {
                worker.Observe("retrain-build");
                return _vectors.BuildRetrain(progress, cancellationToken);
            });
        Fault("retrain");
        Install(() => _vectors.InstallRetrain(result));
    }

    /// <summary>Merges every segment into one without deleted rows (false when there was nothing to merge).</summary>
    public bool MergeAll(CancellationToken cancellationToken) => Merge(full: true, worker: null, cancellationToken);

    /// <summary>The commit's tiered merge, when the company has too many segments: built on <paramref name="worker"/>
    /// (at the commit's priority), installed on this thread.</summary>
    public bool MergeIfNeeded(CommitThread worker, CancellationToken cancellationToken) => Merge(full: false, worker, cancellationToken);

    private bool Merge(bool full, CommitThread? worker, CancellationToken cancellationToken)
    {
        _gate.Wait(cancellationToken);
        try
        {
            if (!full && !_vectors.TieredMergeDue) return false;
            var result = worker is null ? Build() : worker.Run(() =>
            {
                worker.Observe("merge-build");
                return Build();
            });
            if (result is null) return false;
            Install(() =>
            {
                worker?.Observe("merge-install");
                _vectors.InstallMerge(result);
            });
            return true;
        }
        finally
        {
            _gate.Release();
        }

        IvfIndex.MergeResult? Build() => full ? _vectors.BuildFullMerge(cancellationToken) : _vectors.BuildTieredMerge(cancellationToken);
    }
}
