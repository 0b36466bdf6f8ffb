namespace Werkly.VectorIndex;

/// <summary>How a document's records' (chunks') scores become the document's score (<see cref="DocumentGrouping"/>).</summary>
public enum DocumentScoring
{
    /// <summary>The best chunk's score (for a ranking ordered by score this is also "first hit wins"): a document ranks
    /// where its best passage ranks, however many other chunks it has. The default: it beat summing on Cranfield cut
    /// into chunks and on the natural-question fixture (docs/TUNING.md).</summary>
    MaxChunk = 0,

    /// <summary>The sum of the document's best <see cref="DocumentGrouping.ChunksPerDocument"/> chunk scores: a document
    /// with several good passages outranks one with a single passage of the same score (and long documents gain).
    /// Meaningful for non-negative scores only (not <see cref="FusionMethod.ZScore"/>).</summary>
    SumOfTopChunks = 1,
}

/// <summary>
/// One result per document instead of one per record (<see cref="SearchQuery.GroupByDocument"/>), so one long document
/// cannot fill the page with its chunks. Each result is the document's best record, carrying the document's score.
/// </summary>
/// <remarks>
/// <para>Records are grouped by <see cref="SearchResult.DocumentId"/> (written by <see cref="WerklyIndex.ReplaceDocuments"/>);
/// a record without a document is its own group. All candidates the search ranked are grouped — for a hybrid search the
/// fused candidates of both sides, otherwise <see cref="SearchQuery.CandidatesPerSide"/> records — then
/// <see cref="SearchQuery.MinScore"/>, <see cref="SearchQuery.Skip"/> and <see cref="SearchQuery.Top"/> apply to
/// documents. Documents are ordered by score, then by the rank of their best record.</para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed record DocumentGrouping
{
    /// <summary>The best chunk scores the document (<see cref="DocumentScoring.MaxChunk"/>).</summary>
    public static DocumentGrouping MaxChunk { get; } = new();

    /// <summary>How chunk scores combine. Default <see cref="DocumentScoring.MaxChunk"/>.</summary>
    public DocumentScoring Scoring { get; init; } = DocumentScoring.MaxChunk;

    /// <summary>For <see cref="DocumentScoring.SumOfTopChunks"/>: how many of a document's best chunks are summed (1 to
    /// 100). Default 2.</summary>
    public int ChunksPerDocument { get; init; } = 2;

    /// <summary>Checks the ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it).</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Scoring)) throw new ArgumentOutOfRangeException(nameof(Scoring), Scoring, "Unknown document scoring.");
        if (ChunksPerDocument is < 1 or > 100)
            throw new ArgumentOutOfRangeException(nameof(ChunksPerDocument), ChunksPerDocument, "ChunksPerDocument must be between 1 and 100.");
    }
}
