namespace Werkly.VectorIndex.Documents.Chunking;

/// <summary>Finds split points that never fall inside a word (a word is a run of non-whitespace characters).</summary>
internal static class WordBoundaries
{
    /// <summary>The best end (exclusive) for a piece starting at <paramref name="start"/> of at most <paramref name="maxChars"/>
    /// characters within [<paramref name="start"/>, <paramref name="end"/>): at a sentence end when
    /// <paramref name="preferSentences"/> and one lies in the back half of the window, else at the last whitespace, else — for one word
    /// longer than the window — a hard split that keeps surrogate pairs whole. Trailing whitespace is trimmed.</summary>
    public static int PieceEnd(string text, int start, int end, int maxChars, bool preferSentences)
    {
        var limit = start + maxChars;
        if (limit >= end)
            return TrimEnd(text, start, end);
        if (char.IsWhiteSpace(text[limit]) && !preferSentences)
            return TrimEnd(text, start, limit);
        if (preferSentences)
        {
            // A sentence end is "[.!?:;]" followed by whitespace, or a line break; only accept it in the back half so pieces stay large.
            for (var i = limit; i > start + maxChars / 2; i--)
            {
                if (char.IsWhiteSpace(text[i]) && (text[i] == '\n' || text[i - 1] is '.' or '!' or '?' or ';' or ':'))
                    return TrimEnd(text, start, i);
            }
        }
        for (var i = limit; i > start; i--)
        {
            if (char.IsWhiteSpace(text[i]))
                return TrimEnd(text, start, i);
        }
        // One word longer than the window: split it, but not between the halves of a surrogate pair.
        return char.IsLowSurrogate(text[limit]) && limit - 1 > start ? limit - 1 : limit;
    }

    public static int TrimEnd(string text, int start, int end)
    {
        while (end > start && char.IsWhiteSpace(text[end - 1]))
            end--;
        return end;
    }

    public static int SkipWhiteSpace(string text, int position, int end)
    {
        while (position < end && char.IsWhiteSpace(text[position]))
            position++;
        return position;
    }

    /// <summary>Whether <paramref name="position"/> falls strictly inside a word.</summary>
    public static bool InsideWord(string text, int position) =>
        position > 0 && position < text.Length && !char.IsWhiteSpace(text[position - 1]) && !char.IsWhiteSpace(text[position]);
}
