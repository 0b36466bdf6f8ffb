using System.Collections.Concurrent;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Partitions;

/// <summary>
/// Routes every call to the one partition its company id names. Company ids are exact and case-sensitive (compared
/// ordinally, as Postgres compares text), and unique regardless of case: an id that differs only in case from an
/// existing company is rejected, never merged with it or stored beside it.
/// </summary>
/// <remarks>Thread-safe: lookups are lock-free; creating, removing and replacing partitions are atomic.</remarks>
internal sealed class PartitionTable
{
    private readonly Lock _gate = new();
    private volatile ConcurrentDictionary<string, CompanyPartition> _partitions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _byFoldedId = new(StringComparer.OrdinalIgnoreCase);

    public bool TryGet(string companyId, out CompanyPartition partition) => _partitions.TryGetValue(companyId, out partition!);

    /// <summary>The company's partition; throws <see cref="CompanyNotFoundException"/> when it has none.</summary>
    public CompanyPartition Get(string companyId) =>
        _partitions.TryGetValue(companyId, out var partition) ? partition : throw new CompanyNotFoundException(companyId, SpellingOf(companyId));

    /// <summary>The company's partition, created by <paramref name="create"/> on first write.</summary>
    /// <exception cref="InvalidIdentifierException">Another company's id differs from this one only in case.</exception>
    public CompanyPartition GetOrCreate(string companyId, Func<string, CompanyPartition> create)
    {
        if (_partitions.TryGetValue(companyId, out var partition)) return partition;
        lock (_gate)
        {
            if (_partitions.TryGetValue(companyId, out partition)) return partition;
            ThrowIfCaseVariantLocked(companyId);
            partition = create(companyId);
            _byFoldedId[companyId] = companyId;
            _partitions[companyId] = partition;
            return partition;
        }
    }

    /// <summary>Throws when another company's id differs from <paramref name="companyId"/> only in case.</summary>
    /// <exception cref="InvalidIdentifierException">It does.</exception>
    public void ThrowIfCaseVariant(string companyId)
    {
        lock (_gate) ThrowIfCaseVariantLocked(companyId);
    }

    private void ThrowIfCaseVariantLocked(string companyId)
    {
        if (_byFoldedId.TryGetValue(companyId, out var existing) && existing != companyId)
            throw new InvalidIdentifierException(
                $"Company id '{companyId}' differs only in case from the existing company '{existing}'; company ids are case-sensitive and must be unique regardless of case.",
                nameof(companyId));
    }

    /// <summary>Removes a company's partition; null when it had none.</summary>
    public CompanyPartition? Remove(string companyId)
    {
        lock (_gate)
        {
            if (!_partitions.TryRemove(companyId, out var partition)) return null;
            _byFoldedId.Remove(companyId);
            return partition;
        }
    }

    /// <summary>Removes <paramref name="partition"/> if it is still the company's partition.</summary>
    public void Remove(CompanyPartition partition)
    {
        lock (_gate)
        {
            if (!_partitions.TryGetValue(partition.CompanyId, out var current) || !ReferenceEquals(current, partition)) return;
            _partitions.TryRemove(partition.CompanyId, out _);
            _byFoldedId.Remove(partition.CompanyId);
        }
    }

    /// <summary>Every partition, ordered by company id (ordinal): the order commits take their writer gates in.</summary>
    public CompanyPartition[] All()
    {
        var all = _partitions.Values.ToArray();
        Array.Sort(all, static (a, b) => string.CompareOrdinal(a.CompanyId, b.CompanyId));
        return all;
    }

    public string[] CompanyIds => [.. _partitions.Keys];

    /// <summary>Replaces the whole table (a refresh); returns the partitions no longer in it.</summary>
    public List<CompanyPartition> Replace(IReadOnlyList<CompanyPartition> partitions)
    {
        lock (_gate)
        {
            var next = new ConcurrentDictionary<string, CompanyPartition>(StringComparer.Ordinal);
            foreach (var partition in partitions) next[partition.CompanyId] = partition;
            var dropped = _partitions.Values.Where(p => !next.TryGetValue(p.CompanyId, out var kept) || !ReferenceEquals(kept, p)).ToList();
            _byFoldedId.Clear();
            foreach (var id in next.Keys) _byFoldedId[id] = id;
            _partitions = next;
            return dropped;
        }
    }

    /// <summary>The existing spelling of a company id that differs only in case, or null.</summary>
    private string? SpellingOf(string companyId)
    {
        lock (_gate) return _byFoldedId.GetValueOrDefault(companyId);
    }
}
