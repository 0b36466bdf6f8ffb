namespace Werkly.VectorIndex.Distance;

/// <summary>How vectors are compared. Every search returns a score where higher is better.</summary>
public enum DistanceMetric
{
    /// <summary>
    /// Cosine similarity. Vectors are L2-normalised once on insert (and queries once per search), so search is an
    /// inner product; scores lie in [-1, 1]. A zero vector has no direction and is rejected.
    /// </summary>
    Cosine,

    /// <summary>Inner (dot) product of the vectors as given. The score is the dot product.</summary>
    InnerProduct,

    /// <summary>Squared Euclidean distance. The score is the negated squared distance, so higher is still better.</summary>
    SquaredL2,
}
