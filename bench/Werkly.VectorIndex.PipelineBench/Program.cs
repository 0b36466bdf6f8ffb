using System.Diagnostics;
using System.Globalization;
using Werkly.VectorIndex.Documents;
using Werkly.VectorIndex.Documents.Chunking;
using Werkly.VectorIndex.Documents.Extraction;
using Werkly.VectorIndex.Documents.Ingestion;
using Werkly.VectorIndex.Evaluation;
using Werkly.VectorIndex.PipelineBench;

// Pipeline overhead harness: ingest the Cranfield corpus (1,400 abstracts) through DocumentIngestor with a fake embedding
// model of fixed CPU cost, and compare with calling the same model directly on the same pre-chunked texts in the same
// batches ("raw embedding"). Runs are interleaved (raw, pipeline, raw, pipeline, …) so noise hits both; medians reported.
//
//   dotnet run -c Release --project bench/Werkly.VectorIndex.PipelineBench -- [--cost-us 500] [--threads 1] [--runs 5] [--batch 64] [--calls 1]
// --calls sets DocumentIngestorOptions.MaxConcurrentEmbeddingCalls (raw embedding always calls the model one batch at a time).
var costUs = Arg("--cost-us", 500.0);
var threads = (int)Arg("--threads", 1.0);
var runs = (int)Arg("--runs", 5.0);
var batchSize = (int)Arg("--batch", 64.0);
var concurrentCalls = (int)Arg("--calls", 1.0);

var root = FindRoot();
var cranfield = BeirDataset.Load(Path.Combine(root, "tests", "data", "cranfield"));
var documents = cranfield.Corpus.Select(d => SourceDocument.FromText(d.Id + ".txt", d.Title + "\n\n" + d.Text)).ToList();
var chunker = new FixedSizeChunker();
var texts = new List<string>();
foreach (var d in documents)
    texts.AddRange(chunker.Chunk(d.Id, await DocumentTextExtractor.Default.ExtractAsync(d)).Select(c => c.Text));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Cranfield: {documents.Count} documents, {texts.Count} chunks (fixed-size 1000/200); model cost {costUs} µs/chunk on {threads} thread(s); batch {batchSize}; {concurrentCalls} concurrent call(s); {runs} runs; {Environment.ProcessorCount} cores"));

var generator = new FixedCostEmbeddingGenerator(costUs, threads);
var free = new FixedCostEmbeddingGenerator(0, 1);
await RawAsync(generator); // warm-up
await PipelineAsync(generator);
await PipelineAsync(free);

var raw = new List<double>();
var pipe = new List<double>();
var embedShare = new List<double>();
var pureSeconds = new List<double>();
for (var r = 0; r < runs; r++)
{
    raw.Add(await RawAsync(generator));
    var (seconds, embedding) = await PipelineAsync(generator);
    pipe.Add(seconds);
    embedShare.Add(embedding / seconds);
    pureSeconds.Add((await PipelineAsync(free)).Seconds);
}

var ratios = raw.Zip(pipe, (a, b) => b / a).ToList();
Console.WriteLine();
Console.WriteLine("| measure | median |");
Console.WriteLine("| --- | --- |");
Row("raw embedding, s", Median(raw), "F3");
Row("pipeline (extract, hash, chunk, embed, write), s", Median(pipe), "F3");
Row("pipeline / raw (per-run ratio, median)", Median(ratios), "F3");
Row("share of pipeline wall time inside the model", Median(embedShare), "P1");
Row("pipeline documents/s with this model", documents.Count / Median(pipe), "F0");
Row("pipeline chunks/s with this model", texts.Count / Median(pipe), "F0");
Row("pipeline alone (zero-cost model) / raw embedding", Median(pureSeconds) / Median(raw), "P1");
Row("pipeline documents/s with a zero-cost model (pipeline alone)", documents.Count / Median(pureSeconds), "F0");
Row("pipeline chunks/s with a zero-cost model (pipeline alone)", texts.Count / Median(pureSeconds), "F0");
Console.WriteLine();
Console.WriteLine("per-run pipeline/raw ratios: " + string.Join(", ", ratios.Select(x => x.ToString("F3", CultureInfo.InvariantCulture))));
return;

async Task<double> RawAsync(FixedCostEmbeddingGenerator g)
{
    var sw = Stopwatch.StartNew();
    for (var i = 0; i < texts.Count; i += batchSize)
        _ = await g.GenerateAsync(texts.GetRange(i, Math.Min(batchSize, texts.Count - i)));
    return sw.Elapsed.TotalSeconds;
}

async Task<(double Seconds, double EmbeddingSeconds)> PipelineAsync(FixedCostEmbeddingGenerator g)
{
    var ingestor = new DocumentIngestor(g, new InMemoryChunkSink(), new DocumentIngestorOptions { EmbeddingBatchSize = batchSize, Chunker = chunker, MaxConcurrentEmbeddingCalls = concurrentCalls });
    var sw = Stopwatch.StartNew();
    var result = await ingestor.IngestAsync(documents, "cranfield");
    var seconds = sw.Elapsed.TotalSeconds;
    if (result.ChunksWritten != texts.Count)
        throw new InvalidOperationException($"pipeline wrote {result.ChunksWritten} chunks, expected {texts.Count}");
    return (seconds, result.EmbeddingTime.TotalSeconds);
}

static double Median(List<double> values)
{
    var s = values.Order().ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
}

static void Row(string name, double value, string format) =>
    Console.WriteLine($"| {name} | {value.ToString(format, CultureInfo.InvariantCulture)} |");

double Arg(string name, double fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Werkly.VectorIndex.sln")))
            return dir.FullName;
    }
    throw new InvalidOperationException("Werkly.VectorIndex.sln not found");
}
