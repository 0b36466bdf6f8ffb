namespace Werkly.VectorIndex.Text;

/// <summary>Which stemmer the analyzer applies to each word.</summary>
public enum TextStemming
{
    /// <summary>Words are indexed as they are (after lower-casing and stop-word removal).</summary>
    None = 0,

    /// <summary>The Porter algorithm (<see cref="PorterStemmer"/>), as Lucene's <c>EnglishAnalyzer</c> applies it.</summary>
    Porter = 1,
}

/// <summary>How text becomes index terms. The defaults reproduce Lucene's <c>EnglishAnalyzer</c>, plus Unicode
/// normalization and whole-token e-mail addresses and URLs.</summary>
/// <remarks>An index must analyze queries exactly as it analyzed its documents, so the options are fixed per index.
/// Instances are immutable and may be shared between threads.</remarks>
public sealed record TextAnalyzerOptions
{
    /// <summary>The default English analysis: NFKC, lower case, possessives removed, Lucene's English stop words,
    /// Porter stemming, e-mail addresses and URLs kept whole.</summary>
    public static TextAnalyzerOptions English { get; } = new();

    /// <summary>The Unicode normalization applied to the text first. Default <see cref="TextNormalization.Nfkc"/>.</summary>
    public TextNormalization Normalization { get; init; } = TextNormalization.Nfkc;

    /// <summary>Whether terms are lower-cased (invariant culture). Default true.</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Whether a trailing <c>'s</c> (also with <c>’</c>) is removed, as Lucene's <c>EnglishPossessiveFilter</c> does.
    /// Default true.</summary>
    public bool RemovePossessives { get; init; } = true;

    /// <summary>Terms dropped after lower-casing and before stemming; null or empty keeps every word.
    /// Default <see cref="EnglishStopWords.Lucene"/>. Entries must be in the form the analyzer produces (lower case).</summary>
    public IReadOnlySet<string>? StopWords { get; init; } = EnglishStopWords.Lucene;

    /// <summary>The stemmer. Default <see cref="TextStemming.Porter"/>.</summary>
    public TextStemming Stemming { get; init; } = TextStemming.Porter;

    /// <summary>Whether e-mail addresses (<c>name@example.com</c>) and URLs (<c>https://…</c>, <c>www.…</c>) are kept as
    /// single terms, lower-cased and neither stemmed nor stopped. When false they split into words. Default true.</summary>
    public bool KeepUrlsAndEmails { get; init; } = true;

    /// <summary>Tokens longer than this many characters are skipped (Lucene's <c>maxTokenLength</c>). Default 255,
    /// allowed 1 to 4096.</summary>
    public int MaxTokenLength { get; init; } = 255;

    /// <summary>Checks that the options are usable.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An enum or <see cref="MaxTokenLength"/> is out of range.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Normalization))
            throw new ArgumentOutOfRangeException(nameof(Normalization), Normalization, "Unknown text normalization.");
        if (!Enum.IsDefined(Stemming))
            throw new ArgumentOutOfRangeException(nameof(Stemming), Stemming, "Unknown stemming.");
        if (MaxTokenLength is < 1 or > 4096)
            throw new ArgumentOutOfRangeException(nameof(MaxTokenLength), MaxTokenLength, "MaxTokenLength must be between 1 and 4096.");
    }
}
