namespace Werkly.VectorIndex.Clustering;

/// <summary>Progress of a k-means training run, reported once after initialisation and once per iteration.</summary>
/// <param name="Iteration">Iterations completed (0 after initialisation).</param>
/// <param name="Iterations">Iterations planned.</param>
/// <param name="Objective">Sum over the sample of each point's score to its centroid (inner product, or negated squared
/// distance for L2): it rises as the clustering improves.</param>
public readonly record struct TrainingProgress(int Iteration, int Iterations, double Objective);
