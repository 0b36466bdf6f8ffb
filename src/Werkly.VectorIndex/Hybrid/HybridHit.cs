namespace Werkly.VectorIndex.Hybrid;

/// <summary>What each retriever contributed to a fused hit.</summary>
/// <param name="VectorRank">The hit's rank in the vector results (from 1), or null when vector search did not return it.</param>
/// <param name="VectorScore">The vector similarity, or null when vector search did not return it.</param>
/// <param name="KeywordRank">The hit's rank in the keyword results (from 1), or null when keyword search did not return it.</param>
/// <param name="KeywordScore">The BM25 score, or null when keyword search did not return it.</param>
/// <param name="VectorContribution">The part of the fused score that came from the vector side (after normalization and weighting).</param>
/// <param name="KeywordContribution">The part of the fused score that came from the keyword side.</param>
/// <param name="Method">The fusion method that combined them.</param>
public sealed record HybridExplanation(
    int? VectorRank,
    double? VectorScore,
    int? KeywordRank,
    double? KeywordScore,
    double VectorContribution,
    double KeywordContribution,
    FusionMethod Method);

/// <summary>One result of a hybrid search.</summary>
/// <param name="Key">The record key.</param>
/// <param name="Score">The fused score (higher is better); comparable only within one result list.</param>
/// <remarks>Only <see cref="Key"/> and <see cref="Score"/> are always set. <see cref="Explanation"/>, <see cref="Text"/>,
/// <see cref="Metadata"/> and <see cref="Vector"/> are filled only when the query asks for them
/// (<see cref="FusionOptions.Explain"/>, <see cref="HybridQuery.Include"/>). Immutable.</remarks>
public sealed record HybridHit(string Key, double Score)
{
    /// <summary>Each side's rank and score, when <see cref="FusionOptions.Explain"/> was set.</summary>
    public HybridExplanation? Explanation { get; init; }

    /// <summary>The record's text, when <see cref="HybridProjection.Text"/> was requested.</summary>
    public string? Text { get; init; }

    /// <summary>The record's metadata, when <see cref="HybridProjection.Metadata"/> was requested.</summary>
    public IReadOnlyDictionary<string, MetadataValue>? Metadata { get; init; }

    /// <summary>The record's stored vector, when <see cref="HybridProjection.Vector"/> was requested.</summary>
    public ReadOnlyMemory<float>? Vector { get; init; }
}
