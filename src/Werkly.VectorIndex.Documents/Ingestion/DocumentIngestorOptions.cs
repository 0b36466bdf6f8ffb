using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Extraction;

namespace Werkly.VectorIndex.Documents.Ingestion;

/// <summary>Settings for <see cref="DocumentIngestor"/>. Validated and copied when the ingestor is created, so changing an
/// instance afterwards does not affect ingestors already built from it.</summary>
/// <remarks>Not thread-safe: configure an instance on one thread, then hand it to the ingestor.</remarks>
public sealed class DocumentIngestorOptions
{
    /// <summary>Turns documents into text. Default: <see cref="DocumentTextExtractor.Default"/>.</summary>
    public DocumentTextExtractor Extractor { get; set; } = DocumentTextExtractor.Default;

    /// <summary>Splits text into chunks. Default: <see cref="FixedSizeChunker"/> with 1,000 characters and 200 overlap.</summary>
    public IChunker Chunker { get; set; } = new FixedSizeChunker();

    /// <summary>How many chunks go to the embedding generator per call (1 to 4,096; default 64). Batches span documents.</summary>
    public int EmbeddingBatchSize { get; set; } = 64;

    /// <summary>How many embedding calls may run at once (1 to 64; default 1). Keep 1 for an in-process model that already
    /// uses every core per call; raise it for a remote service (latency-bound) or a model limited to one thread per call.
    /// Results are applied and documents written in input order whatever the setting.</summary>
    public int MaxConcurrentEmbeddingCalls { get; set; } = 1;

    /// <summary>How many documents extraction and chunking may run ahead of embedding (1 to 65,536; default 32). Bounds memory.</summary>
    public int PrefetchDocuments { get; set; } = 32;

    /// <summary>When <see langword="true"/> (the default) each chunk is embedded with its heading path in front
    /// (<c>"Handbook › Expenses › Limits\n\n" + text</c>), so a chunk cut from the middle of a section still carries what it
    /// is about. The stored chunk text is unchanged either way.</summary>
    public bool EmbedHeadingPath { get; set; } = true;

    /// <summary>Options passed to every embedding call, or <see langword="null"/>.</summary>
    public EmbeddingGenerationOptions? EmbeddingOptions { get; set; }

    /// <summary>When <see langword="false"/> (the default) an unsupported or unreadable document stops the run with its typed
    /// exception; when <see langword="true"/> it is recorded as <see cref="DocumentStatus.Failed"/> and the run goes on.
    /// Documents written before the failure stay written either way.</summary>
    public bool ContinueOnDocumentError { get; set; }

    /// <summary>A copy whose <see cref="EmbeddingOptions"/> is a copy too (the extractor and chunker are shared, not copied).</summary>
    internal DocumentIngestorOptions Clone()
    {
        var copy = (DocumentIngestorOptions)MemberwiseClone();
        copy.EmbeddingOptions = EmbeddingOptions?.Clone();
        return copy;
    }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Extractor);
        ArgumentNullException.ThrowIfNull(Chunker);
        ArgumentOutOfRangeException.ThrowIfLessThan(EmbeddingBatchSize, 1, nameof(EmbeddingBatchSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(EmbeddingBatchSize, 4096, nameof(EmbeddingBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentEmbeddingCalls, 1, nameof(MaxConcurrentEmbeddingCalls));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxConcurrentEmbeddingCalls, 64, nameof(MaxConcurrentEmbeddingCalls));
        ArgumentOutOfRangeException.ThrowIfLessThan(PrefetchDocuments, 1, nameof(PrefetchDocuments));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PrefetchDocuments, 65536, nameof(PrefetchDocuments));
    }
}
