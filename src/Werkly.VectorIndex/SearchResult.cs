namespace Werkly.VectorIndex;

/// <summary>What each side contributed to a result's score.</summary>
/// <param name="VectorRank">The result's rank among the vector candidates (from 1), or null when vector search did not return it.</param>
/// <param name="VectorScore">The vector similarity, or null when vector search did not return it.</param>
/// <param name="KeywordRank">The result's rank among the keyword candidates (from 1), or null when keyword search did not return it.</param>
/// <param name="KeywordScore">The BM25 score, or null when keyword search did not return it.</param>
/// <param name="VectorContribution">The part of the score that came from the vector side (after normalization and weighting).</param>
/// <param name="KeywordContribution">The part of the score that came from the keyword side.</param>
/// <param name="Method">The fusion method that combined them, or null for a single-sided search.</param>
public sealed record ScoreBreakdown(
    int? VectorRank,
    double? VectorScore,
    int? KeywordRank,
    double? KeywordScore,
    double VectorContribution,
    double KeywordContribution,
    FusionMethod? Method);

/// <summary>One result of a <see cref="SearchQuery"/>.</summary>
/// <param name="Key">The record key.</param>
/// <param name="Score">Higher is better: the fused score of a hybrid search (comparable only within one result list),
/// the vector similarity, or the BM25 score.</param>
/// <remarks>Immutable. <see cref="Title"/>, <see cref="Text"/>, <see cref="Metadata"/> and <see cref="Vector"/> are set
/// only when <see cref="SearchQuery.Include"/> asks for them, <see cref="Explanation"/> when
/// <see cref="SearchQuery.Explain"/> is set. All fields come from one snapshot of the company.</remarks>
public sealed record SearchResult(string Key, double Score)
{
    /// <summary>The document the record belongs to (see <see cref="WerklyIndex.ReplaceDocuments"/>), or null.</summary>
    public string? DocumentId { get; init; }

    /// <summary>The record's title, when <see cref="RecordFields.Text"/> was requested and it has one.</summary>
    public string? Title { get; init; }

    /// <summary>The record's text, when <see cref="RecordFields.Text"/> was requested and it has one.</summary>
    public string? Text { get; init; }

    /// <summary>The record's metadata, when <see cref="RecordFields.Metadata"/> was requested.</summary>
    public IReadOnlyDictionary<string, MetadataValue>? Metadata { get; init; }

    /// <summary>The record's stored vector, when <see cref="RecordFields.Vector"/> was requested.</summary>
    public ReadOnlyMemory<float>? Vector { get; init; }

    /// <summary>Each side's rank and score, when <see cref="SearchQuery.Explain"/> was set.</summary>
    public ScoreBreakdown? Explanation { get; init; }
}
