using Werkly.VectorIndex.Clustering;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Partitions;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex;

public sealed partial class WerklyIndex
{
    /// <summary>Inserts or replaces one record of <paramref name="companyId"/>.</summary>
    /// <param name="companyId">The company; its partition is created on first write.</param>
    /// <param name="record">The record; an existing record with its key is replaced.</param>
    /// <param name="cancellationToken">Observed before anything changes.</param>
    /// <exception cref="InvalidIdentifierException">The company id or the key is invalid.</exception>
    /// <exception cref="DimensionMismatchException">The vector has the wrong length.</exception>
    /// <exception cref="InvalidVectorException">The vector is not finite, too large for the metric, or zero under cosine.</exception>
    /// <exception cref="ArgumentException">The metadata, title or text is invalid.</exception>
    public void Upsert(string companyId, VectorRecord record, CancellationToken cancellationToken = default) =>
        Apply(companyId, [record ?? throw new ArgumentNullException(nameof(record))], [], cancellationToken);

    /// <summary>Inserts or replaces one record of <paramref name="companyId"/> (a vector and optional metadata; use
    /// <see cref="VectorRecord"/> for a title and text).</summary>
    /// <param name="companyId">The company; its partition is created on first write.</param>
    /// <param name="key">Unique within the company: an existing record with this key is replaced.</param>
    /// <param name="vector">Exactly <see cref="Dimensions"/> finite floats (copied).</param>
    /// <param name="metadata">Optional metadata for filtering and projection (copied).</param>
    public void Upsert(string companyId, string key, ReadOnlySpan<float> vector, IReadOnlyDictionary<string, MetadataValue>? metadata = null) =>
        Upsert(companyId, new VectorRecord(key, vector.ToArray(), metadata));

    /// <summary>Inserts or replaces a batch of records of <paramref name="companyId"/>, atomically.</summary>
    /// <param name="companyId">The company; its partition is created on first write.</param>
    /// <param name="records">The records; a key repeated in the batch keeps its last occurrence.</param>
    /// <param name="cancellationToken">Observed before anything changes.</param>
    /// <remarks>When the company crosses the flat-search threshold or doubles since its last training and
    /// <see cref="WerklyIndexOptions.AutoRetrain"/> is on, its lists are retrained before this returns.</remarks>
    public void Upsert(string companyId, IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken = default) =>
        Apply(companyId, records, [], cancellationToken);

    /// <inheritdoc cref="Upsert(string, IReadOnlyList{VectorRecord}, CancellationToken)"/>
    public ValueTask UpsertAsync(string companyId, IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken = default) =>
        ApplyAsync(companyId, records, [], cancellationToken);

    /// <summary>
    /// Deletes <paramref name="deletes"/> and then upserts <paramref name="upserts"/> in <paramref name="companyId"/> as one
    /// atomic change: a concurrent search, and a commit, see all of it or none of it. Everything is validated before
    /// anything changes; keys that do not exist are ignored.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled before anything changed.</exception>
    /// <exception cref="IOException">With <see cref="Durability.PerWrite"/>: the write-ahead log failed; nothing changed.</exception>
    public void Apply(string companyId, IReadOnlyList<VectorRecord> upserts, IReadOnlyList<string> deletes, CancellationToken cancellationToken = default) =>
        Write(companyId, upserts, deletes, documents: null, synchronous: true, cancellationToken).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc cref="Apply(string, IReadOnlyList{VectorRecord}, IReadOnlyList{string}, CancellationToken)"/>
    public async ValueTask ApplyAsync(string companyId, IReadOnlyList<VectorRecord> upserts, IReadOnlyList<string> deletes, CancellationToken cancellationToken = default) =>
        await Write(companyId, upserts, deletes, documents: null, synchronous: false, cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes one record. Returns false when the company or the key does not exist.</summary>
    public bool Delete(string companyId, string key)
    {
        Identifiers.ValidateCompanyId(companyId);
        Identifiers.ValidateKey(key);
        using var lease = Enter();
        return _partitions.TryGet(companyId, out _) && Write(companyId, [], [key], documents: null, synchronous: true, default).AsTask().GetAwaiter().GetResult() > 0;
    }

    /// <summary>
    /// Replaces documents atomically: each document's previous records (whatever version wrote them) are deleted and
    /// its new records written, in one change. Each record carries its document's id and content hash, so the document
    /// table is always exactly what the records say, also after a crash.
    /// </summary>
    /// <exception cref="ArgumentException">A record key already belongs to another document, or a document is given twice.</exception>
    public void ReplaceDocuments(string companyId, IReadOnlyList<DocumentUpdate> documents, CancellationToken cancellationToken = default) =>
        Write(companyId, [], [], documents ?? throw new ArgumentNullException(nameof(documents)), synchronous: true, cancellationToken).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc cref="ReplaceDocuments"/>
    public async ValueTask ReplaceDocumentsAsync(string companyId, IReadOnlyList<DocumentUpdate> documents, CancellationToken cancellationToken = default) =>
        await Write(companyId, [], [], documents ?? throw new ArgumentNullException(nameof(documents)), synchronous: false, cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes a document's records; false when the company or the document does not exist.</summary>
    public bool DeleteDocument(string companyId, string documentId, CancellationToken cancellationToken = default)
    {
        Identifiers.ValidateCompanyId(companyId);
        Identifiers.ValidateKey(documentId);
        using var lease = Enter();
        EnsureWritable();
        if (!_partitions.TryGet(companyId, out _)) return false;
        return Write(companyId, [], [], [new DocumentUpdate(documentId, "-", [])], synchronous: true, cancellationToken).AsTask().GetAwaiter().GetResult() > 0;
    }

    /// <summary>Deletes a company and all of its data. Returns false when it did not exist.</summary>
    public bool DeleteCompany(string companyId)
    {
        Identifiers.ValidateCompanyId(companyId);
        using var lease = Enter();
        EnsureWritable();
        CompanyPartition? removed;
        lock (_commitGate)
        {
            if (!_partitions.TryGet(companyId, out _)) return false;
            // Logged first: a deletion acknowledged under PerWrite durability survives a crash.
            (_writeLog as DirectoryWriteLog)?.DeleteCompany(companyId);
            removed = _partitions.Remove(companyId);
            if (removed is null) return false;
            if (_store is not null) _deletedSinceCommit.Add(companyId);
        }
        // Searches already in the company finish first; new ones find it gone.
        removed.Retire();
        return true;
    }

    /// <summary>
    /// Retrains a company's lists from its live records now (k-means, then probe calibration), dropping deleted rows.
    /// Below the flat-search threshold it compacts the company into exact flat search instead. Searches continue.
    /// </summary>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the company keeps its previous lists.</exception>
    public void Retrain(string companyId, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Identifiers.ValidateCompanyId(companyId);
        using var lease = Enter();
        EnsureWritable();
        var start = Now();
        using var activity = IndexTelemetry.Start("retrain", companyId);
        using var linked = Linked(cancellationToken);
        try
        {
            _partitions.Get(companyId).Retrain(progress, linked.Token);
        }
        catch (OperationCanceledException ex) when (DisposedInstead(ex, cancellationToken) is { } disposed)
        {
            throw disposed;
        }
        IndexTelemetry.Record("retrain", companyId, start);
    }

    /// <summary>
    /// Compacts a company: merges all its segments into one and drops deleted and replaced rows, under its current
    /// lists (use <see cref="Retrain"/> to retrain them too). Commits also merge automatically, smallest segments
    /// first, once a company has more than 8 segments.
    /// </summary>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public void Merge(string companyId, CancellationToken cancellationToken = default)
    {
        Identifiers.ValidateCompanyId(companyId);
        using var lease = Enter();
        EnsureWritable();
        var start = Now();
        using var linked = Linked(cancellationToken);
        try
        {
            _partitions.Get(companyId).MergeAll(linked.Token);
        }
        catch (OperationCanceledException ex) when (DisposedInstead(ex, cancellationToken) is { } disposed)
        {
            throw disposed;
        }
        IndexTelemetry.Record("merge", companyId, start);
    }

    /// <summary>Takes a partition no write reached out of the table (serialised with commits, which freeze every partition).</summary>
    private void DiscardUnwritten(CompanyPartition partition)
    {
        lock (_commitGate) partition.TryRetireUnwritten(() => _partitions.Remove(partition));
    }

    /// <returns>How many of the keys the write deletes existed.</returns>
    private async ValueTask<int> Write(string companyId, IReadOnlyList<VectorRecord> upserts, IReadOnlyList<string> deletes, IReadOnlyList<DocumentUpdate>? documents,
        bool synchronous, CancellationToken cancellationToken)
    {
        Identifiers.ValidateCompanyId(companyId);
        using var lease = Enter();
        EnsureWritable();
        var start = Now();
        // Validated and analyzed before the company is created or any lock taken: a bad batch changes nothing.
        var write = PreparedWrite.Create(_options, _settings.Analyzer, upserts, deletes, documents);
        if (write.IsEmpty) return 0;
        cancellationToken.ThrowIfCancellationRequested();
        using var activity = IndexTelemetry.Start("upsert", companyId);
        using var linked = Linked(cancellationToken);
        int deleted;
        while (true)
        {
            // A write of deletes only never creates a company.
            CompanyPartition? partition;
            var created = false;
            if (write.Keys.Length == 0) _partitions.TryGet(companyId, out partition);
            else partition = _partitions.GetOrCreate(companyId, id =>
            {
                created = true;
                return NewPartition(id, loaded: null);
            });
            if (partition is null) return 0;
            try
            {
                deleted = await partition.WriteAsync(write, WriteLog, synchronous, linked.Token).ConfigureAwait(false);
            }
            catch (PartitionRetiredException)
            {
                continue; // the company was deleted meanwhile: write to its new partition
            }
            catch (Exception ex)
            {
                // A company whose first write failed or was cancelled is not created.
                if (created) DiscardUnwritten(partition);
                if (ex is OperationCanceledException canceled && DisposedInstead(canceled, cancellationToken) is { } disposed) throw disposed;
                throw;
            }
            break;
        }
        IndexTelemetry.Written(companyId, write.Keys.Length);
        IndexTelemetry.Record("upsert", companyId, start);
        return deleted;
    }

    /// <summary>The write-ahead log writes go through, or null (<see cref="Durability.OnCommit"/>).</summary>
    private IWriteLog? WriteLog => _writeLog;

    /// <summary>
    /// The partitions of a commit (<paramref name="companies"/>) with the writes logged after it replayed on top (not
    /// logged again), built before anyone can search them: an open or refresh publishes them all at once, so no search
    /// sees the commit without the writes logged after it. <paramref name="keep"/> may return a company's current
    /// partition to keep (a refresh keeps those whose files did not change and that no logged write touches).
    /// </summary>
    private List<CompanyPartition> Load(IReadOnlyList<LoadedCompany> companies, IReadOnlyList<LogRecord> records, Func<LoadedCompany, CompanyPartition?>? keep = null)
    {
        var partitions = new Dictionary<string, CompanyPartition>(StringComparer.Ordinal);
        var created = new HashSet<CompanyPartition>();
        foreach (var company in companies)
        {
            if (keep?.Invoke(company) is { } current)
            {
                partitions[company.CompanyId] = current;
                continue;
            }
            var partition = NewPartition(company.CompanyId, company.Index);
            partition.Signature = company.Signature;
            partitions[company.CompanyId] = partition;
            created.Add(partition);
        }
        foreach (var (companyId, write) in LogReplay.Group(records, _options, _settings.Analyzer))
        {
            if (write is null)
            {
                // One built here was never published; a kept one is retired by the caller's swap.
                if (partitions.Remove(companyId, out var removed) && created.Contains(removed)) removed.Dispose();
                // The next commit must delete the committed company too, as the logged deletion did.
                if (_store is { ReadOnly: false }) _deletedSinceCommit.Add(companyId);
                continue;
            }
            if (!partitions.TryGetValue(companyId, out var partition))
            {
                partitions[companyId] = partition = NewPartition(companyId, loaded: null);
                created.Add(partition);
            }
            partition.Signature = null; // no longer just its committed files
            partition.WriteAsync(write, log: null, synchronous: true, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
        return [.. partitions.Values];
    }
}
