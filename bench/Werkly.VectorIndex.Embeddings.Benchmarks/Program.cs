using BenchmarkDotNet.Running;
using Werkly.VectorIndex.Embeddings.Benchmarks;

// dotnet run -c Release --project bench/Werkly.VectorIndex.Embeddings.Benchmarks -- harness [rounds]   latency, memory, interleaved throughput
// dotnet run -c Release --project bench/Werkly.VectorIndex.Embeddings.Benchmarks -- --filter '*'      BenchmarkDotNet throughput
// dotnet run -c Debug   --project bench/Werkly.VectorIndex.Embeddings.Benchmarks -- smoke              each benchmark body once
// dotnet run -c Release --project bench/Werkly.VectorIndex.Embeddings.Benchmarks -- chunks cranfield|DIR [minilm|arctic]   truncated chunks by chunker
// dotnet run -c Release --project bench/Werkly.VectorIndex.Embeddings.Benchmarks -- session minilm ROUNDS   ONNX Runtime session options (int8)
// dotnet run -c Release --project bench/Werkly.VectorIndex.Embeddings.Benchmarks -- precision minilm|arctic [rounds] [quality|cosine]   float32 vs int8 (quality: cosine and Cranfield nDCG@10)
switch (args.FirstOrDefault())
{
    case "chunks":
        await ChunkStats.RunAsync(args[1], args.Length > 2 ? args[2] : "minilm");
        break;
    case "session":
        await PrecisionHarness.SessionOptionsAsync(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
        break;
    case "precision":
        await PrecisionHarness.RunAsync(args[1], args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 7, args.Contains("quality") || args.Contains("cosine"), args.Contains("quality"));
        break;
    case "harness":
        await Harness.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7);
        break;
    case "tune":
        await Harness.TuneAsync(Enum.Parse<TextKind>(args[1]), int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
        break;
    case "memory":
        await Harness.MeasureMemoryAsync(args[1]);
        break;
    case "smoke":
        foreach (var kind in Enum.GetValues<TextKind>())
        {
            var benchmarks = new ThroughputBenchmarks { Kind = kind };
            benchmarks.Setup();
            Console.WriteLine($"{kind}: {await benchmarks.Werkly_batched()} {await benchmarks.Werkly_one_at_a_time()} {benchmarks.SentenceTransformers_encode()}");
            benchmarks.Cleanup();
        }

        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(ThroughputBenchmarks).Assembly).Run(args);
        break;
}
