using System.Diagnostics;
using Werkly.VectorIndex.Embeddings.Onnx;
using Werkly.VectorIndex.Evaluation;
using Werkly.VectorIndex.Hybrid;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.QualityBench;

/// <summary>Cranfield indexed once: BM25 over title and text, exact cosine over all-MiniLM-L6-v2 embeddings of
/// <c>title + " " + text</c> (as <c>werkly eval</c> indexes it) and, as a second vector side, over snowflake-arctic-embed-xs
/// embeddings of the same texts (queries with its prefix), and the judged queries with their embeddings.</summary>
internal sealed class Collection : IDisposable
{
    public const string Company = "c";
    public const int Depth = 100;

    private Collection(BeirDataset dataset, InvertedIndex keywords, WerklyIndex vectors, ReadOnlyMemory<float>[] queryVectors,
        WerklyIndex arcticVectors, ReadOnlyMemory<float>[] arcticQueryVectors)
    {
        Dataset = dataset;
        Keywords = keywords;
        Vectors = vectors;
        QueryVectors = queryVectors;
        ArcticVectors = arcticVectors;
        ArcticQueryVectors = arcticQueryVectors;
        Queries = [.. dataset.JudgedQueries];
        Texts = dataset.Corpus.ToDictionary(d => d.Id, d => ((string?)d.Title, (string?)d.Text), StringComparer.Ordinal);
    }

    public BeirDataset Dataset { get; }
    public InvertedIndex Keywords { get; }
    public WerklyIndex Vectors { get; }
    public ReadOnlyMemory<float>[] QueryVectors { get; }
    public WerklyIndex ArcticVectors { get; }
    public ReadOnlyMemory<float>[] ArcticQueryVectors { get; }
    public BeirQuery[] Queries { get; }
    public Dictionary<string, (string? Title, string? Body)> Texts { get; }

    /// <param name="directory">The BEIR folder.</param>
    /// <param name="cachePath">The MiniLM embedding cache, or null.</param>
    /// <param name="arcticCachePath">The arctic embedding cache, or null.</param>
    public static async Task<Collection> LoadAsync(string directory, string? cachePath, string? arcticCachePath)
    {
        var dataset = BeirDataset.Load(directory);
        var keywords = new InvertedIndex();
        keywords.UpsertRange(dataset.Corpus.Select(d => new KeywordDocument(d.Id, d.Title, d.Text)));
        var judged = dataset.JudgedQueries.ToArray();
        var (vectors, queries) = await EmbedAsync(dataset, judged, OnnxEmbeddingModel.AllMiniLmL6V2(), cachePath).ConfigureAwait(false);
        var (arcticVectors, arcticQueries) = await EmbedAsync(dataset, judged, OnnxEmbeddingModel.ArcticEmbedXsFromPackage(), arcticCachePath).ConfigureAwait(false);
        return new Collection(dataset, keywords, vectors, queries, arcticVectors, arcticQueries);
    }

    private static async Task<(WerklyIndex Vectors, ReadOnlyMemory<float>[] Queries)> EmbedAsync(BeirDataset dataset, BeirQuery[] judged,
        OnnxEmbeddingModel model, string? cachePath)
    {
        var cache = cachePath is null ? null : EmbeddingCache.LoadOrCreate(cachePath, 1L << 30);
        using var generator = new OnnxEmbeddingGenerator(model, new OnnxEmbeddingGeneratorOptions { Cache = cache });
        var clock = Stopwatch.StartNew();
        var documents = await generator.GenerateAsync(dataset.Corpus.Select(d => d.Title + " " + d.Text).ToArray(), EmbeddingInputKind.Document).ConfigureAwait(false);
        var queries = await generator.GenerateAsync(judged.Select(q => q.Text).ToArray(), EmbeddingInputKind.Query).ConfigureAwait(false);
        Console.Error.WriteLine($"{model.ModelId}: embedded {documents.Count} documents and {queries.Count} queries in {clock.Elapsed.TotalSeconds:F1} s");
        cache?.Save(cachePath!);
        var vectors = new WerklyIndex(new WerklyIndexOptions { Dimensions = generator.Dimensions, FlatSearchThreshold = int.MaxValue });
        vectors.Upsert(Company, [.. dataset.Corpus.Select((d, i) => new VectorRecord(d.Id, documents[i].Vector))]);
        return (vectors, [.. queries.Select(e => e.Vector)]);
    }

    public IReadOnlyList<RankedHit> Vector(int query, ReadOnlyMemory<float>? vector = null) =>
        [.. Vectors.Search(Company, (vector ?? QueryVectors[query]).Span, Depth).Select(h => new RankedHit(h.Key, h.Score))];

    public IReadOnlyList<RankedHit> Arctic(int query) =>
        [.. ArcticVectors.Search(Company, ArcticQueryVectors[query].Span, Depth).Select(h => new RankedHit(h.Key, h.Score))];

    public static IReadOnlyList<RankedHit> Ranked(IEnumerable<KeywordHit> hits) => [.. hits.Select(h => new RankedHit(h.Key, h.Score))];

    public IReadOnlyList<RankedHit> Bm25(int query, Bm25Options? scoring = null, TextAnalyzer? analyzer = null)
    {
        var terms = WeightedTerm.FromText(analyzer ?? Keywords.Analyzer, Queries[query].Text);
        return terms.Length == 0 ? [] : Ranked(Keywords.Search(terms, Depth, scoring));
    }

    public void Dispose()
    {
        Keywords.Dispose();
        Vectors.Dispose();
        ArcticVectors.Dispose();
    }
}
