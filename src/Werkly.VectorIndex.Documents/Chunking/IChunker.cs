using Werkly.VectorIndex.Documents.Extraction;

namespace Werkly.VectorIndex.Documents.Chunking;

/// <summary>Splits an extracted document into chunks.</summary>
/// <remarks>Implementations must be deterministic (the same input gives the same chunks) and thread-safe.</remarks>
public interface IChunker
{
    /// <summary>A stable description of the chunker and its settings (for example <c>fixed-size/v1/size=1000/overlap=200</c>).
    /// It is part of the content hash, so changing the settings re-ingests documents that have not changed.</summary>
    string Fingerprint { get; }

    /// <summary>Splits <paramref name="document"/> into chunks, in text order, with ordinals 0, 1, 2, ….</summary>
    /// <param name="documentId">The id stamped on every chunk.</param>
    /// <param name="document">The extracted document.</param>
    IReadOnlyList<DocumentChunk> Chunk(string documentId, ExtractedDocument document);
}
