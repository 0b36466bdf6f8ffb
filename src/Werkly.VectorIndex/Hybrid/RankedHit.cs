namespace Werkly.VectorIndex.Hybrid;

/// <summary>One hit of a single retriever (vector or keyword), as fed to <see cref="ScoreFusion"/>.</summary>
/// <param name="Key">The record key.</param>
/// <param name="Score">The retriever's score; higher is better (use a similarity, not a distance). Must be finite.</param>
/// <remarks>A hit's rank is its position in the list it is passed in (the first is rank 1).</remarks>
public readonly record struct RankedHit(string Key, double Score);
