namespace Werkly.VectorIndex.Exceptions;

/// <summary>The index holds no partition for the company a call named.</summary>
public sealed class CompanyNotFoundException : KeyNotFoundException
{
    /// <summary>Creates the exception for <paramref name="companyId"/>.</summary>
    public CompanyNotFoundException(string companyId)
        : this(companyId, null)
    {
    }

    /// <summary>Creates the exception for <paramref name="companyId"/>, naming an existing company whose id differs only in case.</summary>
    public CompanyNotFoundException(string companyId, string? existingSpelling)
        : base(existingSpelling is null
            ? $"The index has no company '{companyId}'. Upsert a record for it first, or check the id."
            : $"The index has no company '{companyId}' (company ids are case-sensitive; did you mean '{existingSpelling}'?).")
    {
        CompanyId = companyId;
    }

    /// <summary>The company id that was not found.</summary>
    public string CompanyId { get; }
}
