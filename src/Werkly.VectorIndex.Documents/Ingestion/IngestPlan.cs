namespace Werkly.VectorIndex.Documents.Ingestion;

/// <summary>What an ingestion would do with one document.</summary>
public enum PlannedAction
{
    /// <summary>A new document: its chunks would be embedded and stored.</summary>
    Add,

    /// <summary>A stored document whose content (or the ingestor's chunking or model settings) changed: its chunks would be replaced.</summary>
    Replace,

    /// <summary>Nothing would be written: the document is unchanged, empty, unreadable or of an unsupported format.</summary>
    Skip,

    /// <summary>A stored document would be removed: it is no longer in the input (a sync), or it has no text any more.</summary>
    Delete,
}

/// <summary>One document of an <see cref="IngestPlan"/>.</summary>
/// <param name="DocumentId">The document id.</param>
/// <param name="Action">What would happen to it.</param>
/// <param name="Reason">Why, in a few words (for example <c>unchanged (same content hash)</c> or the extraction error).</param>
/// <param name="ChunkCount">Chunks it would be stored as (<see cref="PlannedAction.Add"/> and <see cref="PlannedAction.Replace"/>), else 0.</param>
public sealed record PlannedDocument(string DocumentId, PlannedAction Action, string Reason, int ChunkCount = 0)
{
    /// <summary>What extraction had to guess or repair; empty when nothing.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>What <see cref="DocumentIngestor.IngestAsync(IEnumerable{SourceDocument}, string, IProgress{IngestProgress}?, CancellationToken)"/>
/// (or <see cref="DocumentIngestor.SyncAsync"/>) would do, computed by <see cref="DocumentIngestor.PlanAsync"/> without
/// embedding or writing anything.</summary>
/// <param name="Documents">The input's documents in input order, followed (for a sync) by the stored documents it would delete.</param>
public sealed record IngestPlan(IReadOnlyList<PlannedDocument> Documents)
{
    /// <summary>How many documents would get <paramref name="action"/>.</summary>
    public int Count(PlannedAction action) => Documents.Count(d => d.Action == action);

    /// <summary>Chunks that would be embedded and stored.</summary>
    public int ChunksToEmbed => Documents.Sum(d => d.ChunkCount);
}
