namespace Werkly.VectorIndex.Exceptions;

/// <summary>The index holds no partition for the company a call named.</summary>
public sealed class CompanyNotFoundException : KeyNotFoundException
{
    /// <summary>Creates the exception for <paramref name="companyId"/>.</summary>
    public CompanyNotFoundException(string companyId)
        : base($"The index has no company '{companyId}'. Upsert a record for it first, or check the id.")
    {
        CompanyId = companyId;
    }

    /// <summary>The company id that was not found.</summary>
    public string CompanyId { get; }
}
