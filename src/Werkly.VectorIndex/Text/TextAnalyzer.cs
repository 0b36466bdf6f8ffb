using System.Buffers;
using System.Collections.Frozen;
using System.Text;

namespace Werkly.VectorIndex.Text;

/// <summary>Receives the terms of an analyzed text, in order.</summary>
internal interface ITermSink
{
    /// <summary>Takes one term; the span is only valid during the call.</summary>
    void Add(scoped ReadOnlySpan<char> term);
}

/// <summary>
/// Turns text into index terms: Unicode normalization, word segmentation, possessive removal, lower-casing, stop words
/// and stemming, each configurable through <see cref="TextAnalyzerOptions"/>.
/// </summary>
/// <remarks>
/// <para>Word segmentation follows the Unicode word-break rules (UAX #29) as Lucene's <c>StandardTokenizer</c> does:
/// letters and digits form words; an apostrophe or period joins letters (<c>don't</c>, <c>u.s.a</c>), a period or comma
/// joins digits (<c>3.14</c>, <c>1,000</c>); hyphens, slashes and other punctuation split (<c>x-ray</c> gives <c>x</c>,
/// <c>ray</c>); an underscore joins; each CJK ideograph is a word. E-mail addresses and URLs are kept whole when
/// <see cref="TextAnalyzerOptions.KeepUrlsAndEmails"/> is set.</para>
/// <para>Normalization: NFKC uses the runtime's Unicode tables. When they are unavailable (an application running in
/// globalization-invariant mode, where <see cref="string.Normalize()"/> changes nothing) a built-in fold of the
/// commonest compatibility characters is applied instead: full-width ASCII, the Latin ligatures, super- and subscript
/// digits and non-breaking spaces. Build and query an index under the same mode.</para>
/// <para>Thread safety: an analyzer is immutable; any number of threads may use one instance at once.</para>
/// </remarks>
internal sealed class TextAnalyzer
{
    /// <summary>Whether NFKC uses the runtime's Unicode tables (false in globalization-invariant mode: the built-in fold).</summary>
    internal static readonly bool RuntimeNormalizes = ProbeRuntimeNormalization();

    private readonly bool _lowerCase;
    private readonly bool _possessives;
    private readonly bool _stem;
    private readonly bool _urls;
    private readonly bool _normalize;
    private readonly int _maxTokenLength;
    private readonly FrozenSet<string>? _stopWords;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _stopLookup;

    /// <summary>Creates an analyzer.</summary>
    /// <param name="options">The analysis settings; null means <see cref="TextAnalyzerOptions.English"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public TextAnalyzer(TextAnalyzerOptions? options = null)
    {
        Options = options ?? TextAnalyzerOptions.English;
        Options.Validate();
        _lowerCase = Options.LowerCase;
        _possessives = Options.RemovePossessives;
        _stem = Options.Stemming == TextStemming.Porter;
        _urls = Options.KeepUrlsAndEmails;
        _normalize = Options.Normalization == TextNormalization.Nfkc;
        _maxTokenLength = Options.MaxTokenLength;
        if (Options.StopWords is { Count: > 0 } stop)
        {
            _stopWords = stop.ToFrozenSet(StringComparer.Ordinal);
            _stopLookup = _stopWords.GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }

    /// <summary>The English analyzer with default options.</summary>
    public static TextAnalyzer English { get; } = new();

    /// <summary>The settings this analyzer applies.</summary>
    public TextAnalyzerOptions Options { get; }

    /// <summary>Analyzes <paramref name="text"/> into its terms, in order (repeats included).</summary>
    /// <param name="text">Any text; null is treated as empty.</param>
    public IReadOnlyList<string> Analyze(string? text)
    {
        var sink = new ListSink(new List<string>());
        Analyze(text, ref sink);
        return sink.Terms;
    }

    /// <summary>Feeds the terms of <paramref name="text"/> to <paramref name="sink"/>.</summary>
    internal void Analyze<TSink>(string? text, ref TSink sink)
        where TSink : ITermSink, allows ref struct
    {
        if (string.IsNullOrEmpty(text)) return;
        AnalyzeNormalized(_normalize ? Normalize(text) : text, ref sink);
    }

    private void AnalyzeNormalized<TSink>(ReadOnlySpan<char> text, ref TSink sink)
        where TSink : ITermSink, allows ref struct
    {
        Span<char> buffer = stackalloc char[_maxTokenLength + 2];
        var ascii = WordBreaks.AsciiClasses;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            WordBreakClass cls;
            var width = 1;
            if (c < 0x80) cls = ascii[c];
            else cls = WordBreaks.Classify(WordBreaks.CodePointAt(text, i, out width));
            if (cls is WordBreakClass.Letter or WordBreakClass.Digit or WordBreakClass.ExtendNumLet or WordBreakClass.Katakana)
            {
                var end = ScanWord(text, i, out var hasLetterOrDigit);
                if (!hasLetterOrDigit) // a run of connectors such as "__" alone is not a word
                {
                    i = end;
                    continue;
                }
                // An e-mail address or URL continues past the first word with one of these characters (or starts with
                // "www."), so the full matchers run only then.
                if (_urls && cls != WordBreakClass.ExtendNumLet
                    && ((end < text.Length && text[end] is '@' or ':' or '.' or '+' or '-' or '%' or '\'' or '/' or '_')
                        || (end - i > 4 && text[i] is 'w' or 'W')))
                {
                    var special = MatchUrl(text, i);
                    if (special == 0) special = MatchEmail(text, i);
                    if (special > 0)
                    {
                        EmitKeyword(text.Slice(i, special), buffer, ref sink);
                        i += special;
                        continue;
                    }
                }
                EmitWord(text[i..end], buffer, ref sink);
                i = end;
            }
            else if (cls == WordBreakClass.Ideograph)
            {
                var end = SkipExtend(text, i + width);
                EmitWord(text[i..end], buffer, ref sink);
                i = end;
            }
            else
            {
                i += width;
            }
        }
    }

    /// <summary>Returns the end of the word that starts at <paramref name="start"/> (UAX #29 rules WB4–WB13b).</summary>
    private static int ScanWord(ReadOnlySpan<char> text, int start, out bool hasLetterOrDigit)
    {
        var ascii = WordBreaks.AsciiClasses;
        var cp = WordBreaks.CodePointAt(text, start, out var width);
        var last = WordBreaks.Classify(cp);
        var letterOrDigit = last != WordBreakClass.ExtendNumLet;
        var i = start + width;
        while (i < text.Length)
        {
            var c = text[i];
            WordBreakClass cls;
            if (c < 0x80)
            {
                cls = ascii[c];
                width = 1;
            }
            else
            {
                cls = WordBreaks.Classify(WordBreaks.CodePointAt(text, i, out width));
            }
            switch (cls)
            {
                case WordBreakClass.Letter or WordBreakClass.Digit or WordBreakClass.Katakana:
                    // Katakana joins only katakana (and connectors); letters and digits join each other (WB5–WB13b).
                    if ((cls == WordBreakClass.Katakana) != (last == WordBreakClass.Katakana) && last != WordBreakClass.ExtendNumLet)
                    {
                        hasLetterOrDigit = letterOrDigit;
                        return i;
                    }
                    letterOrDigit = true;
                    last = cls;
                    i += width;
                    continue;
                case WordBreakClass.ExtendNumLet:
                    last = cls;
                    i += width;
                    continue;
                case WordBreakClass.Extend: // WB4: marks and format characters belong to the character before them
                    i += width;
                    continue;
                case WordBreakClass.MidLetter or WordBreakClass.MidNumLet or WordBreakClass.MidNum:
                    var after = SkipExtend(text, i + width);
                    if (after >= text.Length)
                    {
                        hasLetterOrDigit = letterOrDigit;
                        return i;
                    }
                    var nextCp = WordBreaks.CodePointAt(text, after, out var nextWidth);
                    var next = WordBreaks.Classify(nextCp);
                    var joins = (last, cls, next) switch
                    {
                        (WordBreakClass.Letter, WordBreakClass.MidLetter or WordBreakClass.MidNumLet, WordBreakClass.Letter) => true,
                        (WordBreakClass.Digit, WordBreakClass.MidNum or WordBreakClass.MidNumLet, WordBreakClass.Digit) => true,
                        _ => false,
                    };
                    if (!joins)
                    {
                        hasLetterOrDigit = letterOrDigit;
                        return i;
                    }
                    last = next;
                    i = after + nextWidth;
                    continue;
                default:
                    hasLetterOrDigit = letterOrDigit;
                    return i;
            }
        }
        hasLetterOrDigit = letterOrDigit;
        return i;
    }

    private static int SkipExtend(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && text[i] >= 0x80)
        {
            var cp = WordBreaks.CodePointAt(text, i, out var width);
            if (WordBreaks.Classify(cp) != WordBreakClass.Extend) break;
            i += width;
        }
        return i;
    }

    private void EmitWord<TSink>(ReadOnlySpan<char> word, scoped Span<char> buffer, ref TSink sink)
        where TSink : ITermSink, allows ref struct
    {
        if (word.Length > _maxTokenLength) return;
        if (_possessives && word.Length >= 2 && word[^1] is 's' or 'S' && word[^2] is '\'' or '\u2019' or '\uFF07')
            word = word[..^2];
        if (word.IsEmpty) return;
        var length = CopyLower(word, buffer);
        var term = buffer[..length];
        if (_stopWords is not null && _stopLookup.Contains(term)) return;
        if (_stem)
        {
            if (term.Length <= StemCache.MaxWordLength)
            {
                sink.Add(StemCache.Current.Stem(term));
                return;
            }
            term = term[..PorterStemmer.Stem(term)];
        }
        sink.Add(term);
    }

    private void EmitKeyword<TSink>(ReadOnlySpan<char> token, scoped Span<char> buffer, ref TSink sink)
        where TSink : ITermSink, allows ref struct
    {
        if (token.Length > _maxTokenLength) return;
        sink.Add(buffer[..CopyLower(token, buffer)]);
    }

    private int CopyLower(ReadOnlySpan<char> word, Span<char> buffer)
    {
        if (!_lowerCase)
        {
            word.CopyTo(buffer);
            return word.Length;
        }
        var k = 0;
        for (; k < word.Length; k++)
        {
            var c = word[k];
            if (c >= 0x80) break;
            buffer[k] = c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c;
        }
        if (k == word.Length) return k;
        var n = k;
        for (var i = k; i < word.Length;)
        {
            if (char.IsHighSurrogate(word[i]) && Rune.DecodeFromUtf16(word[i..], out var rune, out _) == OperationStatus.Done)
            {
                n += Rune.ToLowerInvariant(rune).EncodeToUtf16(buffer[n..]);
                i += rune.Utf16SequenceLength;
            }
            else
            {
                buffer[n++] = char.ToLowerInvariant(word[i++]);
            }
        }
        return n;
    }

    /// <summary>Length of a URL starting at <paramref name="start"/> (<c>scheme://…</c> or <c>www.…</c>), or 0.</summary>
    private static int MatchUrl(ReadOnlySpan<char> text, int start)
    {
        var rest = text[start..];
        int prefix;
        if (rest.Length > 4 && rest[..4].Equals("www.".AsSpan(), StringComparison.OrdinalIgnoreCase))
        {
            prefix = 4;
        }
        else
        {
            var s = 0;
            while (s < rest.Length && s <= 16 && (char.IsAsciiLetterOrDigit(rest[s]) || rest[s] is '+' or '-' or '.')) s++;
            if (s == 0 || !char.IsAsciiLetter(rest[0]) || !rest[s..].StartsWith("://", StringComparison.Ordinal)) return 0;
            prefix = s + 3;
        }
        var end = prefix;
        while (end < rest.Length && IsUrlChar(rest[end])) end++;
        while (end > prefix && rest[end - 1] is '.' or ',' or ';' or ':' or '!' or '?' or '\'' or '"' or ')' or ']' or '}') end--;
        return end > prefix && char.IsAsciiLetterOrDigit(rest[prefix]) ? end : 0;
    }

    private static bool IsUrlChar(char c) =>
        c is > ' ' and < '\u007F' and not ('<' or '>' or '"' or '`' or '{' or '}' or '|' or '\\' or '^');

    /// <summary>Length of an e-mail address starting at <paramref name="start"/>, or 0.</summary>
    private static int MatchEmail(ReadOnlySpan<char> text, int start)
    {
        var rest = text[start..];
        var at = 0;
        while (at < rest.Length && at <= 64 && IsEmailLocalChar(rest[at])) at++;
        if (at == 0 || at >= rest.Length || rest[at] != '@') return 0;
        // Domain: labels of letters, digits and hyphens separated by dots, at least two labels, an alphabetic top level.
        var i = at + 1;
        var labels = 0;
        var lastLabelStart = i;
        while (true)
        {
            var labelStart = i;
            while (i < rest.Length && (char.IsAsciiLetterOrDigit(rest[i]) || rest[i] == '-')) i++;
            if (i == labelStart) break;
            labels++;
            lastLabelStart = labelStart;
            if (i + 1 < rest.Length && rest[i] == '.' && char.IsAsciiLetterOrDigit(rest[i + 1])) i++;
            else break;
        }
        if (labels < 2 || i - lastLabelStart < 2) return 0;
        foreach (var c in rest[lastLabelStart..i])
        {
            if (!char.IsAsciiLetter(c)) return 0;
        }
        return i;
    }

    private static bool IsEmailLocalChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-' or '\'' or '!' or '#' or '$' or '&' or '*'
            or '=' or '?' or '^' or '`' or '{' or '|' or '}' or '~' or '/';

    private static string Normalize(string text)
    {
        if (Ascii.IsValid(text)) return text; // ASCII is already in NFKC
        if (RuntimeNormalizes) return text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        return CompatibilityFold.Apply(text);
    }

    private static bool ProbeRuntimeNormalization()
    {
        try
        {
            return "\uFB01".Normalize(NormalizationForm.FormKC) == "fi";
        }
        catch (PlatformNotSupportedException)
        {
            return false;
        }
    }

    /// <summary>
    /// A per-thread memo of Porter stems. Word frequencies are Zipfian, so nearly every word has been stemmed before;
    /// a hash lookup is several times cheaper than re-running the five steps. Bounded: cleared when full.
    /// </summary>
    private sealed class StemCache
    {
        public const int MaxWordLength = 32;
        private const int Capacity = 1 << 16;

        [ThreadStatic] private static StemCache? t_current;

        private readonly Dictionary<string, string> _stems = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        private StemCache() => _lookup = _stems.GetAlternateLookup<ReadOnlySpan<char>>();

        public static StemCache Current => t_current ??= new StemCache();

        /// <summary>The stem of <paramref name="word"/>; the span's contents may be overwritten.</summary>
        public string Stem(Span<char> word)
        {
            if (_lookup.TryGetValue(word, out var stem)) return stem;
            var key = new string(word);
            stem = new string(word[..PorterStemmer.Stem(word)]);
            if (_stems.Count >= Capacity) _stems.Clear();
            if (stem.Equals(key, StringComparison.Ordinal)) stem = key;
            _stems[key] = stem;
            return stem;
        }
    }

    private struct ListSink(List<string> terms) : ITermSink
    {
        public readonly List<string> Terms = terms;

        public readonly void Add(scoped ReadOnlySpan<char> term) => Terms.Add(new string(term));
    }
}
