using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.TextBenchmarks;

/// <summary>The peer: Lucene.Net 4.8 BM25 in a RAMDirectory, EnglishAnalyzer, title and body fields, the query as SHOULD
/// term clauses over both fields.</summary>
internal sealed class LuceneIndex : IDisposable
{
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;
    private readonly RAMDirectory _directory = new();
    private readonly Analyzer _analyzer = new EnglishAnalyzer(Version);
    private readonly BM25Similarity _similarity;
    private DirectoryReader? _reader;
    private IndexSearcher? _searcher;

    public LuceneIndex(float k1 = 1.2f, float b = 0.75f) => _similarity = new BM25Similarity(k1, b);

    public void Build(IReadOnlyList<BeirDocument> corpus)
    {
        using (var writer = new IndexWriter(_directory, new IndexWriterConfig(Version, _analyzer) { Similarity = _similarity }))
        {
            foreach (var doc in corpus)
            {
                writer.AddDocument(new Document
                {
                    new StringField("id", doc.Id, Field.Store.YES),
                    new TextField("title", doc.Title, Field.Store.NO),
                    new TextField("body", doc.Text, Field.Store.NO),
                });
            }
            writer.Commit();
        }
        _reader = DirectoryReader.Open(_directory);
        _searcher = new IndexSearcher(_reader) { Similarity = _similarity };
    }

    /// <summary>Analyzes the query, builds the boolean query and collects the top hits (internal doc ids).</summary>
    public TopDocs Search(string text, int top)
    {
        var query = new BooleanQuery();
        using (var stream = _analyzer.GetTokenStream("body", new StringReader(text)))
        {
            var term = stream.AddAttribute<ICharTermAttribute>();
            stream.Reset();
            while (stream.IncrementToken())
            {
                var value = term.ToString();
                query.Add(new TermQuery(new Term("title", value)), Occur.SHOULD);
                query.Add(new TermQuery(new Term("body", value)), Occur.SHOULD);
            }
            stream.End();
        }
        return _searcher!.Search(query, top);
    }

    public List<string> SearchKeys(string text, int top) =>
        Search(text, top).ScoreDocs.Select(d => _searcher!.Doc(d.Doc).Get("id")).ToList();

    public void Dispose()
    {
        _reader?.Dispose();
        _analyzer.Dispose();
        _directory.Dispose();
    }
}
