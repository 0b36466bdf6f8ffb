using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Storage;

/// <summary>Validation of company ids as the storage layer stores them.</summary>
internal static class CompanyId
{
    /// <summary>Longest allowed company id.</summary>
    public const int MaxLength = 64;

    /// <summary>Throws <see cref="InvalidIdentifierException"/> unless <paramref name="companyId"/> is 1 to 64 characters of
    /// <c>[A-Za-z0-9_.-]</c> not starting with a dot.</summary>
    public static void Validate(string? companyId)
    {
        if (string.IsNullOrEmpty(companyId) || companyId.Length > MaxLength)
            throw new InvalidIdentifierException($"A company id must be 1 to {MaxLength} characters long.", nameof(companyId));
        if (companyId[0] == '.')
            throw new InvalidIdentifierException($"Company id '{companyId}' must not start with a dot.", nameof(companyId));
        foreach (char c in companyId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
                throw new InvalidIdentifierException($"Company id '{companyId}' holds '{c}'; only A-Z, a-z, 0-9, '_', '.' and '-' are allowed.", nameof(companyId));
        }
    }
}
