using Microsoft.Extensions.VectorData;

namespace Werkly.VectorIndex.Postgres;

/// <summary>Settings of a <see cref="PostgresCollection{TKey, TRecord}"/>.</summary>
public sealed class PostgresCollectionOptions : VectorStoreCollectionOptions
{
    /// <summary>Creates default options.</summary>
    public PostgresCollectionOptions()
    {
    }

    /// <summary>Copies <paramref name="source"/>.</summary>
    public PostgresCollectionOptions(PostgresCollectionOptions source)
        : base(source)
    {
        ArgumentNullException.ThrowIfNull(source);
        TenantProperty = source.TenantProperty;
        Probes = source.Probes;
    }

    /// <summary>
    /// The data property (by its .NET name) that names each record's tenant, as in the embedded connector
    /// (<c>WerklyCollectionOptions.TenantProperty</c>): each tenant's records live in their own LIST partition, created on
    /// its first write, and every search, get-by-filter and hybrid search must constrain the tenant by equality. Null:
    /// the collection is one partition.
    /// </summary>
    public string? TenantProperty { get; set; }

    /// <summary>IVFFlat lists probed per search; null (the default) uses the probes calibrated for each partition when
    /// its index was built. A value at or above the partition's list count makes every search exact.</summary>
    public int? Probes { get; set; }
}
