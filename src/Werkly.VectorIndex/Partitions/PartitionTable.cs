using System.Collections.Concurrent;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Ivf;

namespace Werkly.VectorIndex.Partitions;

/// <summary>
/// Routes every call to the one company partition it names. Each company has its own <see cref="IvfIndex"/>
/// (own lists, trained on its own data, own choice of flat or IVF), so a query can only ever see its company's rows.
/// </summary>
/// <remarks>Thread-safe: lookups are lock-free; creating and removing a partition are atomic.</remarks>
internal sealed class PartitionTable : IDisposable
{
    private readonly ConcurrentDictionary<string, IvfIndex> _partitions = new(StringComparer.Ordinal);
    private readonly VectorIndexOptions _options;
    private readonly bool _persistent;

    public PartitionTable(VectorIndexOptions options) => _options = options;

    /// <summary>Creates the table of a persisted index, holding the companies loaded from disk.</summary>
    public PartitionTable(VectorIndexOptions options, IEnumerable<KeyValuePair<string, IvfIndex>> partitions)
        : this(options)
    {
        _persistent = true;
        foreach (var (company, index) in partitions) _partitions[company] = index;
    }

    /// <summary>A snapshot of every company and its index.</summary>
    public Dictionary<string, IvfIndex> Snapshot() => new(_partitions, StringComparer.Ordinal);

    public ICollection<string> CompanyIds => _partitions.Keys;

    /// <summary>The company's partition, created empty on first write.</summary>
    public IvfIndex GetOrCreate(string companyId)
    {
        Identifiers.ValidateCompanyId(companyId);
        return _partitions.GetOrAdd(companyId, static (_, table) => new IvfIndex(table._options, table._persistent), this);
    }

    /// <summary>The company's partition; throws <see cref="CompanyNotFoundException"/> when it has none.</summary>
    public IvfIndex Get(string companyId)
    {
        Identifiers.ValidateCompanyId(companyId);
        return _partitions.TryGetValue(companyId, out var partition) ? partition : throw new CompanyNotFoundException(companyId);
    }

    public bool TryGet(string companyId, out IvfIndex? partition)
    {
        Identifiers.ValidateCompanyId(companyId);
        return _partitions.TryGetValue(companyId, out partition);
    }

    /// <summary>Removes the company and all its data; false when it did not exist.</summary>
    public bool Remove(string companyId)
    {
        Identifiers.ValidateCompanyId(companyId);
        // The partition object stays valid for searches already holding it; it is simply no longer reachable.
        return _partitions.TryRemove(companyId, out _);
    }

    public void Dispose()
    {
        foreach (var partition in _partitions.Values) partition.Dispose();
        _partitions.Clear();
    }
}
