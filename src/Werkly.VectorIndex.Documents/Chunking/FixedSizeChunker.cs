using System.Globalization;
using Werkly.VectorIndex.Documents.Extraction;

namespace Werkly.VectorIndex.Documents.Chunking;

/// <summary>Cuts the text into windows of at most <see cref="ChunkSizeChars"/> characters that overlap by up to
/// <see cref="OverlapChars"/> characters, never splitting inside a word. The default, 1,000 characters with a 200-character
/// overlap, is the production setting the pipeline replaces.</summary>
/// <remarks>
/// <para>A chunk ends at the last whitespace that keeps it within the size; the next chunk starts at the first word that
/// begins at or after <c>end - overlap</c>, so the overlap is at most <see cref="OverlapChars"/> and whole words only.
/// Chunks never start or end on whitespace. A single word longer than the size (a URL, a base64 blob) is the only thing
/// ever split, because no chunk could hold it otherwise.</para>
/// <para>Each chunk's heading path is the path in effect where it starts. Thread-safe (immutable).</para>
/// </remarks>
public sealed class FixedSizeChunker : IChunker
{
    /// <summary>The production default: 1,000 characters per chunk.</summary>
    public const int DefaultChunkSizeChars = 1000;

    /// <summary>The production default: 200 characters of overlap.</summary>
    public const int DefaultOverlapChars = 200;

    /// <summary>Creates a chunker.</summary>
    /// <param name="chunkSizeChars">The maximum chunk length in characters (at least 1).</param>
    /// <param name="overlapChars">How many characters consecutive chunks may share (0 to <paramref name="chunkSizeChars"/> - 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public FixedSizeChunker(int chunkSizeChars = DefaultChunkSizeChars, int overlapChars = DefaultOverlapChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSizeChars, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(overlapChars);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(overlapChars, chunkSizeChars);
        ChunkSizeChars = chunkSizeChars;
        OverlapChars = overlapChars;
        Fingerprint = string.Create(CultureInfo.InvariantCulture, $"fixed-size/v1/size={chunkSizeChars}/overlap={overlapChars}");
    }

    /// <summary>The maximum chunk length in characters.</summary>
    public int ChunkSizeChars { get; }

    /// <summary>The maximum number of characters consecutive chunks share.</summary>
    public int OverlapChars { get; }

    /// <inheritdoc />
    public string Fingerprint { get; }

    /// <inheritdoc />
    public IReadOnlyList<DocumentChunk> Chunk(string documentId, ExtractedDocument document)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        ArgumentNullException.ThrowIfNull(document);
        var text = document.Text;
        var headings = new HeadingTracker(document.Blocks);
        var chunks = new List<DocumentChunk>();
        var n = text.Length;
        var start = WordBoundaries.SkipWhiteSpace(text, 0, n);
        while (start < n)
        {
            var end = WordBoundaries.PieceEnd(text, start, n, ChunkSizeChars, preferSentences: false);
            chunks.Add(new DocumentChunk(documentId, chunks.Count, start, end, headings.PathAt(start), text[start..end]));
            if (WordBoundaries.SkipWhiteSpace(text, end, n) >= n)
                break; // only whitespace left: a further window would sit inside this one
            var next = WordBoundaries.SkipWhiteSpace(text, NextStart(text, start, end), n);
            // An overlapped window that cannot reach past this chunk's end (long words after it) would only repeat it.
            if (next < end && WordBoundaries.PieceEnd(text, next, n, ChunkSizeChars, preferSentences: false) <= end)
                next = WordBoundaries.SkipWhiteSpace(text, end, n);
            start = next;
        }
        return chunks;
    }

    private int NextStart(string text, int start, int end)
    {
        var next = end - OverlapChars;
        if (next <= start || OverlapChars == 0)
            return end;
        // Move forward to the start of a word; never past the end of the chunk just cut.
        while (next < end && WordBoundaries.InsideWord(text, next))
            next++;
        return next;
    }
}
