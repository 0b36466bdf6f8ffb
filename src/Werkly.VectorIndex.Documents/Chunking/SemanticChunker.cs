using System.Globalization;
using Microsoft.ML.Tokenizers;
using Werkly.VectorIndex.Documents.Extraction;

namespace Werkly.VectorIndex.Documents.Chunking;

/// <summary>Splits along the document's structure: sections start at headings, sections are cut into paragraphs,
/// and paragraphs are merged up to <see cref="MaxChunkChars"/> or, when longer, split at sentence ends (else word
/// boundaries) to fit.</summary>
/// <remarks>
/// <para>A heading travels with the text that follows it. A chunk stays within one section unless it would be smaller than
/// <see cref="MinChunkChars"/> (or holds nothing but headings): then it grows into the next section, and its heading path
/// becomes the common prefix of the two sections' paths. Chunks do not overlap, never start or end on whitespace and never
/// split a word (except one word longer than the maximum).</para>
/// <para>Structure comes from <see cref="ExtractedDocument.Blocks"/>: Markdown and HTML headings, Word heading styles,
/// paragraphs. A document without blocks is treated as plain text split on blank lines. Thread-safe (immutable).</para>
/// </remarks>
public sealed class SemanticChunker : IChunker
{
    /// <summary>The default maximum chunk length in characters.</summary>
    public const int DefaultMaxChunkChars = 1000;

    /// <summary>The default length below which a chunk grows into the next section.</summary>
    public const int DefaultMinChunkChars = 200;

    /// <summary>
    /// Creates the default chunker: sized in the embedding model's tokens when the ingestion pipeline's generator offers
    /// a tokenizer (at most the whole input the model reads, growing chunks below a fifth of it), otherwise
    /// <see cref="DefaultMaxChunkChars"/> and <see cref="DefaultMinChunkChars"/> characters.
    /// </summary>
    /// <remarks>Used directly (not through the pipeline), it cuts by characters.</remarks>
    public SemanticChunker()
        : this(DefaultMaxChunkChars, DefaultMinChunkChars)
    {
        FollowsModel = true;
    }

    /// <summary>Creates a chunker that measures by characters.</summary>
    /// <param name="maxChunkChars">The maximum chunk length in characters (at least 1).</param>
    /// <param name="minChunkChars">Chunks shorter than this grow into the next section when it fits (0 to <paramref name="maxChunkChars"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public SemanticChunker(int maxChunkChars, int minChunkChars = DefaultMinChunkChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunkChars, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(minChunkChars);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minChunkChars, maxChunkChars);
        MaxChunkChars = maxChunkChars;
        MinChunkChars = minChunkChars;
        Fingerprint = string.Create(CultureInfo.InvariantCulture, $"semantic/v1/max={maxChunkChars}/min={minChunkChars}");
    }

    /// <summary>
    /// Creates a chunker that measures by the tokens of <paramref name="tokenizer"/>: no chunk's embedding text (its
    /// heading path, a blank line and its text) has more than <paramref name="maxChunkTokens"/> tokens.
    /// </summary>
    /// <param name="tokenizer">The embedding model's tokenizer (for the bundled ONNX models: <c>OnnxEmbeddingGenerator.Tokenizer</c>).</param>
    /// <param name="maxChunkTokens">The most tokens per chunk (at least 2), for example <c>OnnxEmbeddingGenerator.MaxInputTokens</c>.</param>
    /// <param name="minChunkTokens">Chunks with fewer tokens grow into the next section when it fits (0 to <paramref name="maxChunkTokens"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="tokenizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public SemanticChunker(Tokenizer tokenizer, int maxChunkTokens, int minChunkTokens)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunkTokens, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(minChunkTokens);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minChunkTokens, maxChunkTokens);
        Tokenizer = tokenizer;
        MaxChunkTokens = maxChunkTokens;
        MinChunkTokens = minChunkTokens;
        Fingerprint = string.Create(CultureInfo.InvariantCulture, $"semantic/v2/tokens={maxChunkTokens}/min={minChunkTokens}/tokenizer={tokenizer.GetType().Name}");
    }

    /// <summary>The tokenizer chunks are measured with, or <see langword="null"/> when they are measured by characters.</summary>
    public Tokenizer? Tokenizer { get; }

    /// <summary>The most tokens per chunk (heading path included), or 0 when measured by characters.</summary>
    public int MaxChunkTokens { get; }

    /// <summary>The token count below which a chunk grows into the next section, or 0 when measured by characters.</summary>
    public int MinChunkTokens { get; }

    /// <summary>Whether this is the default chunker, which the pipeline sizes for the model when it can.</summary>
    internal bool FollowsModel { get; }

    /// <summary>The token-sized chunker for a model reading <paramref name="maxTokens"/> tokens of text.</summary>
    internal static SemanticChunker ForModel(Tokenizer tokenizer, int maxTokens) => new(tokenizer, maxTokens, maxTokens / 5);

    /// <summary>The maximum chunk length in characters (when measured by characters).</summary>
    public int MaxChunkChars { get; }

    /// <summary>The length below which a chunk grows into the next section.</summary>
    public int MinChunkChars { get; }

    /// <inheritdoc />
    public string Fingerprint { get; }

    /// <inheritdoc />
    public IReadOnlyList<DocumentChunk> Chunk(string documentId, ExtractedDocument document)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        ArgumentNullException.ThrowIfNull(document);
        var text = document.Text;
        var blocks = document.Blocks.Count > 0 || string.IsNullOrWhiteSpace(text) ? document.Blocks : TextStructure.ParsePlainText(text);
        var measure = Tokenizer is null ? null : new TokenMeasure(Tokenizer, text);

        // 1. Pieces: every paragraph (split to fit), each tagged with its section and heading path. A heading becomes
        //    a piece of its own that the merge step glues to what follows.
        var pieces = new List<Piece>();
        var stack = new List<(int Level, string Title)>();
        IReadOnlyList<string> path = [];
        var section = 0;
        foreach (var block in blocks)
        {
            if (block.Kind == TextBlockKind.Heading)
            {
                HeadingTracker.Push(stack, block.HeadingLevel, block.HeadingText!);
                path = stack.Select(h => h.Title).ToArray();
                section++;
                AddSplit(pieces, text, measure, block.Start, block.End, section, path, heading: true);
            }
            else
            {
                AddSplit(pieces, text, measure, block.Start, block.End, section, path, heading: false);
            }
        }

        // 2. Merge consecutive pieces while the span fits; cross a section boundary only for a small or heading-only chunk.
        var chunks = new List<DocumentChunk>();
        var i = 0;
        while (i < pieces.Count)
        {
            var first = pieces[i];
            var limit = pieces.Count;
            int end, j;
            IReadOnlyList<string> chunkPath;
            while (true)
            {
                end = first.End;
                chunkPath = first.Path;
                var headingOnly = first.Heading;
                j = i + 1;
                while (j < limit)
                {
                    var next = pieces[j];
                    // Headings alone followed by text ("# A", "## B", text): the chunk is about the text, under A › B.
                    var nextPath = headingOnly && !next.Heading ? next.Path : HeadingTracker.CommonPrefix(chunkPath, next.Path);
                    if (!Fits(measure, first.Start, next.End, nextPath))
                        break;
                    if (next.Section != pieces[j - 1].Section && !headingOnly && !BelowMinimum(measure, first.Start, end))
                        break;
                    chunkPath = nextPath;
                    headingOnly &= next.Heading;
                    end = next.End;
                    j++;
                }

                if (measure is null)
                    break;
                // A heading path worth more than half the tokens is shortened; pieces were joined by their word sums, and
                // a tokenizer that merges across spaces may count the whole more.
                (chunkPath, var budget) = measure.Budget(chunkPath, MaxChunkTokens);
                if (j == i + 1 || measure.CountExact(first.Start, end) <= budget)
                    break;
                limit = j - 1;
            }

            chunks.Add(new DocumentChunk(documentId, chunks.Count, first.Start, end, chunkPath, text[first.Start..end]));
            i = j;
        }
        return chunks;
    }

    private void AddSplit(List<Piece> pieces, string text, TokenMeasure? measure, int start, int end, int section, IReadOnlyList<string> path, bool heading)
    {
        start = WordBoundaries.SkipWhiteSpace(text, start, end);
        while (start < end)
        {
            int pieceEnd;
            if (measure is null)
            {
                pieceEnd = WordBoundaries.PieceEnd(text, start, end, MaxChunkChars, preferSentences: true);
            }
            else
            {
                var word = measure.WordAtOrAfter(start);
                if (word == measure.WordCount || measure.WordStart(word) > start)
                    word--; // start lies inside a word split before
                pieceEnd = measure.FitEnd(start, word, measure.WordAtOrAfter(end), measure.Budget(path, MaxChunkTokens).Budget, preferSentences: true).End;
            }

            pieces.Add(new Piece(start, pieceEnd, section, path, heading));
            start = WordBoundaries.SkipWhiteSpace(text, pieceEnd, end);
        }
    }

    /// <summary>Whether [<paramref name="start"/>, <paramref name="end"/>) under <paramref name="path"/> fits one chunk
    /// (by characters, or by the word sums of the model's tokens, heading path included).</summary>
    private bool Fits(TokenMeasure? measure, int start, int end, IReadOnlyList<string> path) =>
        measure is null
            ? end - start <= MaxChunkChars
            : measure.Tokens(measure.WordAtOrAfter(start), measure.WordAtOrAfter(end)) <= measure.Budget(path, MaxChunkTokens).Budget;

    private bool BelowMinimum(TokenMeasure? measure, int start, int end) =>
        measure is null ? end - start < MinChunkChars : measure.Tokens(measure.WordAtOrAfter(start), measure.WordAtOrAfter(end)) < MinChunkTokens;

    private readonly record struct Piece(int Start, int End, int Section, IReadOnlyList<string> Path, bool Heading);
}
