using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Tests;

public class SmokeTests
{
    [Fact]
    public void Dimension_mismatch_names_both_sizes()
    {
        var ex = new DimensionMismatchException(384, 12);
        Assert.Contains("384", ex.Message);
        Assert.Contains("12", ex.Message);
    }
}
