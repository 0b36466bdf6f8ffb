using Lucene.Net.Analysis.En;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.Tests.Text;

/// <summary>Lucene.Net BM25 over a BEIR corpus (EnglishAnalyzer, RAMDirectory, SHOULD term clauses): the reference.</summary>
internal sealed class LuceneBm25 : IDisposable
{
    private readonly RAMDirectory _directory = new();
    private readonly EnglishAnalyzer _analyzer = new(LuceneReference.Version);
    private readonly DirectoryReader _reader;
    private readonly IndexSearcher _searcher;
    private readonly bool _twoFields;

    public LuceneBm25(IEnumerable<BeirDocument> corpus, bool twoFields, float k1 = 1.2f, float b = 0.75f)
    {
        _twoFields = twoFields;
        var similarity = new BM25Similarity(k1, b);
        using (var writer = new IndexWriter(_directory, new IndexWriterConfig(LuceneReference.Version, _analyzer) { Similarity = similarity }))
        {
            foreach (var doc in corpus)
            {
                var document = new Document { new StringField("id", doc.Id, Field.Store.YES) };
                if (twoFields)
                {
                    document.Add(new TextField("title", doc.Title, Field.Store.NO));
                    document.Add(new TextField("body", doc.Text, Field.Store.NO));
                }
                else
                {
                    document.Add(new TextField("body", doc.Title + "\n" + doc.Text, Field.Store.NO));
                }
                writer.AddDocument(document);
            }
            writer.Commit();
        }
        _reader = DirectoryReader.Open(_directory);
        _searcher = new IndexSearcher(_reader) { Similarity = similarity };
    }

    public List<string> Search(string text, int top)
    {
        var query = new BooleanQuery();
        foreach (var term in LuceneReference.EnglishTerms(text))
        {
            if (_twoFields) query.Add(new TermQuery(new Term("title", term)), Occur.SHOULD);
            query.Add(new TermQuery(new Term("body", term)), Occur.SHOULD);
        }
        return _searcher.Search(query, top).ScoreDocs.Select(d => _searcher.Doc(d.Doc).Get("id")).ToList();
    }

    public void Dispose()
    {
        _reader.Dispose();
        _analyzer.Dispose();
        _directory.Dispose();
    }
}
