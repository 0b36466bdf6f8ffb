using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.QualityBench;

/// <summary>
/// BM25+ (Lv and Zhai 2011) over the same two fields and analysis as the index: each matching field adds
/// w · idf · ((k1 + 1) tf / (tf + k1 (1 − b + b · len/avglen)) + δ). A re-implementation, because BM25+ did not
/// become an index option; with δ = 0 it ranks exactly like <see cref="InvertedIndex"/> (checked at start-up).
/// </summary>
internal sealed class Bm25Plus
{
    private readonly Dictionary<string, int>[][] _tf;
    private readonly int[][] _lengths;
    private readonly double[] _average;
    private readonly Dictionary<string, List<int>>[] _postings = [new(StringComparer.Ordinal), new(StringComparer.Ordinal)];
    private readonly string[] _ids;

    public Bm25Plus(Collection collection)
    {
        var corpus = collection.Dataset.Corpus;
        _ids = [.. corpus.Select(d => d.Id)];
        _tf = [new Dictionary<string, int>[corpus.Count], new Dictionary<string, int>[corpus.Count]];
        _lengths = [new int[corpus.Count], new int[corpus.Count]];
        for (var d = 0; d < corpus.Count; d++)
        {
            string?[] fields = [corpus[d].Title, corpus[d].Text];
            for (var f = 0; f < 2; f++)
            {
                var terms = collection.Keywords.Analyzer.Analyze(fields[f]);
                _tf[f][d] = terms.GroupBy(t => t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
                _lengths[f][d] = terms.Count;
                foreach (var term in _tf[f][d].Keys)
                {
                    if (!_postings[f].TryGetValue(term, out var list)) _postings[f][term] = list = [];
                    list.Add(d);
                }
            }
        }
        _average = [_lengths[0].Average(), _lengths[1].Average()];
    }

    public string[] Search(IReadOnlyList<WeightedTerm> terms, double delta, int top, double k1 = 1.2, double b = 0.75)
    {
        var scores = new double[_ids.Length];
        double n = _ids.Length;
        foreach (var (term, weight) in terms)
        {
            for (var f = 0; f < 2; f++)
            {
                if (!_postings[f].TryGetValue(term, out var docs)) continue;
                var idf = Math.Log(1 + (n - docs.Count + 0.5) / (docs.Count + 0.5));
                foreach (var d in docs)
                {
                    double tf = _tf[f][d][term];
                    scores[d] += weight * idf * ((k1 + 1) * tf / (tf + k1 * (1 - b + b * _lengths[f][d] / _average[f])) + delta);
                }
            }
        }
        return [.. Enumerable.Range(0, _ids.Length).Where(d => scores[d] > 0)
            .OrderByDescending(d => scores[d]).ThenBy(d => _ids[d], StringComparer.Ordinal).Take(top).Select(d => _ids[d])];
    }
}
