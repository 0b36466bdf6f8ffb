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
    internal int[] Encode(string text, int maxTokens)
    {
        var clean = Clean(LimitLength(text, maxTokens), _stripAccents);
        // Encode everything and cut afterwards: the library's own limit stops at word boundaries, the reference cuts
        // inside a word.
        var ids = clean.Length == 0 ? [] : _tokenizer.EncodeToIds(clean, addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true);
        var count = Math.Min(ids.Count, maxTokens - 2);
        var result = new int[count + 2];
        result[0] = ClsId;
        for (var i = 0; i < count; i++)
            result[i + 1] = ids[i];
        result[^1] = SepId;
        return result;
    }

    /// <summary>
    /// Cuts very long texts before tokenizing: every token covers at least one character and a word longer than
    /// <see cref="MaxWordChars"/> becomes a single <c>[UNK]</c>, so the first <paramref name="maxTokens"/> tokens always
    /// come from the first <c>maxTokens * (MaxWordChars + 1)</c> characters. The cut falls on whitespace.
    /// </summary>
    private static string LimitLength(string text, int maxTokens)
    {
        var limit = maxTokens * (MaxWordChars + 1);
        if (text.Length <= limit)
            return text;
        var cut = limit;
        while (cut < text.Length && !char.IsWhiteSpace(text[cut]))
            cut++;
        return text[..cut];
    }

    /// <summary>The longest word WordPiece splits; longer ones become <c>[UNK]</c> (the reference's <c>max_input_chars_per_word</c>).</summary>
    private const int MaxWordChars = 100;

    /// <summary>Applies the reference tokenizer's text cleaning (and accent stripping) that the library gets wrong.</summary>
    internal static string Clean(string text, bool stripAccents)
    {
        var i = 0;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 32 || (c >= 127 && (NeedsCleaning(c) || (stripAccents && AccentFolding.Changes(new Rune(c))))))
                break;
        }

        if (i == text.Length)
            return text;

        var builder = new StringBuilder(text.Length + 16);
        builder.Append(text, 0, i);
        Span<char> utf16 = stackalloc char[2];
        foreach (var rune in text.AsSpan(i).EnumerateRunes())
        {
            if (rune.Value is '\t' or '\r' or '\n')
            {
                builder.Append(' ');
                continue;
            }

            if (rune.Value is 0 or 0xFFFD)
                continue;
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format)
                continue;
            if (Rune.IsWhiteSpace(rune))
                builder.Append(' ');
            else if (stripAccents)
                AccentFolding.Append(builder, rune);
            else
                builder.Append(utf16[..rune.EncodeToUtf16(utf16)]);
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
