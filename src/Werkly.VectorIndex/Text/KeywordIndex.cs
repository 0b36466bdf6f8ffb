using System.Collections.Concurrent;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Text;

/// <summary>
/// BM25 keyword search partitioned by company: each company has its own <see cref="InvertedIndex"/>, with its own
/// term statistics, and a search names its company and never sees another company's documents.
/// </summary>
/// <remarks>
/// <para>A company's partition is created by its first upsert. Company ids follow the vector index's rules:
/// <c>[A-Za-z0-9_.-]</c>, 1 to 64 characters, not starting with '.'.</para>
/// <para>Thread safety: every member may be called from any thread. Searches run concurrently with each other and
/// with writes to other companies; writes to one company are serialized (see <see cref="InvertedIndex"/>).
/// <see cref="DeleteCompany"/> detaches the partition at once; searches already running on it finish on the old data,
/// and an upsert racing with the delete of its own company may land in the detached partition (order such calls).</para>
/// </remarks>
public sealed class KeywordIndex : IDisposable
{
    private readonly ConcurrentDictionary<string, InvertedIndex> _companies = new(StringComparer.Ordinal);
    private readonly Lock _createLock = new();
    private bool _disposed;

    /// <summary>Creates an empty index.</summary>
    /// <param name="options">Analysis and default scoring for every company; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public KeywordIndex(KeywordIndexOptions? options = null)
    {
        Options = options ?? new KeywordIndexOptions();
        Options.Validate();
    }

    /// <summary>The settings shared by all companies.</summary>
    public KeywordIndexOptions Options { get; }

    /// <summary>The ids of the companies that have a partition, in no particular order.</summary>
    public IReadOnlyCollection<string> Companies => [.. _companies.Keys];

    /// <summary>Adds a document for <paramref name="companyId"/>, or replaces its document with the same key.</summary>
    /// <exception cref="InvalidIdentifierException">The company id or key is invalid.</exception>
    public void Upsert(string companyId, string key, string? title, string? body) =>
        GetOrCreate(companyId).Upsert(key, title, body);

    /// <summary>Adds or replaces many documents of one company (for example a whole BEIR corpus for evaluation).</summary>
    /// <returns>How many documents were written.</returns>
    /// <exception cref="InvalidIdentifierException">The company id or a key is invalid.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; documents already written stay.</exception>
    public int UpsertRange(string companyId, IEnumerable<KeywordDocument> documents, CancellationToken cancellationToken = default) =>
        GetOrCreate(companyId).UpsertRange(documents, cancellationToken);

    /// <summary>Removes one document of a company.</summary>
    /// <returns>True when it existed.</returns>
    /// <exception cref="InvalidIdentifierException">The company id or key is invalid.</exception>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public bool Delete(string companyId, string key) => Partition(companyId).Delete(key);

    /// <summary>Removes a company and all of its documents.</summary>
    /// <returns>True when the company existed.</returns>
    /// <exception cref="InvalidIdentifierException">The company id is invalid.</exception>
    public bool DeleteCompany(string companyId)
    {
        Partitions.Identifiers.ValidateCompanyId(companyId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _companies.TryRemove(companyId, out _);
    }

    /// <summary>Searches one company; see <see cref="InvertedIndex.Search(string, int, Bm25Options?, CancellationToken)"/>.</summary>
    /// <exception cref="InvalidIdentifierException">The company id is invalid.</exception>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> or a scoring option is out of range.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public IReadOnlyList<KeywordHit> Search(string companyId, string query, int top, Bm25Options? scoring = null,
        CancellationToken cancellationToken = default) =>
        Partition(companyId).Search(query, top, scoring, cancellationToken);

    /// <summary>The number of live documents of a company.</summary>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public int Count(string companyId) => Partition(companyId).Count;

    /// <summary>The partition of a company.</summary>
    /// <exception cref="InvalidIdentifierException">The company id is invalid.</exception>
    /// <exception cref="CompanyNotFoundException">The company has no partition.</exception>
    public InvertedIndex Partition(string companyId)
    {
        Partitions.Identifiers.ValidateCompanyId(companyId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _companies.TryGetValue(companyId, out var partition) ? partition : throw new CompanyNotFoundException(companyId);
    }

    /// <summary>Disposes every partition.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var partition in _companies.Values) partition.Dispose();
        _companies.Clear();
    }

    /// <summary>Makes <paramref name="partition"/> the company's partition, replacing (and disposing) any other.</summary>
    internal void Install(string companyId, InvertedIndex partition)
    {
        Partitions.Identifiers.ValidateCompanyId(companyId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_createLock)
        {
            if (_companies.TryGetValue(companyId, out var old) && !ReferenceEquals(old, partition)) old.Dispose();
            _companies[companyId] = partition;
        }
    }

    private InvertedIndex GetOrCreate(string companyId)
    {
        Partitions.Identifiers.ValidateCompanyId(companyId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_companies.TryGetValue(companyId, out var partition)) return partition;
        lock (_createLock)
        {
            return _companies.GetOrAdd(companyId, _ => new InvertedIndex(Options));
        }
    }
}
