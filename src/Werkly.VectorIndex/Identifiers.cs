using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex;

/// <summary>Validation of company ids and record keys.</summary>
internal static class Identifiers
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

    /// <summary>
    /// Throws <see cref="InvalidIdentifierException"/> unless <paramref name="key"/> is 1 to 512 characters without
    /// control characters and without lone surrogates (which UTF-8 cannot store: they would come back as U+FFFD).
    /// </summary>
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
        if (IndexOfLoneSurrogate(key) is var at and >= 0)
            throw new InvalidIdentifierException($"Key holds a lone surrogate U+{(int)key[at]:X4} at index {at}; keys must be valid UTF-16.", nameof(key));
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when <paramref name="text"/> holds a lone surrogate: it is stored as UTF-8,
    /// which cannot represent one, so it would read back changed.
    /// </summary>
    /// <param name="text">The string to check.</param>
    /// <param name="what">What the string is, for the message (e.g. "metadata key 'lang'").</param>
    /// <param name="paramName">The argument that carried it.</param>
    public static void ValidateText(string text, string what, string paramName)
    {
        if (IndexOfLoneSurrogate(text) is var at and >= 0)
            throw new ArgumentException($"The {what} holds a lone surrogate U+{(int)text[at]:X4} at index {at}; strings must be valid UTF-16.", paramName);
    }

    /// <summary>The index of the first surrogate that is not part of a pair, or -1.</summary>
    public static int IndexOfLoneSurrogate(ReadOnlySpan<char> text)
    {
        var i = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (i < 0) return -1;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsSurrogate(c)) continue;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            return i;
        }
        return -1;
    }
}
