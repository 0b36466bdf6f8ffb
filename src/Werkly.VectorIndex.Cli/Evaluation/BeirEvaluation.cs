using System.Diagnostics;
using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Documents;
using Werkly.VectorIndex.Documents.Ingestion;
using Werkly.VectorIndex.Embeddings.Onnx;
using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.Cli.Evaluation;

/// <summary>What a preparation step is doing, for progress bars.</summary>
/// <param name="Phase">"keyword index", "embedding corpus", "embedding queries", "chunking and embedding".</param>
/// <param name="Done">Items done so far.</param>
/// <param name="Total">Items in the phase.</param>
internal readonly record struct EvaluationProgress(string Phase, int Done, int Total);

/// <summary>One query's ranking and how long the search took.</summary>
/// <param name="QueryId">The query.</param>
/// <param name="Ranking">Document ids, best first (chunks already aggregated to documents).</param>
/// <param name="SearchTime">Time spent searching and fusing (the query's embedding excluded).</param>
internal sealed record QueryRun(string QueryId, IReadOnlyList<string> Ranking, TimeSpan SearchTime);

/// <summary>
/// Scores a BEIR-layout collection with the library's retrievers and fusion: the corpus is indexed as one company
/// (title and text as two BM25 fields; <c>title + " " + text</c> embedded for the vector side) — or, with chunking, cut
/// and embedded by the ingestion pipeline exactly as <c>werkly ingest</c> does and ranked per document — every judged
/// query is run, and the metrics of <see cref="RetrievalMetrics"/> are computed per query.
/// </summary>
/// <remarks>Preparation (indexing and embedding, once per model) happens once; any number of
/// <see cref="EvaluationSettings"/> can then be scored without re-embedding. Vector search is exact, so figures do not
/// depend on IVF training. Not thread-safe: use one instance from one thread.</remarks>
internal sealed class BeirEvaluation : IDisposable
{
    /// <summary>The company the corpus is indexed as.</summary>
    public const string CompanyId = "beir";

    /// <summary>How deep each side retrieves and each ranking goes (MAP@100 and Recall@100 need 100).</summary>
    public const int Depth = 100;

    private readonly BeirDataset _dataset;
    private readonly IReadOnlyList<IEmbeddingGenerator<string, Embedding<float>>> _generators;
    private readonly bool _chunked;
    // One index per model (each with the texts, so every index runs keyword, vector and hybrid searches); one with a
    // placeholder vector when only BM25 is scored.
    private readonly List<WerklyIndex> _indexes = [];
    private readonly List<ReadOnlyMemory<float>[]> _queryVectors = [];
    private int _records;
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
    public int Records => _records;

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

        _records = records.Count;
        for (var m = 0; m < Math.Max(1, _generators.Count); m++)
        {
            progress?.Report(new EvaluationProgress("index", 0, records.Count));
            var dimensions = _generators.Count == 0 ? 1 : records.Count > 0 ? records[0].Vectors[m].Length : queryVectors[m].FirstOrDefault().Length;
            // Exact search: a test collection is scored against the whole corpus, not an approximation of it.
            var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = Math.Max(1, dimensions), FlatSearchThreshold = int.MaxValue });
            _indexes.Add(index);
            ReadOnlyMemory<float> placeholder = new float[] { 1f };
            VectorRecord Of(Record r) => new(r.Key, _generators.Count == 0 ? placeholder : r.Vectors[m]) { Title = r.Title, Text = r.Body };
            if (_chunked)
            {
                // Chunks are written as their documents' records, so the index groups them by document (GroupByDocument).
                index.ReplaceDocuments(CompanyId, [.. records.GroupBy(r => r.Document, StringComparer.Ordinal)
                    .Select(g => new DocumentUpdate(g.Key, "eval", [.. g.Select(Of)]))], cancellationToken);
            }
            else index.Upsert(CompanyId, [.. records.Select(Of)], cancellationToken);
            progress?.Report(new EvaluationProgress("index", records.Count, records.Count));
        }
        _queryVectors.AddRange(queryVectors);
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
            var ranking = hits.Select(h => _chunked ? h.DocumentId! : h.Key).ToArray();
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
        foreach (var index in _indexes) index.Dispose();
    }

    /// <summary>One query through the index's own search (the product path): <see cref="Depth"/> results, each side
    /// retrieving <see cref="Depth"/> candidates; documents instead of chunks when chunked.</summary>
    private IReadOnlyList<SearchResult> Search(EvaluationSettings settings, int q, CancellationToken cancellationToken)
    {
        var side = settings.Mode == EvaluationMode.Bm25 ? 0 : settings.VectorSide;
        var query = new SearchQuery
        {
            Mode = settings.Mode switch { EvaluationMode.Bm25 => SearchMode.Keyword, EvaluationMode.Vector => SearchMode.Vector, _ => SearchMode.Hybrid },
            Text = _judged[q].Text,
            Vector = settings.Mode == EvaluationMode.Bm25 ? (ReadOnlyMemory<float>?)null : _queryVectors[side][q],
            Top = Depth,
            CandidatesPerSide = Depth,
            Fusion = settings.Fusion,
            Feedback = settings.Mode == EvaluationMode.Hybrid ? settings.Feedback : null,
            GroupByDocument = _chunked ? new DocumentGrouping { Scoring = settings.Aggregation, ChunksPerDocument = settings.ChunksPerDocument } : null,
        };
        // A query whose text analyzes to nothing still has a vector side; a keyword search of it finds nothing.
        if (query.Mode == SearchMode.Keyword && string.IsNullOrWhiteSpace(query.Text)) return [];
        return _indexes[side].Search(CompanyId, query, cancellationToken);
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
