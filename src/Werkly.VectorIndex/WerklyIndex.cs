using Werkly.VectorIndex.Clustering;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Ivf;
using Werkly.VectorIndex.Partitions;

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

    /// <summary>Creates an empty in-memory index.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting in <paramref name="options"/> is out of range.</exception>
    public WerklyIndex(VectorIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _partitions = new PartitionTable(options);
    }

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
        var partition = _partitions.GetOrCreate(companyId);
        if (partition.Upsert(records))
            partition.Retrain(progress: null, cancellationToken);
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
        var partition = _partitions.GetOrCreate(companyId);
        if (partition.Apply(upserts, deletes))
            partition.Retrain(progress: null, cancellationToken);
    }

    /// <summary>Deletes one record. Returns false when the company or the key does not exist.</summary>
    public bool Delete(string companyId, string key)
    {
        Identifiers.ValidateKey(key);
        return _partitions.TryGet(companyId, out var partition) && partition!.Delete(key);
    }

    /// <summary>Deletes a company and all of its data. Returns false when it did not exist.</summary>
    public bool DeleteCompany(string companyId) => _partitions.Remove(companyId);

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
        var count = _partitions.Get(companyId).Search(query, hits, options);
        return count == k ? hits : hits[..count];
    }

    /// <summary>
    /// Allocation-free search: fills <paramref name="destination"/> with the best <c>destination.Length</c> records.
    /// </summary>
    /// <returns>How many hits were written.</returns>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public int Search(string companyId, ReadOnlySpan<float> query, Span<SearchHit> destination, SearchOptions? options = null) =>
        _partitions.Get(companyId).Search(query, destination, options);

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
    public void Retrain(string companyId, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        _partitions.Get(companyId).Retrain(progress, cancellationToken);

    /// <summary>Copies a record's stored vector (unit length under cosine) into <paramref name="destination"/>.</summary>
    /// <returns>False when the company or key does not exist.</returns>
    public bool TryGetVector(string companyId, string key, Span<float> destination)
    {
        Identifiers.ValidateKey(key);
        return _partitions.TryGet(companyId, out var partition) && partition!.TryGetVector(key, destination, out _);
    }

    /// <summary>The keys of a company's live records (a snapshot, in no particular order).</summary>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public IReadOnlyList<string> GetKeys(string companyId) => _partitions.Get(companyId).GetKeys();

    /// <summary>Live records of a company; 0 when it has no partition.</summary>
    public int Count(string companyId) => _partitions.TryGet(companyId, out var partition) ? partition!.Count : 0;

    /// <summary>The shape of a company's index: live and deleted rows, lists, default probes.</summary>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public IvfStatistics GetStatistics(string companyId) => _partitions.Get(companyId).GetStatistics();

    /// <inheritdoc />
    public void Dispose() => _partitions.Dispose();
}
