using System.Globalization;
using Microsoft.ML.Tokenizers;

namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>
/// Splits normalized text the way the reference BERT basic tokenizer does: on whitespace, and around every punctuation
/// character, where punctuation means any ASCII character that is neither a letter, a digit nor whitespace
/// (so <c>$ + = &lt; &gt; | ^ ~ `</c> count) plus every Unicode <c>P*</c> category.
/// </summary>
/// <remarks>
/// Replaces Microsoft.ML.Tokenizers 2.0.1's default word-or-punctuation pre-tokenizer, which drops ASCII symbols
/// (dotnet/machinelearning #7725). Stateless and thread-safe.
/// </remarks>
internal sealed class BertPreTokenizer : PreTokenizer
{
    private readonly string[] _specialTokens;

    /// <param name="specialTokens">Tokens such as <c>[CLS]</c> kept whole, matched ignoring case (the text is lower-cased by then).</param>
    internal BertPreTokenizer(IEnumerable<string> specialTokens) => _specialTokens = [.. specialTokens];

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) =>
        text is null ? [] : Split(text.AsSpan());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => Split(text);

    private List<(int Offset, int Length)> Split(ReadOnlySpan<char> text)
    {
        var pieces = new List<(int, int)>(text.Length / 4 + 1);
        var start = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (start >= 0)
                {
                    pieces.Add((start, i - start));
                    start = -1;
                }
            }
            else if (c == '[' && SpecialTokenAt(text[i..]) is var special && special > 0)
            {
                if (start >= 0)
                {
                    pieces.Add((start, i - start));
                    start = -1;
                }

                pieces.Add((i, special));
                i += special - 1;
            }
            else if (IsPunctuation(c))
            {
                if (start >= 0)
                {
                    pieces.Add((start, i - start));
                    start = -1;
                }

                pieces.Add((i, 1));
            }
            else if (start < 0)
            {
                start = i;
            }
        }

        if (start >= 0)
            pieces.Add((start, text.Length - start));
        return pieces;
    }

    private int SpecialTokenAt(ReadOnlySpan<char> text)
    {
        foreach (var token in _specialTokens)
        {
            if (text.StartsWith(token, StringComparison.OrdinalIgnoreCase))
                return token.Length;
        }

        return 0;
    }

    internal static bool IsPunctuation(char c)
    {
        if (c < 128)
            return c is (>= '!' and <= '/') or (>= ':' and <= '@') or (>= '[' and <= '`') or (>= '{' and <= '~');
        return CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }
}
