namespace Werkly.VectorIndex.Exceptions;

/// <summary>A vector holds NaN or an infinity, or is all zeros where the metric needs a direction (cosine).</summary>
public sealed class InvalidVectorException : ArgumentException
{
    /// <summary>Creates the exception with a message naming the problem.</summary>
    public InvalidVectorException(string message, string? paramName = null) : base(message, paramName) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public InvalidVectorException(string message, Exception innerException) : base(message, innerException) { }
}
