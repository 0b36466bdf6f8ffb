using Microsoft.Extensions.VectorData;

namespace Werkly.VectorIndex.VectorData;

/// <summary>Settings of a <see cref="WerklyCollection{TKey, TRecord}"/>.</summary>
public sealed class WerklyCollectionOptions : VectorStoreCollectionOptions
{
    /// <summary>Creates default options.</summary>
    public WerklyCollectionOptions()
    {
    }

    /// <summary>Copies <paramref name="source"/>.</summary>
    public WerklyCollectionOptions(WerklyCollectionOptions source)
        : base(source)
    {
        ArgumentNullException.ThrowIfNull(source);
        TenantProperty = source.TenantProperty;
        KeepOriginalVectors = source.KeepOriginalVectors;
    }

    /// <summary>
    /// The data property (by its .NET name) that names each record's tenant, e.g. <c>"CompanyId"</c> (string, Guid, int or
    /// long). Every record must carry it and is stored in that tenant's own partition; every search, get-by-filter and
    /// hybrid search must constrain it by equality (<c>r =&gt; r.CompanyId == id &amp;&amp; …</c>), which routes the query to
    /// that partition alone — a query without it is an <see cref="InvalidOperationException"/>, never a scan across
    /// tenants. Null (the default): the collection is one partition.
    /// </summary>
    /// <remarks>Tenant values become partition ids: 1 to 64 characters of A-Z, a-z, 0-9, '_', '-', '.' (not starting with a dot),
    /// case-sensitive; a value differing only in case from an existing tenant is rejected. Keys stay unique across the
    /// whole collection: upserting a key under another tenant moves the record.</remarks>
    public string? TenantProperty { get; set; }

    /// <summary>
    /// Under cosine distance the index stores unit-length vectors. True (the default) also keeps each vector as written,
    /// so that reading it back (<c>IncludeVectors</c>) returns it exactly; false saves 4 bytes per dimension and returns
    /// the unit-length vector. No effect for other distance functions, whose vectors are stored as written.
    /// </summary>
    public bool KeepOriginalVectors { get; set; } = true;
}
