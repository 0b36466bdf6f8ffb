using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Tests.Text;

public class TextAnalyzerTests
{
    private static readonly TextAnalyzer Analyzer = TextAnalyzer.English;

    [Theory]
    [InlineData("The Quick brown foxes", "quick brown fox")]
    [InlineData("John's cars aren't O’Neil’s", "john car aren't o’neil")]
    [InlineData("x-ray pre-flight", "x rai pre flight")]
    [InlineData("pi is 3.14159, and 1,000,000 too", "pi 3.14159 1,000,000 too")]
    [InlineData("U.S.A. and e.g. a:b", "u.s.a e.g a:b")]
    [InlineData("snake_case and CamelCase", "snake_cas camelcas")]
    [InlineData("mach2 2nd 10km", "mach2 2nd 10km")]
    [InlineData("end. Start", "end start")]
    [InlineData("", "")]
    [InlineData("   ...   ", "")]
    public void Splits_lowercases_stops_and_stems(string text, string expected) =>
        Assert.Equal(expected, string.Join(' ', Analyzer.Analyze(text)));

    [Fact]
    public void Keeps_email_addresses_and_urls_whole()
    {
        Assert.Equal(["mail", "jane.doe+news@example.co.uk", "now"], Analyzer.Analyze("Mail Jane.Doe+news@Example.co.uk now"));
        Assert.Equal(["see", "https://example.com/a/b?q=1&x=y", "run"], Analyzer.Analyze("see https://example.com/a/b?q=1&x=y, running"));
        Assert.Equal(["www.werkly.io/docs", "wwwroot"], Analyzer.Analyze("(www.werkly.io/docs) wwwroot"));
        Assert.Equal(["user", "2", "3"], Analyzer.Analyze("user@ at 2@3"));
    }

    [Fact]
    public void Urls_split_into_words_when_asked()
    {
        var analyzer = new TextAnalyzer(new TextAnalyzerOptions { KeepUrlsAndEmails = false });
        Assert.Equal(["jane", "example.com"], analyzer.Analyze("jane@example.com"));
    }

    [Fact]
    public void Normalizes_compatibility_characters()
    {
        Assert.Equal(["file", "file"], Analyzer.Analyze("\uFB01le ｆｉｌｅ"));
        Assert.Equal(["m2"], Analyzer.Analyze("m²"));
        Assert.Equal(["\uFB01le"], new TextAnalyzer(new TextAnalyzerOptions { Normalization = TextNormalization.None }).Analyze("\uFB01le"));
    }

    [Fact]
    public void Handles_non_latin_scripts()
    {
        Assert.Equal(["größe", "straße"], new TextAnalyzer(new TextAnalyzerOptions { Stemming = TextStemming.None }).Analyze("GRÖSSE Straße".Replace("SS", "ß", StringComparison.Ordinal)));
        Assert.Equal(["東", "京", "tokyo"], Analyzer.Analyze("東京 Tokyo"));
        Assert.Equal(["café"], Analyzer.Analyze("Cafe\u0301"));
        Assert.Equal(["𐐨𐐨"], new TextAnalyzer(new TextAnalyzerOptions { Stemming = TextStemming.None }).Analyze("𐐀𐐨"));
    }

    [Theory]
    [InlineData("カタカナ 東京 ひらがな テスト_x")]
    [InlineData("Ελληνικά κείμενα και русский текст")]
    [InlineData("naïve café's résumé 2³ Ⅻ")]
    [InlineData("한국어 텍스트 abc한글")]
    [InlineData("x_ __ _ a__b 9_")]
    public void Matches_Lucene_on_non_ascii_scripts(string text) =>
        Assert.Equal(LuceneReference.EnglishTerms(text), new TextAnalyzer(new TextAnalyzerOptions { Normalization = TextNormalization.None }).Analyze(text));

    [Fact]
    public void Skips_tokens_longer_than_the_limit()
    {
        var analyzer = new TextAnalyzer(new TextAnalyzerOptions { MaxTokenLength = 5, Stemming = TextStemming.None });
        Assert.Equal(["short", "ok"], analyzer.Analyze("short toolong ok"));
    }

    [Fact]
    public void Configurable_stop_words_and_stemming()
    {
        var analyzer = new TextAnalyzer(new TextAnalyzerOptions { StopWords = new HashSet<string> { "quick" }, Stemming = TextStemming.None });
        Assert.Equal(["the", "foxes"], analyzer.Analyze("The quick foxes"));
    }

    [Fact]
    public void Rejects_bad_options()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextAnalyzer(new TextAnalyzerOptions { MaxTokenLength = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextAnalyzer(new TextAnalyzerOptions { Stemming = (TextStemming)9 }));
    }

    [Fact]
    public void Produces_the_same_terms_as_Lucene_EnglishAnalyzer_on_Cranfield()
    {
        var mismatches = new List<string>();
        foreach (var doc in Cranfield.Dataset.Corpus.Concat(Cranfield.Dataset.Queries.Select(q => new Evaluation.BeirDocument(q.Id, "", q.Text))))
        {
            var text = doc.Title + "\n" + doc.Text;
            var ours = Analyzer.Analyze(text);
            var lucene = LuceneReference.EnglishTerms(text);
            if (!ours.SequenceEqual(lucene))
                mismatches.Add($"{doc.Id}: ours [{string.Join(' ', ours.Except(lucene))}] lucene [{string.Join(' ', lucene.Except(ours))}]");
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} texts differ:\n" + string.Join("\n", mismatches.Take(15)));
    }
}
