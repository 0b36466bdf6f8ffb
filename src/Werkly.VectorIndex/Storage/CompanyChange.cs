namespace Werkly.VectorIndex.Storage;

/// <summary>What one commit changes for one company: applied atomically together with every other change of the commit.</summary>
/// <remarks>
/// <para>Order of application: <see cref="DeleteCompany"/> (drop everything the company had), then
/// <see cref="Centroids"/> (replace the quantizer), <see cref="RemovedSegments"/> (for a merge), <see cref="AddedSegments"/>,
/// and finally <see cref="AddedTombstones"/>, which may name both existing and just-added segments.</para>
/// <para>A company left with no segment and no centroids disappears from the manifest. Immutable after construction;
/// the images it holds are read during the commit only.</para>
/// </remarks>
internal sealed class CompanyChange
{
    /// <summary>Creates an empty change for <paramref name="companyId"/>.</summary>
    /// <exception cref="Exceptions.InvalidIdentifierException">The id is empty, longer than 64 characters, or holds characters other than <c>[A-Za-z0-9_.-]</c>.</exception>
    public CompanyChange(string companyId)
    {
        Identifiers.ValidateCompanyId(companyId);
        CompanyId = companyId;
    }

    /// <summary>The company.</summary>
    public string CompanyId { get; }

    /// <summary>Drop all existing segments and centroids of the company first.</summary>
    public bool DeleteCompany { get; init; }

    /// <summary>Opaque per-company bytes to store (for example calibrated default probes), or null to keep the current ones.</summary>
    public ReadOnlyMemory<byte>? Properties { get; init; }

    /// <summary>A new coarse quantizer replacing the current one, or null to keep it.</summary>
    public CentroidsImage? Centroids { get; init; }

    /// <summary>Ids of live segments to retire (a merge removes its inputs and adds its output in one change).</summary>
    public IReadOnlyList<long> RemovedSegments { get; init; } = [];

    /// <summary>New immutable segments.</summary>
    public IReadOnlyList<SegmentImage> AddedSegments { get; init; } = [];

    /// <summary>Row ids newly deleted, per segment id (a union with the segment's existing tombstones; repeats are harmless).</summary>
    public IReadOnlyDictionary<long, IReadOnlyCollection<int>> AddedTombstones { get; init; } = new Dictionary<long, IReadOnlyCollection<int>>();
}
