using Microsoft.ML.Tokenizers;

namespace Werkly.VectorIndex.Documents.Chunking;

/// <summary>
/// Measures one document's text in an embedding model's tokens, for the token-sized chunkers: every whitespace-separated
/// word is counted once (a word's tokens do not depend on its neighbours for WordPiece, which splits on whitespace first),
/// so the tokens of a run of words is a difference of prefix sums. Because a tokenizer may still merge across spaces (BPE),
/// every chunk is then counted exactly and shrunk until it fits: the budget is a hard limit, the word sums only a fast
/// first guess.
/// </summary>
internal sealed class TokenMeasure
{
    private readonly Tokenizer _tokenizer;
    private readonly string _text;
    private readonly List<int> _starts = [];
    private readonly List<int> _ends = [];
    private readonly List<long> _prefix = [0];
    private readonly Dictionary<string, int> _headingTokens = new(StringComparer.Ordinal);

    internal TokenMeasure(Tokenizer tokenizer, string text)
    {
        _tokenizer = tokenizer;
        _text = text;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var i = 0;
        while (true)
        {
            i = WordBoundaries.SkipWhiteSpace(text, i, text.Length);
            if (i >= text.Length)
                break;
            var end = i;
            while (end < text.Length && !char.IsWhiteSpace(text[end]))
                end++;
            var word = text[i..end];
            if (!counts.TryGetValue(word, out var tokens))
                counts[word] = tokens = tokenizer.CountTokens(word);
            _starts.Add(i);
            _ends.Add(end);
            _prefix.Add(_prefix[^1] + tokens);
            i = end;
        }
    }

    /// <summary>The number of words.</summary>
    internal int WordCount => _starts.Count;

    internal int WordStart(int word) => _starts[word];

    internal int WordEnd(int word) => _ends[word];

    /// <summary>The tokens of words [<paramref name="from"/>, <paramref name="to"/>), by the word sums.</summary>
    internal long Tokens(int from, int to) => _prefix[to] - _prefix[from];

    /// <summary>The exact tokens of the text in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    internal int CountExact(int start, int end) => _tokenizer.CountTokens(_text.AsSpan(start, end - start));

    /// <summary>The first word that starts at or after <paramref name="position"/> (<see cref="WordCount"/> if none).</summary>
    internal int WordAtOrAfter(int position)
    {
        var index = _starts.BinarySearch(position);
        return index >= 0 ? index : ~index;
    }

    /// <summary>
    /// The heading path a chunk under <paramref name="headingPath"/> carries and the tokens left for its text: the path is
    /// embedded in front of the text (joined with " › ", then a blank line; <see cref="DocumentChunk.EmbeddingText"/>), so
    /// its tokens come off <paramref name="maxTokens"/>. A path worth more than half of them loses its outermost headings
    /// until it fits in half, so that a chunk always holds text.
    /// </summary>
    internal (IReadOnlyList<string> Path, int Budget) Budget(IReadOnlyList<string> headingPath, int maxTokens)
    {
        var path = headingPath;
        while (path.Count > 0)
        {
            var tokens = HeadingTokens(path);
            if (tokens <= maxTokens / 2)
                return (path, maxTokens - tokens);
            path = path.Skip(1).ToArray();
        }

        return (path, maxTokens);
    }

    private int HeadingTokens(IReadOnlyList<string> path)
    {
        var heading = string.Join(" › ", path);
        if (!_headingTokens.TryGetValue(heading, out var tokens))
            _headingTokens[heading] = tokens = _tokenizer.CountTokens(heading + "\n\n");
        return tokens;
    }

    /// <summary>
    /// The end of the longest run of whole words from <paramref name="start"/> (inside or at the start of word
    /// <paramref name="first"/>, below word <paramref name="limitWord"/>) that fits <paramref name="budget"/> tokens, counted
    /// exactly; at a sentence end in the back half when <paramref name="preferSentences"/>. A first word that alone exceeds
    /// the budget is cut inside, at the longest prefix that fits (keeping surrogate pairs whole).
    /// </summary>
    /// <returns>The end character (exclusive) and the index of the first word not wholly inside.</returns>
    internal (int End, int NextWord) FitEnd(int start, int first, int limitWord, int budget, bool preferSentences)
    {
        var last = first;
        while (last < limitWord && Tokens(first, last + 1) <= budget)
            last++;
        if (preferSentences && last < limitWord)
        {
            // Back to a sentence end ("[.!?:;]" or a line break after the word) if one lies in the back half.
            for (var w = last; w > first + 1; w--)
            {
                if (Tokens(first, w) * 2 < budget)
                    break;
                var end = _ends[w - 1];
                if (_text[end - 1] is '.' or '!' or '?' or ';' or ':' || (end < _text.Length && _text[end] == '\n'))
                {
                    last = w;
                    break;
                }
            }
        }

        while (last > first && CountExact(start, _ends[last - 1]) > budget)
            last--;
        if (last > first)
            return (_ends[last - 1], last);
        var split = SplitWord(start, _ends[first], budget);
        return (split, split == _ends[first] ? first + 1 : first);
    }

    /// <summary>The end of the longest prefix of [<paramref name="start"/>, <paramref name="wordEnd"/>) within
    /// <paramref name="budget"/> tokens (at least one character, or a whole surrogate pair).</summary>
    private int SplitWord(int start, int wordEnd, int budget)
    {
        int low = start + 1, high = wordEnd;
        while (low < high)
        {
            var middle = low + ((high - low + 1) / 2);
            if (CountExact(start, middle) <= budget)
                low = middle;
            else
                high = middle - 1;
        }

        // Never between the halves of a surrogate pair.
        if (low < wordEnd && char.IsLowSurrogate(_text[low]))
            low = low - 1 > start ? low - 1 : low + 1;
        return low;
    }
}
