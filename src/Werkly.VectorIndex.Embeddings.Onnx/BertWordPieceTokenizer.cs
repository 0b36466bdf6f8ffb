using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>
/// WordPiece tokenization matching Hugging Face's <c>BertTokenizer</c> for uncased BERT-family models, built on
/// Microsoft.ML.Tokenizers 2.0.1's <see cref="BertTokenizer"/> with workarounds for its known defects
/// (dotnet/machinelearning #7724, #7725).
/// </summary>
/// <remarks>
/// Workarounds: tabs and line breaks become spaces and format characters (<c>\p{Cf}</c>), control characters, NUL and
/// U+FFFD are dropped before the library sees the text (it would otherwise glue the words around a line break
/// together); accents are stripped for uncased models, as the reference does, by <see cref="AccentFolding"/> (the
/// library's <see cref="BertOptions.RemoveNonSpacingMarks"/> silently does nothing under InvariantGlobalization); and
/// <see cref="BertPreTokenizer"/> keeps ASCII symbols and the special tokens. Thread-safe: the underlying tokenizer is
/// immutable after creation.
/// </remarks>
internal sealed class BertWordPieceTokenizer
{
    private static readonly string[] SpecialTokens = ["[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"];

    private readonly BertTokenizer _tokenizer;
    private readonly bool _stripAccents;

    private BertWordPieceTokenizer(BertTokenizer tokenizer, bool stripAccents)
    {
        _tokenizer = tokenizer;
        _stripAccents = stripAccents;
        ClsId = tokenizer.ClassificationTokenId;
        SepId = tokenizer.SeparatorTokenId;
        PadId = tokenizer.PaddingTokenId;
    }

    internal int ClsId { get; }

    internal int SepId { get; }

    internal int PadId { get; }

    /// <summary>The tokens of <paramref name="text"/> without <c>[CLS]</c> and <c>[SEP]</c>, however many.</summary>
    internal int CountTokens(string text)
    {
        var clean = Clean(text, _stripAccents);
        return clean.Length == 0 ? 0 : _tokenizer.CountTokens(clean, considerPreTokenization: true, considerNormalization: true);
    }

    /// <summary>The tokens of <paramref name="text"/> as the model sees them (cleaned as <see cref="Encode(string, int)"/> does,
    /// no special tokens, no truncation); offsets refer to the cleaned text, returned as the normalized text.</summary>
    internal EncodeResults<EncodedToken> EncodeToTokens(string text)
    {
        var clean = Clean(text, _stripAccents);
        var tokens = clean.Length == 0 ? [] : _tokenizer.EncodeToTokens(clean, out _, considerPreTokenization: true, considerNormalization: true);
        return new EncodeResults<EncodedToken> { Tokens = tokens, NormalizedText = clean, CharsConsumed = text.Length };
    }

    /// <summary>The underlying WordPiece tokenizer (for decoding).</summary>
    internal BertTokenizer Inner => _tokenizer;

    internal static BertWordPieceTokenizer Load(string vocabularyPath, bool lowerCase)
    {
        var options = new BertOptions
        {
            LowerCaseBeforeTokenization = lowerCase,
            // Accents are stripped by Clean: the library's NFD needs ICU and is a no-op under InvariantGlobalization.
            RemoveNonSpacingMarks = false,
            ApplyBasicTokenization = true,
            IndividuallyTokenizeCjk = true,
            SplitOnSpecialTokens = true,
            MaxInputCharsPerWord = MaxWordChars,
            PreTokenizer = new BertPreTokenizer(SpecialTokens),
        };

        try
        {
            return new BertWordPieceTokenizer(BertTokenizer.Create(vocabularyPath, options), stripAccents: lowerCase);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or IOException or KeyNotFoundException)
        {
            throw new EmbeddingModelException(vocabularyPath, $"not a usable WordPiece vocabulary ({e.Message}); it needs one token per line including [CLS], [SEP], [PAD] and [UNK].", e);
        }
    }

    /// <summary>Token ids of <paramref name="text"/> framed by <c>[CLS]</c> and <c>[SEP]</c>, at most <paramref name="maxTokens"/> of them.</summary>
    internal int[] Encode(string text, int maxTokens) => Encode(text, maxTokens, out _);

    /// <summary>Token ids of <paramref name="text"/> framed by <c>[CLS]</c> and <c>[SEP]</c>, at most <paramref name="maxTokens"/>
    /// of them; <paramref name="truncated"/> tells whether tokens were cut off the end.</summary>
    internal int[] Encode(string text, int maxTokens, out bool truncated)
    {
        var limited = LimitLength(text, maxTokens, _stripAccents);
        var clean = Clean(limited, _stripAccents);
        // Encode everything and cut afterwards: the library's own limit stops at word boundaries, the reference cuts
        // inside a word.
        var ids = clean.Length == 0 ? [] : _tokenizer.EncodeToIds(clean, addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true);
        // LimitLength only cuts where at least maxTokens - 1 pieces (so tokens) remain: a cut text is always truncated.
        truncated = ids.Count > maxTokens - 2 || limited.Length < text.Length;
        var count = Math.Min(ids.Count, maxTokens - 2);
        var result = new int[count + 2];
        result[0] = ClsId;
        for (var i = 0; i < count; i++)
            result[i + 1] = ids[i];
        result[^1] = SepId;
        return result;
    }

    /// <summary>
    /// Cuts long texts before tokenizing, where that cannot change the first <paramref name="maxTokens"/> tokens.
    /// </summary>
    /// <remarks>
    /// Counts pieces while scanning: a run of word characters is one piece and so is each punctuation character, while
    /// whitespace separates and characters <see cref="Clean"/> drops are skipped. Every piece yields at least one token,
    /// so the count is a lower bound on the tokens, and the text is cut just before piece <c>maxTokens + 1</c> begins.
    /// The cut can change only the last piece before it, leaving at least <c>maxTokens - 1</c> pieces, and so at least
    /// the <c>maxTokens - 2</c> tokens between <c>[CLS]</c> and <c>[SEP]</c>, as the whole text would give them.
    /// Where the normalized text can merge pieces, the count stays low: a bracket counts only where it cannot belong to a
    /// special token such as <c>[CLS]</c> (one token), and a kept combining mark joins the piece before it (Unicode
    /// composition may turn <c>&lt;</c> and U+0338 into a letter). Whitespace runs, dropped characters (U+200B) and
    /// words of any length (one <c>[UNK]</c> above <see cref="MaxWordChars"/>) count nothing or one piece.
    /// </remarks>
    internal static string LimitLength(string text, int maxTokens, bool stripAccents)
    {
        // Every piece covers at least one character.
        if (text.Length <= maxTokens)
            return text;

        var pieces = 0;
        var previous = Piece.Space; // what the last character not dropped was; the start of the text counts as a space
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            Rune rune;
            var width = 1;
            if (c < 0x80)
                rune = new Rune(c);
            else
                Rune.DecodeFromUtf16(text.AsSpan(i), out rune, out width); // ill-formed: U+FFFD, as Clean sees it

            var category = Rune.GetUnicodeCategory(rune);
            var counts = false;
            switch (Classify(rune, category, stripAccents))
            {
                case CharClass.Space:
                    previous = Piece.Space;
                    break;
                case CharClass.Dropped:
                    break;
                default:
                    if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
                    {
                        counts = previous == Piece.Space;
                        previous = Piece.Word;
                    }
                    else if (rune.IsBmp && BertPreTokenizer.IsPunctuation(c))
                    {
                        // "[[" holds at least one piece per '[' after the first; "]" ends a special token only after a letter.
                        counts = c switch
                        {
                            '[' => previous == Piece.OpenBracket,
                            ']' => previous != Piece.Word,
                            _ => true,
                        };
                        previous = c == '[' ? Piece.OpenBracket : Piece.Punctuation;
                    }
                    else
                    {
                        counts = previous != Piece.Word;
                        previous = Piece.Word;
                    }

                    break;
            }

            if (counts && ++pieces > maxTokens)
                return text[..i];
            i += width;
        }

        return text;
    }

    /// <summary>The longest word WordPiece splits; longer ones become <c>[UNK]</c> (the reference's <c>max_input_chars_per_word</c>).</summary>
    private const int MaxWordChars = 100;

    private enum CharClass
    {
        Kept,
        Space,
        Dropped,
    }

    private enum Piece
    {
        Space,
        Word,
        Punctuation,
        OpenBracket,
    }

    /// <summary>What <see cref="Clean"/> makes of <paramref name="rune"/>: a space, nothing, or the character (folded).</summary>
    private static CharClass Classify(Rune rune, UnicodeCategory category, bool stripAccents)
    {
        if (rune.Value is '\t' or '\r' or '\n')
            return CharClass.Space;
        if (rune.Value is 0 or 0xFFFD || category is UnicodeCategory.Control or UnicodeCategory.Format)
            return CharClass.Dropped;
        if (Rune.IsWhiteSpace(rune))
            return CharClass.Space;
        return stripAccents && category == UnicodeCategory.NonSpacingMark ? CharClass.Dropped : CharClass.Kept;
    }

    /// <summary>Applies the reference tokenizer's text cleaning (and accent stripping) that the library gets wrong.</summary>
    internal static string Clean(string text, bool stripAccents)
    {
        var i = 0;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (NeedsCleaning(c) || (stripAccents && AccentFolding.Changes(new Rune(c))))
                break;
        }

        if (i == text.Length)
            return text;

        var builder = new StringBuilder(text.Length + 16);
        builder.Append(text, 0, i);
        Span<char> utf16 = stackalloc char[2];
        foreach (var rune in text.AsSpan(i).EnumerateRunes())
        {
            switch (Classify(rune, Rune.GetUnicodeCategory(rune), stripAccents))
            {
                case CharClass.Space:
                    builder.Append(' ');
                    break;
                case CharClass.Dropped:
                    break;
                default:
                    if (stripAccents)
                        AccentFolding.Append(builder, rune);
                    else
                        builder.Append(utf16[..rune.EncodeToUtf16(utf16)]);
                    break;
            }
        }

        return builder.ToString();
    }

    private static bool NeedsCleaning(char c)
    {
        if (c < 32)
            return true; // tabs, line breaks and other C0 controls
        if (c < 127)
            return false;
        if (char.IsSurrogate(c) || c == '\uFFFD')
            return true;
        var category = CharUnicodeInfo.GetUnicodeCategory(c);
        return category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
    }
}
