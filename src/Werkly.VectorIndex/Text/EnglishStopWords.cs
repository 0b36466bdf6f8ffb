using System.Collections.Frozen;

namespace Werkly.VectorIndex.Text;

/// <summary>English stop word lists.</summary>
/// <remarks>Thread safety: the sets are immutable.</remarks>
internal static class EnglishStopWords
{
    /// <summary>
    /// The 33 words of Lucene's <c>EnglishAnalyzer</c> default stop set (<c>StopAnalyzer.ENGLISH_STOP_WORDS_SET</c>), so
    /// that scores are comparable with Lucene and Elasticsearch's <c>english</c> analyzer.
    /// </summary>
    public static FrozenSet<string> Lucene { get; } = new[]
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
        "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
    }.ToFrozenSet(StringComparer.Ordinal);
}
