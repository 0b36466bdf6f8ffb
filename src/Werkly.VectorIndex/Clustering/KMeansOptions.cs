namespace Werkly.VectorIndex.Clustering;

/// <summary>Settings of a k-means training run.</summary>
internal sealed record KMeansOptions
{
    /// <summary>Lloyd iterations after initialisation (FAISS's IVF default is 10 in our comparisons).</summary>
    public int Iterations { get; init; } = 10;

    /// <summary>Seed of every random choice: the same seed and data give identical centroids.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>Training uses at most this many points per centroid (a random sample beyond it), as FAISS does.</summary>
    public int MaxPointsPerCentroid { get; init; } = 256;

    /// <summary>Spherical k-means: centroids are re-normalised each iteration and points are assigned by inner product.</summary>
    public bool Spherical { get; init; } = true;

    /// <summary>Worker threads for assignment; defaults to the processor count.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Where the parallel loops run (a lowered scheduler for a build at reduced priority), or null for the default.</summary>
    public TaskScheduler? Scheduler { get; init; }

    /// <summary>Receives progress, or null.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }
}
