using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>
/// Strips accents the way the reference BERT tokenizer does (Unicode NFD, then drop every non-spacing mark), from a
/// built-in table rather than <see cref="string.Normalize(NormalizationForm)"/>.
/// </summary>
/// <remarks>
/// <see cref="string.Normalize(NormalizationForm)"/> needs ICU and does nothing under <c>InvariantGlobalization</c>
/// (the default of many container images), which would turn every accented word into <c>[UNK]</c>. The table makes the
/// tokens the same in every globalization mode. Thread-safe: the table is immutable.
/// </remarks>
internal static partial class AccentFolding
{
    private const int HangulFirst = 0xAC00;
    private const int HangulLast = 0xD7A3;

    private static readonly FrozenDictionary<int, string> Folded = CreateTable().ToFrozenDictionary(entry => entry.CodePoint, entry => entry.Folded);

    /// <summary>Whether <paramref name="rune"/> changes under accent stripping.</summary>
    internal static bool Changes(Rune rune) =>
        rune.Value >= 0x80
        && (Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark
            || rune.Value is >= HangulFirst and <= HangulLast
            || Folded.ContainsKey(rune.Value));

    /// <summary>Appends <paramref name="rune"/> with its accents stripped.</summary>
    internal static void Append(StringBuilder builder, Rune rune)
    {
        if (rune.Value < 0x80)
        {
            builder.Append((char)rune.Value);
            return;
        }

        if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark)
            return;
        if (rune.Value is >= HangulFirst and <= HangulLast)
        {
            // Unicode's algorithmic decomposition of Hangul syllables into conjoining jamo (none of them marks).
            const int leadBase = 0x1100, vowelBase = 0x1161, trailBase = 0x11A7, trailCount = 28, blockCount = 21 * trailCount;
            var index = rune.Value - HangulFirst;
            builder.Append((char)(leadBase + (index / blockCount)));
            builder.Append((char)(vowelBase + (index % blockCount / trailCount)));
            if (index % trailCount != 0)
                builder.Append((char)(trailBase + (index % trailCount)));
            return;
        }

        if (Folded.TryGetValue(rune.Value, out var folded))
        {
            builder.Append(folded);
            return;
        }

        Span<char> utf16 = stackalloc char[2];
        builder.Append(utf16[..rune.EncodeToUtf16(utf16)]);
    }
}
