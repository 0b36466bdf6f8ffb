using System.Diagnostics;
using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Documents;
using Werkly.VectorIndex.Documents.Ingestion;
using Werkly.VectorIndex.Embeddings.Onnx;
using Werkly.VectorIndex.Evaluation;
using Werkly.VectorIndex.Hybrid;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Cli.Evaluation;

/// <summary>What a preparation step is doing, for progress bars.</summary>
/// <param name="Phase">"keyword index", "embedding corpus", "embedding queries", "chunking and embedding".</param>
/// <param name="Done">Items done so far.</param>
/// <param name="Total">Items in the phase.</param>
public readonly record struct EvaluationProgress(string Phase, int Done, int Total);

/// <summary>One query's ranking and how long the search took.</summary>
/// <param name="QueryId">The query.</param>
/// <param name="Ranking">Document ids, best first (chunks already aggregated to documents).</param>
/// <param name="SearchTime">Time spent searching and fusing (the query's embedding excluded).</param>
public sealed record QueryRun(string QueryId, IReadOnlyList<string> Ranking, TimeSpan SearchTime);

/// <summary>
/// Scores a BEIR-layout collection with the library's retrievers and fusion: the corpus is indexed as one company
/// (title and text as two BM25 fields; <c>title + " " + text</c> embedded for the vector side) — or, with chunking, cut
/// and embedded by the ingestion pipeline exactly as <c>werkly ingest</c> does and ranked per document — every judged
/// query is run, and the metrics of <see cref="RetrievalMetrics"/> are computed per query.
/// </summary>
/// <remarks>Preparation (indexing and embedding, once per model) happens once; any number of
/// <see cref="EvaluationSettings"/> can then be scored without re-embedding. Vector search is exact, so figures do not
/// depend on IVF training. Not thread-safe: use one instance from one thread.</remarks>
public sealed class BeirEvaluation : IDisposable
{
    /// <summary>The company the corpus is indexed as.</summary>
    public const string CompanyId = "beir";

    /// <summary>How deep each side retrieves and each ranking goes (MAP@100 and Recall@100 need 100).</summary>
    public const int Depth = 100;

    private readonly BeirDataset _dataset;
    private readonly IReadOnlyList<IEmbeddingGenerator<string, Embedding<float>>> _generators;
    private readonly bool _chunked;
    private readonly InvertedIndex _keywords = new();
    private readonly List<Side> _sides = [];
    private readonly Dictionary<string, (string? Title, string? Body, string Document)> _records = new(StringComparer.Ordinal);
    private BeirQuery[] _judged = [];
    private bool _prepared;

    /// <summary>Creates an evaluation of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The collection.</param>
    /// <param name="generators">The embedding models, one vector side each (none when only BM25 is scored).</param>
    /// <param name="chunked">Cut documents into chunks with the ingestion pipeline (fixed-size chunker, as
    /// <c>werkly ingest</c>) and rank documents by their chunks; for collections of long documents.</param>
    public BeirEvaluation(BeirDataset dataset, IReadOnlyList<IEmbeddingGenerator<string, Embedding<float>>> generators, bool chunked = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(generators);
        _dataset = dataset;
        _generators = generators;
        _chunked = chunked;
    }

    /// <summary>The collection.</summary>
    public BeirDataset Dataset => _dataset;

    /// <summary>How many models (vector sides) are loaded.</summary>
    public int Models => _generators.Count;

    /// <summary>How many records are indexed (documents, or chunks when chunked).</summary>
    public int Records => _records.Count;

    /// <summary>Time spent embedding the corpus and the queries during <see cref="PrepareAsync"/>.</summary>
    public TimeSpan EmbeddingTime { get; private set; }

    /// <summary>Builds the keyword index and, per model, embeds the corpus (or its chunks) and the judged queries.</summary>
    /// <param name="progress">Progress per phase, or null.</param>
    /// <param name="cancellationToken">Cancels between embedding batches.</param>
    public async Task PrepareAsync(IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (_prepared) return;
        _judged = [.. _dataset.JudgedQueries];
        var clock = Stopwatch.StartNew();
        var records = _chunked ? await ChunkAsync(progress, cancellationToken).ConfigureAwait(false) : await EmbedDocumentsAsync(progress, cancellationToken).ConfigureAwait(false);
        var queryVectors = new List<ReadOnlyMemory<float>[]>();
        for (var m = 0; m < _generators.Count; m++)
        {
            var embedded = new ReadOnlyMemory<float>[_judged.Length];
            const int batch = 128;
            for (var start = 0; start < _judged.Length; start += batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var slice = _judged.Skip(start).Take(batch).ToArray();
                var embeddings = await _generators[m].GenerateAsync(slice.Select(q => q.Text), KindOptions("query"), cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < slice.Length; i++) embedded[start + i] = embeddings[i].Vector;
                progress?.Report(new EvaluationProgress("embedding queries", start + slice.Length, _judged.Length));
            }
            queryVectors.Add(embedded);
        }
        EmbeddingTime = clock.Elapsed;

        progress?.Report(new EvaluationProgress("keyword index", 0, records.Count));
        _keywords.UpsertRange(records.Select(r => new KeywordDocument(r.Key, r.Title, r.Body)), cancellationToken);
        foreach (var r in records) _records[r.Key] = (r.Title, r.Body, r.Document);
        progress?.Report(new EvaluationProgress("keyword index", records.Count, records.Count));
        for (var m = 0; m < _generators.Count; m++)
        {
            var dimensions = records.Count > 0 ? records[0].Vectors[m].Length : queryVectors[m].FirstOrDefault().Length;
            // Exact search: a test collection is scored against the whole corpus, not an approximation of it.
            var index = new WerklyIndex(new VectorIndexOptions { Dimensions = Math.Max(1, dimensions), FlatSearchThreshold = int.MaxValue });
            _sides.Add(new Side(this, index, queryVectors[m]));
            index.Upsert(CompanyId, [.. records.Select(r => new VectorRecord(r.Key, r.Vectors[m]))], cancellationToken);
        }
        _prepared = true;
    }

    /// <summary>Runs every judged query with <paramref name="settings"/>.</summary>
    /// <returns>One run per judged query, in the dataset's order.</returns>
    /// <exception cref="InvalidOperationException"><see cref="PrepareAsync"/> has not run.</exception>
    /// <exception cref="ArgumentException">The settings need a model that is not loaded.</exception>
    public IReadOnlyList<QueryRun> Run(EvaluationSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!_prepared) throw new InvalidOperationException("Call PrepareAsync first.");
        settings.Validate(_generators.Count);
        var runs = new QueryRun[_judged.Length];
        for (var q = 0; q < _judged.Length; q++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var hits = Search(settings, q, cancellationToken);
            var ranking = _chunked
                ? DocumentAggregation.Group(hits, h => _records[h.Key].Document, h => h.Score, settings.Aggregation, settings.ChunksPerDocument)
                    .Select(g => g.DocumentId).ToArray()
                : hits.Select(h => h.Key).ToArray();
            runs[q] = new QueryRun(_judged[q].Id, ranking, clock.Elapsed);
        }
        return runs;
    }

    /// <summary>Scores <paramref name="settings"/> per judged query.</summary>
    public IReadOnlyList<QueryScores> EvaluatePerQuery(EvaluationSettings settings, CancellationToken cancellationToken = default) =>
        [.. Run(settings, cancellationToken).Select(r => RetrievalMetrics.Score(r.QueryId, r.Ranking, _dataset.Judgments[r.QueryId]))];

    /// <summary>Scores <paramref name="settings"/>, averaged over the judged queries.</summary>
    public RetrievalScores Evaluate(EvaluationSettings settings, CancellationToken cancellationToken = default) =>
        RetrievalMetrics.Mean(EvaluatePerQuery(settings, cancellationToken));

    /// <summary>Share of the runs whose first document is judged relevant (success@1).</summary>
    public double SuccessAt1(IReadOnlyList<QueryRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) return 0;
        return runs.Count(r => r.Ranking.Count > 0 && _dataset.Judgments[r.QueryId].TryGetValue(r.Ranking[0], out var gain) && gain > 0) / (double)runs.Count;
    }

    /// <summary>The median time to embed one query with model <paramref name="model"/>, embedding up to
    /// <paramref name="queries"/> judged queries one call at a time (as a search does).</summary>
    public async Task<TimeSpan> MedianQueryEmbeddingTimeAsync(int model, int queries, CancellationToken cancellationToken = default)
    {
        var times = new List<TimeSpan>();
        foreach (var query in _dataset.JudgedQueries.Take(queries))
        {
            var clock = Stopwatch.StartNew();
            // A varying suffix defeats an embedding cache, which would otherwise answer from memory.
            await _generators[model].GenerateAsync([query.Text + " " + times.Count], KindOptions("query"), cancellationToken).ConfigureAwait(false);
            times.Add(clock.Elapsed);
        }
        return Median(times);
    }

    /// <summary>The median of some durations (zero for none).</summary>
    public static TimeSpan Median(IEnumerable<TimeSpan> times)
    {
        var sorted = times.Order().ToArray();
        if (sorted.Length == 0) return TimeSpan.Zero;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Disposes the indexes.</summary>
    public void Dispose()
    {
        _keywords.Dispose();
        foreach (var side in _sides) side.Index.Dispose();
    }

    private IReadOnlyList<RankedHit> Search(EvaluationSettings settings, int q, CancellationToken cancellationToken)
    {
        var text = _judged[q].Text;
        var fusion = settings.Fusion with { Skip = 0, Top = Depth, MinScore = null, Explain = false };
        switch (settings.Mode)
        {
            case EvaluationMode.Bm25:
                var terms = WeightedTerm.FromText(_keywords.Analyzer, text);
                return terms.Length == 0 ? [] : HybridSearch.ToRankedHits(_keywords.Search(terms, Depth, null, cancellationToken));
            case EvaluationMode.Vector:
                var side = _sides[settings.VectorSide];
                return side.Source.SearchVector(side.QueryVectors[q], Depth, cancellationToken);
        }
        if (settings.SideWeights is { } weights)
        {
            var lists = new List<IReadOnlyList<RankedHit>>();
            foreach (var s in _sides) lists.Add(s.Source.SearchVector(s.QueryVectors[q], Depth, cancellationToken));
            var analyzed = WeightedTerm.FromText(_keywords.Analyzer, text);
            lists.Add(analyzed.Length == 0 ? [] : HybridSearch.ToRankedHits(_keywords.Search(analyzed, Depth, null, cancellationToken)));
            return ScoreFusion.FuseLists(lists, weights, fusion.Method, fusion.RrfK, Depth);
        }
        var vectorSide = _sides[settings.VectorSide];
        var query = new HybridQuery(text) { Vector = vectorSide.QueryVectors[q], Fusion = fusion, CandidatesPerSide = Depth, Feedback = settings.Feedback };
        return [.. HybridSearch.Search(query, vectorSide.Source, cancellationToken: cancellationToken).Select(h => new RankedHit(h.Key, h.Score))];
    }

    private async Task<List<Record>> EmbedDocumentsAsync(
        IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        var corpus = _dataset.Corpus;
        var vectors = corpus.Select(_ => new ReadOnlyMemory<float>[_generators.Count]).ToArray();
        for (var m = 0; m < _generators.Count; m++)
        {
            const int batch = 128; // small enough for a smooth progress bar, large enough to keep both cores busy
            for (var start = 0; start < corpus.Count; start += batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var slice = corpus.Skip(start).Take(batch).ToArray();
                var embeddings = await _generators[m].GenerateAsync(slice.Select(d => d.Title + " " + d.Text), KindOptions("document"), cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < slice.Length; i++) vectors[start + i][m] = embeddings[i].Vector;
                progress?.Report(new EvaluationProgress("embedding corpus", start + slice.Length, corpus.Count));
            }
        }
        return [.. corpus.Select((d, i) => new Record(d.Id, d.Id, d.Title, d.Text, vectors[i]))];
    }

    /// <summary>Chunks and embeds the corpus through <see cref="DocumentIngestor"/> (default chunker and settings, as
    /// <c>werkly ingest</c>), once per model; chunks become records with their text as the body and no title.</summary>
    private async Task<List<Record>> ChunkAsync(
        IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        var sources = _dataset.Corpus.Select(d => SourceDocument.FromText(d.Id,
            string.IsNullOrEmpty(d.Title) || d.Text.Contains(d.Title, StringComparison.Ordinal) ? d.Text : d.Title + "\n\n" + d.Text,
            Path.HasExtension(d.Id) ? Path.GetFileName(d.Id) : d.Id + ".txt")).ToList();
        var chunks = new Dictionary<string, (string Document, string Body, ReadOnlyMemory<float>[] Vectors)>(StringComparer.Ordinal);
        var models = Math.Max(1, _generators.Count);
        for (var m = 0; m < models; m++)
        {
            var sink = new InMemoryChunkSink();
            var generator = _generators.Count > 0 ? _generators[m] : new NoEmbeddings();
            var ingestor = new DocumentIngestor(generator, sink, new DocumentIngestorOptions { EmbeddingOptions = KindOptions("document") });
            progress?.Report(new EvaluationProgress("chunking and embedding", 0, sources.Count));
            await ingestor.IngestAsync(sources, CompanyId, null, cancellationToken).ConfigureAwait(false);
            foreach (var id in sink.GetDocumentIds(CompanyId))
            {
                foreach (var chunk in sink.GetDocument(CompanyId, id)!.Chunks)
                {
                    if (!chunks.TryGetValue(chunk.Chunk.Key, out var entry))
                        chunks[chunk.Chunk.Key] = entry = (id, chunk.Chunk.Text, new ReadOnlyMemory<float>[_generators.Count]);
                    if (_generators.Count > 0) entry.Vectors[m] = chunk.Vector;
                }
            }
            progress?.Report(new EvaluationProgress("chunking and embedding", sources.Count, sources.Count));
        }
        return [.. chunks.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new Record(c.Key, c.Value.Document, null, c.Value.Body, c.Value.Vectors))];
    }

    private readonly record struct Record(string Key, string Document, string? Title, string Body, ReadOnlyMemory<float>[] Vectors);

    private static EmbeddingGenerationOptions KindOptions(string kind) => new()
    {
        AdditionalProperties = new AdditionalPropertiesDictionary { [OnnxEmbeddingGenerator.InputKindKey] = kind },
    };

    /// <summary>One model's vector side together with the shared keyword index and texts: what
    /// <see cref="HybridSearch"/> runs against.</summary>
    private sealed class Side(BeirEvaluation owner, WerklyIndex index, ReadOnlyMemory<float>[] queryVectors)
    {
        public WerklyIndex Index { get; } = index;

        public ReadOnlyMemory<float>[] QueryVectors { get; } = queryVectors;

        public HybridSearchSource Source { get; } = new(index, CompanyId, owner._keywords,
            key => owner._records.TryGetValue(key, out var record) ? (record.Title, record.Body) : null);
    }

    /// <summary>Chunking without a model (BM25 only): every chunk gets a one-dimensional placeholder vector.</summary>
    private sealed class NoEmbeddings : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
            CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(new float[] { 1 }))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
