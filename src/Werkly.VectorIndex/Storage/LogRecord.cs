namespace Werkly.VectorIndex.Storage;

/// <summary>One upsert, delete or company deletion in the write-ahead log.</summary>
/// <remarks>Immutable. <see cref="Vector"/> holds exactly the dimensions as the caller gave them (no padding, not
/// normalized: replaying computes the stored row exactly as the original write did); null marks a delete. The caller
/// validated everything before logging it.</remarks>
internal sealed record LogRecord
{
    /// <summary>An upsert of <paramref name="key"/> with <paramref name="vector"/> (not empty) and the metadata map as stored.</summary>
    public static LogRecord Upsert(string companyId, string key, ReadOnlyMemory<float> vector, IReadOnlyDictionary<string, MetadataValue>? metadata = null)
    {
        if (vector.IsEmpty) throw new ArgumentException("An upsert needs a vector.", nameof(vector));
        ArgumentException.ThrowIfNullOrEmpty(key);
        return new LogRecord(companyId, key, vector, metadata);
    }

    /// <summary>A delete of <paramref name="key"/>.</summary>
    public static LogRecord Delete(string companyId, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return new LogRecord(companyId, key, null, null);
    }

    /// <summary>The deletion of a whole company.</summary>
    public static LogRecord DeleteCompany(string companyId) => new(companyId, null, null, null);

    private LogRecord(string companyId, string? key, ReadOnlyMemory<float>? vector, IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        Identifiers.ValidateCompanyId(companyId);
        CompanyId = companyId;
        Key = key;
        Vector = vector;
        Metadata = metadata;
    }

    /// <summary>The company.</summary>
    public string CompanyId { get; }

    /// <summary>The record key, or null for a company deletion.</summary>
    public string? Key { get; }

    /// <summary>The vector of an upsert, or null for a delete.</summary>
    public ReadOnlyMemory<float>? Vector { get; }

    /// <summary>The metadata of an upsert, or null.</summary>
    public IReadOnlyDictionary<string, MetadataValue>? Metadata { get; }

    /// <summary>True for a delete of one record or of the company.</summary>
    public bool IsDelete => Vector is null;

    /// <summary>True for the deletion of the whole company.</summary>
    public bool IsCompanyDelete => Key is null;
}
