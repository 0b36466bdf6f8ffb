using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace Werkly.VectorIndex.PipelineBench;

/// <summary>A fake embedding model with a fixed CPU cost per input: it burns a calibrated number of arithmetic iterations
/// (real work, so it slows down when the pipeline competes for the cores, as an ONNX model would) spread over
/// <c>threads</c> threads, then returns a deterministic vector.</summary>
internal sealed class FixedCostEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private static readonly Lazy<double> IterationsPerMicrosecond = new(Calibrate);
    private readonly long _iterationsPerInput;
    private readonly int _threads;
    private readonly int _dimensions;

    public FixedCostEmbeddingGenerator(double costMicrosecondsPerInput, int threads, int dimensions = 384)
    {
        _iterationsPerInput = (long)(costMicrosecondsPerInput * IterationsPerMicrosecond.Value);
        _threads = threads;
        _dimensions = dimensions;
    }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values as IReadOnlyList<string> ?? values.ToArray();
        var total = _iterationsPerInput * texts.Count;
        if (total > 0)
        {
            if (_threads == 1)
                Burn(total);
            else
                Parallel.For(0, _threads, new ParallelOptions { MaxDegreeOfParallelism = _threads }, _ => Burn(total / _threads));
        }
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Count);
        foreach (var text in texts)
        {
            var v = new float[_dimensions];
            v[(text.Length * 31) % _dimensions] = 1f;
            result.Add(new Embedding<float>(v));
        }
        return Task.FromResult(result);
    }

    private static float Sink;

    private static void Burn(long iterations)
    {
        var acc = 1f;
        for (long i = 0; i < iterations; i++)
            acc = acc * 0.9999999f + 1e-7f;
        Volatile.Write(ref Sink, acc);
    }

    private static double Calibrate()
    {
        Burn(2_000_000); // warm up the JIT
        var best = double.MaxValue;
        for (var r = 0; r < 5; r++)
        {
            var sw = Stopwatch.StartNew();
            Burn(20_000_000);
            best = Math.Min(best, sw.Elapsed.TotalMicroseconds);
        }
        return 20_000_000 / best;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("bench", null, "fixed-cost", _dimensions) : null;

    public void Dispose() { }
}
