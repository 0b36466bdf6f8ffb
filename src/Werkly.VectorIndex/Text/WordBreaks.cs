using System.Buffers;
using System.Globalization;
using System.Text;

namespace Werkly.VectorIndex.Text;

/// <summary>Word-break classes of the Unicode word segmentation rules (UAX #29) that decide where words end.</summary>
internal enum WordBreakClass : byte
{
    Other = 0,
    Letter,
    Digit,
    /// <summary>CJK ideographs and hiragana: each one is a word of its own, as in Lucene's StandardTokenizer.</summary>
    Ideograph,
    /// <summary>Katakana: runs of it form a word (UAX #29 WB13) but do not join letters or digits.</summary>
    Katakana,
    MidLetter,
    MidNumLet,
    MidNum,
    ExtendNumLet,
    /// <summary>Combining marks and format characters: they belong to the character before them.</summary>
    Extend,
}

/// <summary>Classifies code points for <see cref="TextAnalyzer"/>'s word segmentation.</summary>
internal static class WordBreaks
{
    /// <summary>Classes of the ASCII characters, for the tokenizer's fast path.</summary>
    public static readonly WordBreakClass[] AsciiClasses = BuildAsciiTable();

    private static WordBreakClass[] BuildAsciiTable()
    {
        var table = new WordBreakClass[128];
        for (var c = 'a'; c <= 'z'; c++) table[c] = WordBreakClass.Letter;
        for (var c = 'A'; c <= 'Z'; c++) table[c] = WordBreakClass.Letter;
        for (var c = '0'; c <= '9'; c++) table[c] = WordBreakClass.Digit;
        table[':'] = WordBreakClass.MidLetter;
        table['.'] = WordBreakClass.MidNumLet;
        table['\''] = WordBreakClass.MidNumLet;
        table[','] = WordBreakClass.MidNum;
        table[';'] = WordBreakClass.MidNum;
        table['_'] = WordBreakClass.ExtendNumLet;
        return table;
    }

    public static WordBreakClass Classify(int codePoint)
    {
        if (codePoint < 128) return AsciiClasses[codePoint];
        switch (codePoint)
        {
            case 0x00B7 or 0x0387 or 0x05F4 or 0x2027 or 0xFE13 or 0xFE55 or 0xFF1A:
                return WordBreakClass.MidLetter;
            case 0x2018 or 0x2019 or 0x2024 or 0xFE52 or 0xFF07 or 0xFF0E:
                return WordBreakClass.MidNumLet;
            case 0x037E or 0x0589 or 0x060C or 0x060D or 0x066C or 0x07F8 or 0x2044 or 0xFE10 or 0xFE14 or 0xFE50
                or 0xFE54 or 0xFF0C or 0xFF1B:
                return WordBreakClass.MidNum;
        }
        if (IsKatakana(codePoint)) return WordBreakClass.Katakana;
        if (IsIdeograph(codePoint)) return WordBreakClass.Ideograph;
        return CharUnicodeInfo.GetUnicodeCategory(codePoint) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber
                => WordBreakClass.Letter,
            UnicodeCategory.DecimalDigitNumber => WordBreakClass.Digit,
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                or UnicodeCategory.Format => WordBreakClass.Extend,
            UnicodeCategory.ConnectorPunctuation => WordBreakClass.ExtendNumLet,
            _ => WordBreakClass.Other,
        };
    }

    private static bool IsKatakana(int c) =>
        c is (>= 0x30A0 and <= 0x30FA) or (>= 0x30FC and <= 0x30FF) or (>= 0x31F0 and <= 0x31FF) or (>= 0x32D0 and <= 0x32FE)
            or (>= 0x3300 and <= 0x3357) or (>= 0xFF66 and <= 0xFF9D) or (>= 0x3031 and <= 0x3035) or 0x309B or 0x309C;

    private static bool IsIdeograph(int c) =>
        c is (>= 0x3040 and <= 0x309F) // hiragana
            or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xF900 and <= 0xFAFF)
            or (>= 0x20000 and <= 0x3FFFF);

    /// <summary>Reads the code point at <paramref name="index"/> (a lone surrogate reads as itself).</summary>
    public static int CodePointAt(ReadOnlySpan<char> text, int index, out int charCount)
    {
        var c = text[index];
        if (c < 0x80 || !char.IsSurrogate(c))
        {
            charCount = 1;
            return c;
        }
        if (Rune.DecodeFromUtf16(text[index..], out var rune, out charCount) == OperationStatus.Done) return rune.Value;
        charCount = 1;
        return c;
    }
}
