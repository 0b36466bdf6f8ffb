using Microsoft.ML.OnnxRuntime;

namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>Settings of an <see cref="OnnxEmbeddingGenerator"/>: batching, threading and caching.</summary>
/// <remarks>
/// The generator copies these values when it is created; changing the object afterwards has no effect on it.
/// Thread safety: a plain settings object, not safe to change from several threads at once.
/// The defaults suit a small CPU box: micro-batches of at most 32 texts and 512 padded tokens (32 texts of 16 tokens,
/// or 2 of 256), one inference per core, each on one ONNX Runtime thread. Small micro-batches keep the activations in
/// the core's cache, balance the work across cores and keep the memory arena small; on paragraphs they measured 1.6×
/// the throughput of 2,048-token micro-batches, on short texts the same (docs/benchmarks/embeddings.md).
/// </remarks>
public sealed class OnnxEmbeddingGeneratorOptions
{
    /// <summary>The most texts in one micro-batch (one ONNX Runtime call). Default 32.</summary>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>
    /// The most padded tokens (texts × longest text) in one micro-batch. Bounds the attention buffers and so the peak
    /// memory of ONNX Runtime's arena. Default 512; at least <see cref="OnnxEmbeddingGenerator.MaxModelTokens"/>
    /// (a text always fits a micro-batch on its own).
    /// </summary>
    public int MaxBatchTokens { get; set; } = 512;

    /// <summary>
    /// How many micro-batches run at once across all callers of the generator. Default <see cref="Environment.ProcessorCount"/>.
    /// </summary>
    public int MaxConcurrentInferences { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// ONNX Runtime intra-op threads per inference. Default 1: parallelism comes from running micro-batches side by side,
    /// which is faster for small models than splitting one matrix product across cores. Raise it (and lower
    /// <see cref="MaxConcurrentInferences"/>) when single-text latency matters more than throughput.
    /// </summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>An embedding cache shared by all calls, or <see langword="null"/> (the default) for none.</summary>
    public EmbeddingCache? Cache { get; set; }

    // Session settings the benchmarks compare (docs/BENCHMARKS.md); the defaults measured best or no worse.
    internal GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    internal ExecutionMode ExecutionMode { get; set; } = ExecutionMode.ORT_SEQUENTIAL;

    internal bool EnableCpuMemArena { get; set; } = true;

    /// <summary>Where ONNX Runtime writes the graph it optimized (to inspect fusions), or <see langword="null"/>.</summary>
    internal string? OptimizedModelPath { get; set; }

    internal OnnxEmbeddingGeneratorOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchTokens, OnnxEmbeddingGenerator.MaxModelTokens, nameof(MaxBatchTokens));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentInferences, 1, nameof(MaxConcurrentInferences));
        ArgumentOutOfRangeException.ThrowIfLessThan(IntraOpThreads, 1, nameof(IntraOpThreads));
        return new OnnxEmbeddingGeneratorOptions
        {
            MaxBatchSize = MaxBatchSize,
            MaxBatchTokens = MaxBatchTokens,
            MaxConcurrentInferences = MaxConcurrentInferences,
            IntraOpThreads = IntraOpThreads,
            Cache = Cache,
            GraphOptimizationLevel = GraphOptimizationLevel,
            ExecutionMode = ExecutionMode,
            EnableCpuMemArena = EnableCpuMemArena,
            OptimizedModelPath = OptimizedModelPath,
        };
    }
}
