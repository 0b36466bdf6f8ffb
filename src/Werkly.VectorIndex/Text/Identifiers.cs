using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Text;

/// <summary>Validation of company ids and record keys, by the same rules as the vector index.</summary>
internal static class Identifiers
{
    public const int MaxCompanyIdLength = 64;
    public const int MaxKeyLength = 512;

    public static void ValidateCompanyId(string? companyId)
    {
        if (string.IsNullOrEmpty(companyId))
            throw new InvalidIdentifierException("A company id must not be null or empty.", nameof(companyId));
        if (companyId.Length > MaxCompanyIdLength)
            throw new InvalidIdentifierException($"Company id '{companyId[..16]}…' is {companyId.Length} characters long; at most {MaxCompanyIdLength} are allowed.", nameof(companyId));
        if (companyId[0] == '.')
            throw new InvalidIdentifierException($"Company id '{companyId}' must not start with '.'.", nameof(companyId));
        foreach (var c in companyId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
                throw new InvalidIdentifierException($"Company id '{companyId}' contains '{c}' (U+{(int)c:X4}); only A-Z, a-z, 0-9, '_', '.' and '-' are allowed.", nameof(companyId));
        }
    }

    public static void ValidateKey(string? key)
    {
        if (string.IsNullOrEmpty(key))
            throw new InvalidIdentifierException("A record key must not be null or empty.", nameof(key));
        if (key.Length > MaxKeyLength)
            throw new InvalidIdentifierException($"Record key '{key[..16]}…' is {key.Length} characters long; at most {MaxKeyLength} are allowed.", nameof(key));
        foreach (var c in key)
        {
            if (char.IsControl(c))
                throw new InvalidIdentifierException($"Record key '{key}' contains control character U+{(int)c:X4}.", nameof(key));
        }
    }
}
