namespace Werkly.VectorIndex.Text;

/// <summary>Which Unicode normalization the analyzer applies to text before it splits it into words.</summary>
public enum TextNormalization
{
    /// <summary>No normalization: the text is analyzed as given.</summary>
    None = 0,

    /// <summary>
    /// Compatibility composition (NFKC): full-width forms, ligatures, super- and subscripts and composed accents fold to
    /// their plain forms, so <c>ﬁle</c>, <c>ｆｉｌｅ</c> and <c>file</c> are one term.
    /// </summary>
    Nfkc = 1,
}
