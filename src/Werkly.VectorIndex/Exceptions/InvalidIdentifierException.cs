namespace Werkly.VectorIndex.Exceptions;

/// <summary>A company id or record key is empty, too long, or contains characters that are not allowed.</summary>
/// <remarks>Company ids become file names, so they are restricted to <c>[A-Za-z0-9_.-]</c> (1 to 64 characters,
/// not starting with a dot). Keys may hold any character except control characters and are 1 to 512 characters long.</remarks>
public sealed class InvalidIdentifierException : ArgumentException
{
    /// <summary>Creates the exception with a message naming the problem.</summary>
    public InvalidIdentifierException(string message, string? paramName = null) : base(message, paramName) { }
}
