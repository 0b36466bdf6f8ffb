namespace Werkly.VectorIndex;

/// <summary>What one search did: the results, the lists it probed, the work per phase.</summary>
public sealed record SearchExplanation
{
    /// <summary>The results, best first.</summary>
    public required IReadOnlyList<SearchHit> Hits { get; init; }

    /// <summary>True when the company is below the flat-search threshold and every vector was scored exactly.</summary>
    public required bool Exact { get; init; }

    /// <summary>Lists in the company's index (1 for flat search).</summary>
    public required int ListCount { get; init; }

    /// <summary>The lists probed, in probe order (best centroid first).</summary>
    public required IReadOnlyList<int> ProbedLists { get; init; }

    /// <summary>Vectors scored (including deleted ones skipped afterwards).</summary>
    public required long VectorsScanned { get; init; }

    /// <summary>Vectors that scored high enough to enter the results but were rejected by the filter.</summary>
    public required long VectorsFilteredOut { get; init; }

    /// <summary>Candidates a quantized search re-ranked with their exact vectors (0 when the lists were scanned in float32).</summary>
    public int CandidatesReranked { get; init; }

    /// <summary>Time spent ranking centroids.</summary>
    public required TimeSpan QuantizerTime { get; init; }

    /// <summary>Time spent scanning lists and keeping the top k.</summary>
    public required TimeSpan ScanTime { get; init; }

    /// <summary>Time spent ordering and materialising the results.</summary>
    public required TimeSpan ResultTime { get; init; }
}
