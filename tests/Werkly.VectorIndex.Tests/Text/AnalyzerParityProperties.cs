using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Tests.Text;

/// <summary>Random text against the Lucene.Net reference: the analyzer and the stemmer must agree on every input.</summary>
public class AnalyzerParityProperties
{
    private static readonly string[] Suffixes =
    [
        "", "s", "es", "ies", "sses", "ed", "eed", "ing", "ational", "tional", "enci", "anci", "izer", "bli", "alli", "entli",
        "eli", "ousli", "ization", "ation", "ator", "alism", "iveness", "fulness", "ousness", "aliti", "iviti", "biliti",
        "logi", "icate", "ative", "alize", "iciti", "ical", "ful", "ness", "al", "ance", "ence", "er", "ic", "able", "ible",
        "ant", "ement", "ment", "ent", "ion", "sion", "tion", "ou", "ism", "ate", "iti", "ous", "ive", "ize", "e", "ll", "y",
    ];

    private static readonly Gen<string> Words =
        from stem in Gen.Choose(1, 7).SelectMany(n => Gen.ArrayOf(Gen.Elements("bcdfghjklmnprstvwxyzaeiouy".ToCharArray()), n))
        from suffix in Gen.Elements(Suffixes)
        select new string(stem) + suffix;

    // ASCII text dense in the characters where word-break rules matter.
    private static readonly Gen<string> Texts =
        from parts in Gen.ArrayOf(Gen.Frequency(
            (6, Words),
            (3, Gen.Elements(" ", " ", ".", ",", "'", "-", "_", ":", ";", "/", "(", ")", "\"", "!", "?", "\n")),
            (2, Gen.Choose(0, 999).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            (1, Gen.Elements("The", "AND", "Isn't", "O'Neil's", "x-ray", "3.5", "1,000", "u.s.a.", "a_b", "_", "__x", "e.g.", "Mach2"))))
        select string.Concat(parts);

    [Property(MaxTest = 300)]
    public Property Porter_stemmer_matches_Lucene_on_generated_words() =>
        Prop.ForAll(Words.ToArbitrary(), word => PorterStemmer.Stem(word) == LuceneReference.Stem(word));

    [Property(MaxTest = 300)]
    public Property Analyzer_matches_Lucene_EnglishAnalyzer_on_generated_ascii_text() =>
        Prop.ForAll(Texts.ToArbitrary(), text =>
        {
            var analyzer = new TextAnalyzer(new TextAnalyzerOptions { KeepUrlsAndEmails = false });
            var ours = analyzer.Analyze(text);
            var lucene = LuceneReference.EnglishTerms(text);
            return ours.SequenceEqual(lucene)
                .Label($"text: {text}\nours:   [{string.Join(" | ", ours)}]\nlucene: [{string.Join(" | ", lucene)}]");
        });
}
