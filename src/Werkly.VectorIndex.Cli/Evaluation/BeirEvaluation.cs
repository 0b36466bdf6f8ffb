using System.Diagnostics;
using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Embeddings.Onnx;
using Werkly.VectorIndex.Evaluation;
using Werkly.VectorIndex.Hybrid;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Cli.Evaluation;

/// <summary>What a preparation step is doing, for progress bars.</summary>
/// <param name="Phase">"keyword index", "embedding corpus", "embedding queries", "vector index".</param>
/// <param name="Done">Items done so far.</param>
/// <param name="Total">Items in the phase.</param>
public readonly record struct EvaluationProgress(string Phase, int Done, int Total);

/// <summary>
/// Scores a BEIR-layout collection with the index's retrievers: the corpus is indexed as one company (title and text as
/// two BM25 fields; <c>title + " " + text</c> embedded for the vector side), every judged query is run, and the
/// standard metrics of <see cref="RetrievalMetrics"/> are averaged over the judged queries.
/// </summary>
/// <remarks>Preparation (indexing and embedding) happens once; <see cref="Evaluate"/> can then score any mode and
/// fusion setting without re-embedding. Not thread-safe: use one instance from one thread.</remarks>
public sealed class BeirEvaluation : IDisposable
{
    /// <summary>The company the corpus is indexed as.</summary>
    public const string CompanyId = "beir";

    /// <summary>How deep each ranking goes (MAP@100 and Recall@100 need 100).</summary>
    public const int Depth = 100;

    private readonly BeirDataset _dataset;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _generator;
    private readonly KeywordIndex _keywords = new();
    private WerklyIndex? _vectors;
    private Dictionary<string, ReadOnlyMemory<float>>? _queryVectors;
    private bool _keywordsReady;

    /// <summary>Creates an evaluation of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The collection.</param>
    /// <param name="generator">The embedding model for the vector and hybrid modes; null when only BM25 is scored.</param>
    public BeirEvaluation(BeirDataset dataset, IEmbeddingGenerator<string, Embedding<float>>? generator)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        _dataset = dataset;
        _generator = generator;
    }

    /// <summary>Time spent embedding the corpus and the queries during <see cref="PrepareAsync"/>.</summary>
    public TimeSpan EmbeddingTime { get; private set; }

    /// <summary>Builds what <paramref name="mode"/> needs (the keyword index; embeddings and the vector index), once.</summary>
    /// <param name="mode">The mode to prepare for.</param>
    /// <param name="progress">Progress per phase, or null.</param>
    /// <param name="cancellationToken">Cancels between embedding batches.</param>
    /// <exception cref="InvalidOperationException">A vector mode was asked for without a generator.</exception>
    public async Task PrepareAsync(EvaluationMode mode, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (mode != EvaluationMode.Vector && !_keywordsReady)
        {
            var corpus = _dataset.Corpus;
            progress?.Report(new EvaluationProgress("keyword index", 0, corpus.Count));
            _keywords.UpsertRange(CompanyId, corpus.Select(d => new KeywordDocument(d.Id, d.Title, d.Text)), cancellationToken);
            _keywordsReady = true;
            progress?.Report(new EvaluationProgress("keyword index", corpus.Count, corpus.Count));
        }
        if (mode != EvaluationMode.Bm25 && _vectors is null)
        {
            if (_generator is null)
                throw new InvalidOperationException($"Mode {mode} needs an embedding generator.");
            await EmbedAsync(progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Scores one mode over every judged query.</summary>
    /// <param name="mode">The retriever.</param>
    /// <param name="fusion">The fusion for <see cref="EvaluationMode.Hybrid"/>; null for <see cref="HybridDefaults.Fusion"/>. Its paging is ignored.</param>
    /// <param name="cancellationToken">Checked between queries.</param>
    /// <returns>The averaged metrics.</returns>
    /// <exception cref="InvalidOperationException"><see cref="PrepareAsync"/> has not run for this mode.</exception>
    public RetrievalScores Evaluate(EvaluationMode mode, FusionOptions? fusion = null, CancellationToken cancellationToken = default)
    {
        if ((mode != EvaluationMode.Vector && !_keywordsReady) || (mode != EvaluationMode.Bm25 && _vectors is null))
            throw new InvalidOperationException($"Call PrepareAsync({mode}) first.");
        var options = (fusion ?? HybridDefaults.Fusion) with { Skip = 0, Top = Depth, Explain = false };
        return RetrievalMetrics.Evaluate(_dataset, query =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            return mode switch
            {
                EvaluationMode.Bm25 => Keys(KeywordSide(query)(Depth, cancellationToken)),
                EvaluationMode.Vector => Keys(VectorSide(query)(Depth, cancellationToken)),
                _ => HybridSearch.Search(new HybridQuery(query.Text) { Fusion = options }, VectorSide(query), KeywordSide(query),
                    cancellationToken: cancellationToken).Select(h => h.Key).ToArray(),
            };
        });
    }

    /// <summary>Disposes the indexes.</summary>
    public void Dispose()
    {
        _keywords.Dispose();
        _vectors?.Dispose();
    }

    private HybridRetriever KeywordSide(BeirQuery query) => HybridSearch.Keyword(_keywords.Partition(CompanyId), query.Text);

    private HybridRetriever VectorSide(BeirQuery query) => (candidates, _) =>
    {
        var hits = _vectors!.Search(CompanyId, _queryVectors![query.Id].Span, candidates);
        var ranked = new RankedHit[hits.Length];
        for (var i = 0; i < hits.Length; i++) ranked[i] = new RankedHit(hits[i].Key, hits[i].Score);
        return ranked;
    };

    private static string[] Keys(IReadOnlyList<RankedHit> hits)
    {
        var keys = new string[hits.Count];
        for (var i = 0; i < keys.Length; i++) keys[i] = hits[i].Key;
        return keys;
    }

    private async Task EmbedAsync(IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        var corpus = _dataset.Corpus;
        var clock = Stopwatch.StartNew();
        var documentOptions = KindOptions("document");
        var records = new List<VectorRecord>(corpus.Count);
        const int batch = 128; // small enough for a smooth progress bar, large enough to keep both cores busy
        for (var start = 0; start < corpus.Count; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var slice = corpus.Skip(start).Take(batch).ToArray();
            var embeddings = await _generator!.GenerateAsync(slice.Select(d => d.Title + " " + d.Text), documentOptions, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < slice.Length; i++)
                records.Add(new VectorRecord(slice[i].Id, embeddings[i].Vector));
            progress?.Report(new EvaluationProgress("embedding corpus", start + slice.Length, corpus.Count));
        }

        var judged = _dataset.JudgedQueries.ToArray();
        var queryVectors = new Dictionary<string, ReadOnlyMemory<float>>(judged.Length, StringComparer.Ordinal);
        var queryOptions = KindOptions("query");
        for (var start = 0; start < judged.Length; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var slice = judged.Skip(start).Take(batch).ToArray();
            var embeddings = await _generator!.GenerateAsync(slice.Select(q => q.Text), queryOptions, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < slice.Length; i++)
                queryVectors[slice[i].Id] = embeddings[i].Vector;
            progress?.Report(new EvaluationProgress("embedding queries", start + slice.Length, judged.Length));
        }
        EmbeddingTime = clock.Elapsed;

        var dimensions = records.Count > 0 ? records[0].Vector.Length : queryVectors.Values.FirstOrDefault().Length;
        // Exact search: a BEIR test collection is scored against the whole corpus, not an approximation of it.
        var index = new WerklyIndex(new VectorIndexOptions { Dimensions = Math.Max(1, dimensions), FlatSearchThreshold = int.MaxValue });
        try
        {
            index.Upsert(CompanyId, records, cancellationToken);
        }
        catch
        {
            index.Dispose();
            throw;
        }
        _vectors = index;
        _queryVectors = queryVectors;
    }

    private static EmbeddingGenerationOptions KindOptions(string kind) => new()
    {
        AdditionalProperties = new AdditionalPropertiesDictionary { [OnnxEmbeddingGenerator.InputKindKey] = kind },
    };
}
