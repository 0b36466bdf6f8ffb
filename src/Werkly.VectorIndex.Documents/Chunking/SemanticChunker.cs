using System.Globalization;
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

    /// <summary>Creates a chunker.</summary>
    /// <param name="maxChunkChars">The maximum chunk length in characters (at least 1).</param>
    /// <param name="minChunkChars">Chunks shorter than this grow into the next section when it fits (0 to <paramref name="maxChunkChars"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public SemanticChunker(int maxChunkChars = DefaultMaxChunkChars, int minChunkChars = DefaultMinChunkChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunkChars, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(minChunkChars);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minChunkChars, maxChunkChars);
        MaxChunkChars = maxChunkChars;
        MinChunkChars = minChunkChars;
        Fingerprint = string.Create(CultureInfo.InvariantCulture, $"semantic/v1/max={maxChunkChars}/min={minChunkChars}");
    }

    /// <summary>The maximum chunk length in characters.</summary>
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
                AddSplit(pieces, text, block.Start, block.End, section, path, heading: true);
            }
            else
            {
                AddSplit(pieces, text, block.Start, block.End, section, path, heading: false);
            }
        }

        // 2. Merge consecutive pieces while the span fits; cross a section boundary only for a small or heading-only chunk.
        var chunks = new List<DocumentChunk>();
        var i = 0;
        while (i < pieces.Count)
        {
            var first = pieces[i];
            var end = first.End;
            var chunkPath = first.Path;
            var headingOnly = first.Heading;
            var j = i + 1;
            while (j < pieces.Count)
            {
                var next = pieces[j];
                if (next.End - first.Start > MaxChunkChars)
                    break;
                if (next.Section != pieces[j - 1].Section && !headingOnly && end - first.Start >= MinChunkChars)
                    break;
                // Headings alone followed by text ("# A", "## B", text): the chunk is about the text, under A › B.
                chunkPath = headingOnly && !next.Heading ? next.Path : HeadingTracker.CommonPrefix(chunkPath, next.Path);
                headingOnly &= next.Heading;
                end = next.End;
                j++;
            }
            chunks.Add(new DocumentChunk(documentId, chunks.Count, first.Start, end, chunkPath, text[first.Start..end]));
            i = j;
        }
        return chunks;
    }

    private void AddSplit(List<Piece> pieces, string text, int start, int end, int section, IReadOnlyList<string> path, bool heading)
    {
        start = WordBoundaries.SkipWhiteSpace(text, start, end);
        while (start < end)
        {
            var pieceEnd = WordBoundaries.PieceEnd(text, start, end, MaxChunkChars, preferSentences: true);
            pieces.Add(new Piece(start, pieceEnd, section, path, heading));
            start = WordBoundaries.SkipWhiteSpace(text, pieceEnd, end);
        }
    }

    private readonly record struct Piece(int Start, int End, int Section, IReadOnlyList<string> Path, bool Heading);
}
