using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Storage;

/// <summary>One upsert or delete in the write-ahead log.</summary>
/// <remarks>Immutable. <see cref="Vector"/> holds exactly the dimensions (no stride padding); null marks a delete.</remarks>
internal sealed record LogRecord
{
    /// <summary>An upsert of <paramref name="key"/> with <paramref name="vector"/> (not empty) and optional metadata.</summary>
    /// <exception cref="InvalidIdentifierException">The company id or key is invalid.</exception>
    public static LogRecord Upsert(string companyId, string key, ReadOnlyMemory<float> vector, IReadOnlyDictionary<string, MetadataValue>? metadata = null)
    {
        if (vector.IsEmpty) throw new ArgumentException("An upsert needs a vector.", nameof(vector));
        return new LogRecord(companyId, key, vector, metadata);
    }

    /// <summary>A delete of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidIdentifierException">The company id or key is invalid.</exception>
    public static LogRecord Delete(string companyId, string key) => new(companyId, key, null, null);

    private LogRecord(string companyId, string key, ReadOnlyMemory<float>? vector, IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        Partitions.Identifiers.ValidateCompanyId(companyId);
        if (string.IsNullOrEmpty(key)) throw new InvalidIdentifierException("A key must not be empty.", nameof(key));
        if (vector is null && metadata is not null) throw new ArgumentException("A delete carries no metadata.", nameof(metadata));
        CompanyId = companyId;
        Key = key;
        Vector = vector;
        Metadata = metadata;
    }

    /// <summary>The company.</summary>
    public string CompanyId { get; }

    /// <summary>The record key.</summary>
    public string Key { get; }

    /// <summary>The vector of an upsert, or null for a delete.</summary>
    public ReadOnlyMemory<float>? Vector { get; }

    /// <summary>The metadata of an upsert, or null.</summary>
    public IReadOnlyDictionary<string, MetadataValue>? Metadata { get; }

    /// <summary>True for a delete.</summary>
    public bool IsDelete => Vector is null;
}
