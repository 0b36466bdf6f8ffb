using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>
/// The package's <see cref="Meter"/> and <see cref="ActivitySource"/>, both named
/// <see cref="OnnxEmbeddingGenerator.TelemetrySourceName"/>; tags follow the OpenTelemetry GenAI conventions.
/// </summary>
internal static class EmbeddingTelemetry
{
    internal static readonly ActivitySource ActivitySource = new(OnnxEmbeddingGenerator.TelemetrySourceName);

    internal static readonly Meter Meter = new(OnnxEmbeddingGenerator.TelemetrySourceName);

    internal static readonly Counter<long> Texts =
        Meter.CreateCounter<long>("werkly.embeddings.texts", "{text}", "Texts embedded, cache hits included.");

    internal static readonly Counter<long> CacheHits =
        Meter.CreateCounter<long>("werkly.embeddings.cache.hits", "{text}", "Texts answered from the embedding cache.");

    internal static readonly Counter<long> Tokens =
        Meter.CreateCounter<long>("werkly.embeddings.tokens", "{token}", "Tokens run through the model ([CLS] and [SEP] included).");

    internal static readonly Histogram<double> MicroBatchDuration =
        Meter.CreateHistogram<double>("werkly.embeddings.micro_batch.duration", "s", "Time of one ONNX Runtime call on a micro-batch.");
}
