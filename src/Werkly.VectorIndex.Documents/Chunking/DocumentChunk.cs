using System.Globalization;

namespace Werkly.VectorIndex.Documents.Chunking;

/// <summary>A piece of a document's extracted text, the unit that is embedded and searched.</summary>
/// <param name="DocumentId">The id of the document the chunk comes from.</param>
/// <param name="Ordinal">The chunk's position within its document, from 0.</param>
/// <param name="Start">First character of the chunk in the extracted text.</param>
/// <param name="End">One past the last character of the chunk in the extracted text (the range is [Start, End)).</param>
/// <param name="HeadingPath">The headings the chunk sits under, outermost first (empty when the document has none).</param>
/// <param name="Text">The chunk's text: the extracted text from <paramref name="Start"/> to <paramref name="End"/>.</param>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record DocumentChunk(string DocumentId, int Ordinal, int Start, int End, IReadOnlyList<string> HeadingPath, string Text)
{
    /// <summary>The chunk's record key, <c>documentId#ordinal</c>: unique within a company, stable while the document is unchanged.</summary>
    public string Key => KeyOf(DocumentId, Ordinal);

    /// <summary>The record key of a document's chunk: <c>documentId#ordinal</c>, the ordinal in invariant digits (so a
    /// document's first chunk always ends with <c>#0</c>, even when the id itself contains '#').</summary>
    /// <param name="documentId">The document id.</param>
    /// <param name="ordinal">The chunk's position within its document, from 0.</param>
    public static string KeyOf(string documentId, int ordinal) =>
        string.Create(CultureInfo.InvariantCulture, $"{documentId}#{ordinal}");

    /// <summary>The chunk's length in characters.</summary>
    public int Length => End - Start;

    /// <summary>The heading path joined with " › ", or an empty string.</summary>
    public string HeadingPathText => string.Join(" › ", HeadingPath);

    /// <summary>The text the ingestion pipeline sends to the embedding model for this chunk: its heading path, a blank
    /// line and its text when <paramref name="includeHeadingPath"/> is set and the chunk has headings; otherwise its text alone.</summary>
    /// <param name="includeHeadingPath">Whether to put the heading path in front (<see cref="Ingestion.DocumentIngestorOptions.EmbedHeadingPath"/>).</param>
    public string EmbeddingText(bool includeHeadingPath) =>
        includeHeadingPath && HeadingPath.Count > 0 ? HeadingPathText + "\n\n" + Text : Text;
}
