using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Partitions;

/// <summary>Validation of company ids and record keys.</summary>
public static class Identifiers
{
    /// <summary>Longest company id.</summary>
    public const int MaxCompanyIdLength = 64;

    /// <summary>Longest record key.</summary>
    public const int MaxKeyLength = 512;

    /// <summary>
    /// Throws <see cref="InvalidIdentifierException"/> unless <paramref name="companyId"/> is 1 to 64 characters of
    /// <c>[A-Za-z0-9_.-]</c> not starting with a dot. Company ids become file names, so nothing else is allowed.
    /// </summary>
    public static void ValidateCompanyId(string companyId)
    {
        ArgumentNullException.ThrowIfNull(companyId);
        if (companyId.Length is 0 or > MaxCompanyIdLength)
            throw new InvalidIdentifierException($"A company id must be 1 to {MaxCompanyIdLength} characters; got {companyId.Length}.", nameof(companyId));
        if (companyId[0] == '.')
            throw new InvalidIdentifierException($"Company id '{companyId}' must not start with a dot.", nameof(companyId));
        foreach (var c in companyId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
                throw new InvalidIdentifierException($"Company id '{companyId}' holds '{c}'; only A-Z, a-z, 0-9, '_', '-' and '.' are allowed.", nameof(companyId));
        }
    }

    /// <summary>Throws <see cref="InvalidIdentifierException"/> unless <paramref name="key"/> is 1 to 512 characters without control characters.</summary>
    public static void ValidateKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length is 0 or > MaxKeyLength)
            throw new InvalidIdentifierException($"A key must be 1 to {MaxKeyLength} characters; got {key.Length}.", nameof(key));
        foreach (var c in key)
        {
            if (char.IsControl(c))
                throw new InvalidIdentifierException($"Key holds the control character U+{(int)c:X4}; keys must be printable.", nameof(key));
        }
    }
}
