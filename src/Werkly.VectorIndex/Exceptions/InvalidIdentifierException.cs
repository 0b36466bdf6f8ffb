namespace Werkly.VectorIndex.Exceptions;

/// <summary>A company id or record key is empty, too long, contains characters that are not allowed, or (a company id)
/// differs only in case from an existing company's.</summary>
/// <remarks>Company ids are restricted to <c>[A-Za-z0-9_.-]</c> (1 to 64 characters, not starting with a dot),
/// case-sensitive and unique regardless of case. Keys may hold any character except control characters and lone
/// surrogates and are 1 to 512 characters long.</remarks>
public sealed class InvalidIdentifierException : ArgumentException
{
    /// <summary>Creates the exception with a message naming the problem.</summary>
    public InvalidIdentifierException(string message, string? paramName = null) : base(message, paramName) { }

    /// <summary>The message without the parameter name (for showing to a person).</summary>
    public string Reason => base.Message.Replace($" (Parameter '{ParamName}')", "", StringComparison.Ordinal);

    /// <summary>Throws unless <paramref name="companyId"/> is a well-formed company id (whether a company by that id
    /// exists, or could be created, only an index can say: see <see cref="WerklyIndex.ValidateCompanyId"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="companyId"/> is null.</exception>
    /// <exception cref="InvalidIdentifierException">It is malformed.</exception>
    public static void ThrowIfInvalidCompanyId(string companyId) => Identifiers.ValidateCompanyId(companyId);

    /// <summary>Throws unless <paramref name="key"/> is a well-formed record key (or document id).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="InvalidIdentifierException">It is malformed.</exception>
    public static void ThrowIfInvalidKey(string key) => Identifiers.ValidateKey(key);
}
