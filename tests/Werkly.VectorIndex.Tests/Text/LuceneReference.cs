using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;

namespace Werkly.VectorIndex.Tests.Text;

/// <summary>Lucene.Net's analysis, used only as the reference our analyzer and stemmer are checked against.</summary>
internal static class LuceneReference
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    private static readonly Analyzer PorterOnly = Analyzer.NewAnonymous((_, reader) =>
    {
        var source = new KeywordTokenizer(reader);
        return new TokenStreamComponents(source, new PorterStemFilter(source));
    });

    private static readonly Analyzer English = new EnglishAnalyzer(Version);

    public static string Stem(string word) => Tokens(PorterOnly, word).Single();

    public static List<string> EnglishTerms(string text) => Tokens(English, text);

    private static List<string> Tokens(Analyzer analyzer, string text)
    {
        lock (analyzer)
        {
            var terms = new List<string>();
            using var stream = analyzer.GetTokenStream("f", new StringReader(text));
            var term = stream.AddAttribute<ICharTermAttribute>();
            stream.Reset();
            while (stream.IncrementToken()) terms.Add(term.ToString());
            stream.End();
            return terms;
        }
    }
}
