using System.Globalization;
using Microsoft.ML.Tokenizers;
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

    /// <summary>
    /// Creates the default chunker: sized in the embedding model's tokens when the ingestion pipeline's generator offers
    /// a tokenizer (the whole input the model reads, <see cref="DefaultOverlapTokensPercent"/> % overlap), otherwise
    /// <see cref="DefaultChunkSizeChars"/> characters with <see cref="DefaultOverlapChars"/> of overlap.
    /// </summary>
    /// <remarks>Used directly (not through the pipeline), it cuts by characters.</remarks>
    public FixedSizeChunker()
        : this(DefaultChunkSizeChars, DefaultOverlapChars)
    {
        FollowsModel = true;
    }

    /// <summary>Creates a chunker that cuts by characters.</summary>
    /// <param name="chunkSizeChars">The maximum chunk length in characters (at least 1).</param>
    /// <param name="overlapChars">How many characters consecutive chunks may share (0 to <paramref name="chunkSizeChars"/> - 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public FixedSizeChunker(int chunkSizeChars, int overlapChars = DefaultOverlapChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSizeChars, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(overlapChars);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(overlapChars, chunkSizeChars);
        ChunkSizeChars = chunkSizeChars;
        OverlapChars = overlapChars;
        Fingerprint = string.Create(CultureInfo.InvariantCulture, $"fixed-size/v1/size={chunkSizeChars}/overlap={overlapChars}");
    }

    /// <summary>
    /// Creates a chunker that cuts by the tokens of <paramref name="tokenizer"/>: no chunk's embedding text (its heading
    /// path, a blank line and its text) has more than <paramref name="chunkSizeTokens"/> tokens, so a model that reads
    /// that many sees every chunk whole.
    /// </summary>
    /// <param name="tokenizer">The embedding model's tokenizer, counting the tokens the model sees (for the bundled ONNX
    /// models: <c>OnnxEmbeddingGenerator.Tokenizer</c>; for OpenAI models: a <c>TiktokenTokenizer</c>).</param>
    /// <param name="chunkSizeTokens">The most tokens per chunk (at least 2), for example <c>OnnxEmbeddingGenerator.MaxInputTokens</c>.</param>
    /// <param name="overlapTokens">How many tokens of whole words consecutive chunks may share (0 to <paramref name="chunkSizeTokens"/> / 2).</param>
    /// <exception cref="ArgumentNullException"><paramref name="tokenizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public FixedSizeChunker(Tokenizer tokenizer, int chunkSizeTokens, int overlapTokens)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSizeTokens, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(overlapTokens);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(overlapTokens, chunkSizeTokens / 2);
        Tokenizer = tokenizer;
        ChunkSizeTokens = chunkSizeTokens;
        OverlapTokens = overlapTokens;
        Fingerprint = string.Create(CultureInfo.InvariantCulture, $"fixed-size/v2/tokens={chunkSizeTokens}/overlap={overlapTokens}/tokenizer={tokenizer.GetType().Name}");
    }

    /// <summary>The default overlap of a token-sized chunker made for a model, as a percentage of its chunk size (the
    /// 200 of 1,000 characters of the character default).</summary>
    public const int DefaultOverlapTokensPercent = 20;

    /// <summary>The tokenizer chunks are measured with, or <see langword="null"/> when they are cut by characters.</summary>
    public Tokenizer? Tokenizer { get; }

    /// <summary>The most tokens per chunk (heading path included), or 0 when chunks are cut by characters.</summary>
    public int ChunkSizeTokens { get; }

    /// <summary>The most tokens consecutive chunks share, or 0 when chunks are cut by characters.</summary>
    public int OverlapTokens { get; }

    /// <summary>Whether this is the default chunker, which the pipeline sizes for the model when it can.</summary>
    internal bool FollowsModel { get; }

    /// <summary>The token-sized chunker for a model reading <paramref name="maxTokens"/> tokens of text.</summary>
    internal static FixedSizeChunker ForModel(Tokenizer tokenizer, int maxTokens) =>
        new(tokenizer, maxTokens, maxTokens * DefaultOverlapTokensPercent / 100);

    /// <summary>The maximum chunk length in characters (when cut by characters).</summary>
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
        if (Tokenizer is not null)
            return ChunkByTokens(documentId, text, headings);
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

    private List<DocumentChunk> ChunkByTokens(string documentId, string text, HeadingTracker headings)
    {
        var measure = new TokenMeasure(Tokenizer!, text);
        var chunks = new List<DocumentChunk>();
        var words = measure.WordCount;
        var word = 0;
        var start = words > 0 ? measure.WordStart(0) : 0;
        int previousEnd = -1, previousNext = 0;
        while (word < words)
        {
            var (path, budget) = measure.Budget(headings.PathAt(start), ChunkSizeTokens);
            var (end, next) = measure.FitEnd(start, word, words, budget, preferSentences: false);
            if (end <= previousEnd)
            {
                // The overlapped window cannot reach past the last one (a longer heading path, dense words): no overlap.
                word = previousNext;
                start = measure.WordStart(word);
                previousEnd = -1;
                continue;
            }

            (previousEnd, previousNext) = (end, next);
            chunks.Add(new DocumentChunk(documentId, chunks.Count, start, end, path, text[start..end]));
            if (next == word)
            {
                start = end; // inside one long word: go on with its rest, no overlap
                continue;
            }

            if (next >= words)
                break;
            // Overlap: step back over whole words worth at most OverlapTokens.
            var back = next;
            while (back - 1 > word && measure.WordStart(back - 1) >= start && measure.Tokens(back - 1, next) <= OverlapTokens)
                back--;
            word = back;
            start = measure.WordStart(word);
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
