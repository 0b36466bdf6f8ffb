using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Tests.Text;

public class PorterStemmerTests
{
    // Words that exercise each rule and the reference implementation's departures from the paper (bli, logi, short words).
    private static readonly string[] TrickyWords =
    [
        "caresses", "ponies", "ties", "caress", "cats", "feed", "agreed", "disabled", "matting", "mating", "meeting",
        "milling", "messing", "meetings", "plastered", "bled", "motoring", "sing", "conflated", "troubled", "sized",
        "hopping", "tanned", "falling", "hissing", "fizzed", "failing", "filing", "happy", "sky", "relational",
        "conditional", "rational", "valenci", "hesitanci", "digitizer", "conformabli", "radicalli", "differentli", "vileli",
        "analogousli", "vietnamization", "predication", "operator", "feudalism", "decisiveness", "hopefulness",
        "callousness", "formaliti", "sensitiviti", "sensibiliti", "triplicate", "formative", "formalize", "electriciti",
        "electrical", "hopeful", "goodness", "revival", "allowance", "inference", "airliner", "gyroscopic", "adjustable",
        "defensible", "irritant", "replacement", "adjustment", "dependent", "adoption", "homologou", "communism",
        "activate", "angulariti", "homologous", "effective", "bowdlerize", "probate", "rate", "cease", "controll", "roll",
        "generalizations", "oscillators", "archaeology", "analogy", "yyyy", "y", "ys", "is", "as", "ion", "aed", "eed",
        "oed", "sion", "tion", "ization", "abli", "enabling", "syllogism", "skies", "dying", "lying", "tying", "by",
        "ably", "agreement", "generously", "crying", "flies", "died", "spied", "queueing", "knitting", "obeying",
        "abbreviation", "1970s", "3.5", "don't", "o'neil", "u.s.a", "x", "xx", "xxx", "aaa", "ss", "sss", "ssses",
        "ies", "iess", "eeds", "ings", "inged", "bowlingly", "fullness", "allness", "eful", "alliance",
    ];

    [Fact]
    public void Matches_the_paper_examples()
    {
        Assert.Equal("caress", PorterStemmer.Stem("caresses"));
        Assert.Equal("poni", PorterStemmer.Stem("ponies"));
        Assert.Equal("hop", PorterStemmer.Stem("hopping"));
        Assert.Equal("relat", PorterStemmer.Stem("relational"));
        Assert.Equal("gener", PorterStemmer.Stem("generalizations"));
        Assert.Equal("oscil", PorterStemmer.Stem("oscillators"));
        Assert.Equal("is", PorterStemmer.Stem("is"));
    }

    [Fact]
    public void Matches_Lucene_on_tricky_words()
    {
        foreach (var word in TrickyWords)
            Assert.True(LuceneReference.Stem(word) == PorterStemmer.Stem(word), $"'{word}': Lucene '{LuceneReference.Stem(word)}', ours '{PorterStemmer.Stem(word)}'");
    }

    [Fact]
    public void Matches_Lucene_on_every_word_of_Cranfield()
    {
        var raw = new TextAnalyzer(new TextAnalyzerOptions { StopWords = null, Stemming = TextStemming.None, RemovePossessives = false });
        var vocabulary = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var doc in Cranfield.Dataset.Corpus)
        {
            foreach (var term in raw.Analyze(doc.Title + " " + doc.Text)) vocabulary.Add(term);
        }
        Assert.True(vocabulary.Count > 5000, $"vocabulary has only {vocabulary.Count} words");
        var mismatches = vocabulary.Where(w => LuceneReference.Stem(w) != PorterStemmer.Stem(w))
            .Select(w => $"{w}: lucene={LuceneReference.Stem(w)} ours={PorterStemmer.Stem(w)}").Take(20).ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void Stems_in_place_and_never_grows()
    {
        Span<char> word = "troubled".ToCharArray();
        var length = PorterStemmer.Stem(word);
        Assert.Equal("troubl", new string(word[..length]));
        Assert.Same("is", PorterStemmer.Stem("is"));
    }
}
