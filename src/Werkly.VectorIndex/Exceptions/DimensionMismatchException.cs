namespace Werkly.VectorIndex.Exceptions;

/// <summary>A vector's length differs from the dimensions the index was created with.</summary>
public sealed class DimensionMismatchException : ArgumentException
{
    /// <summary>Creates the exception for a vector of <paramref name="actualDimensions"/> given where <paramref name="expectedDimensions"/> were expected.</summary>
    public DimensionMismatchException(int expectedDimensions, int actualDimensions, string? paramName = null)
        : base($"Expected a vector of {expectedDimensions} dimensions but got {actualDimensions}.", paramName)
    {
        ExpectedDimensions = expectedDimensions;
        ActualDimensions = actualDimensions;
    }

    /// <summary>The dimensions the index was created with.</summary>
    public int ExpectedDimensions { get; }

    /// <summary>The length of the vector that was passed.</summary>
    public int ActualDimensions { get; }
}
