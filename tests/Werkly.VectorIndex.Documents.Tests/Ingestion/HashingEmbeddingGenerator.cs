using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Werkly.VectorIndex.Documents.Tests.Ingestion;

/// <summary>A deterministic fake embedding model: hashed bag of words, L2-normalized. Records every call; can delay,
/// wait on a gate, or fail, to exercise the pipeline's concurrency and error paths.</summary>
internal sealed class HashingEmbeddingGenerator(int dimensions = 32) : IEmbeddingGenerator<string, Embedding<float>>
{
    public int Dimensions { get; } = dimensions;
    public TimeSpan DelayPerBatch { get; init; }
    public SemaphoreSlim? Gate { get; init; }
    public Func<int, IReadOnlyList<string>, int?>? DimensionsOverride { get; init; }
    public string ModelId { get; init; } = "hashed-bow";

    /// <summary>Called with the 1-based call number before embedding (e.g. to cancel the run at a chosen call).</summary>
    public Action<int>? OnCall { get; init; }

    public ConcurrentQueue<string[]> Calls { get; } = new();
    public int MaxConcurrentCalls => _maxConcurrent;
    private int _concurrent, _maxConcurrent;
    public int InputCount => Calls.Sum(c => c.Length);

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToArray();
        Calls.Enqueue(texts);
        OnCall?.Invoke(Calls.Count);
        var now = Interlocked.Increment(ref _concurrent);
        for (var seen = _maxConcurrent; now > seen; seen = _maxConcurrent)
            Interlocked.CompareExchange(ref _maxConcurrent, now, seen);
        try
        {
            if (Gate is not null)
                await Gate.WaitAsync(cancellationToken);
            if (DelayPerBatch > TimeSpan.Zero)
                await Task.Delay(DelayPerBatch, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            Interlocked.Decrement(ref _concurrent);
        }
        var dims = DimensionsOverride?.Invoke(Calls.Count, texts) ?? options?.Dimensions ?? Dimensions;
        return new GeneratedEmbeddings<Embedding<float>>(texts.Select(t => new Embedding<float>(Embed(t, dims))));
    }

    public static float[] Embed(string text, int dimensions)
    {
        var v = new float[dimensions];
        foreach (var word in text.ToLowerInvariant().Split(' ', '\n', '\t', '.', ',', ';', ':', '#'))
        {
            if (word.Length == 0)
                continue;
            var h = 2166136261u;
            foreach (var c in word)
                h = (h ^ c) * 16777619u;
            v[h % (uint)dimensions] += (h & 0x80000000) != 0 ? 1f : -1f;
        }
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        if (norm > 0)
        {
            for (var i = 0; i < v.Length; i++)
                v[i] /= norm;
        }
        return v;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("fake", null, ModelId, Dimensions) : null;

    public void Dispose() { }
}

/// <summary>An IProgress that records reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
internal sealed class RecordingProgress<T>(Action<T>? onReport = null) : IProgress<T>
{
    private readonly List<T> _reports = [];

    public IReadOnlyList<T> Reports
    {
        get { lock (_reports) return [.. _reports]; }
    }

    public void Report(T value)
    {
        lock (_reports)
            _reports.Add(value);
        onReport?.Invoke(value);
    }
}
