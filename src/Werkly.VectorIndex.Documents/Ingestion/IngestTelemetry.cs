using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Werkly.VectorIndex.Documents.Ingestion;

/// <summary>The names under which the pipeline publishes metrics (<see cref="Meter"/>) and traces (<see cref="ActivitySource"/>).</summary>
/// <remarks>
/// Instruments of the meter <see cref="Name"/>:
/// <list type="bullet">
/// <item><c>werkly.ingest.documents</c> (counter, <c>{document}</c>): documents finished, tagged <c>status</c> (ingested, unchanged, failed, deleted, …).</item>
/// <item><c>werkly.ingest.chunks</c> (counter, <c>{chunk}</c>): chunks embedded and written.</item>
/// <item>Both counters also carry the OpenTelemetry database tags of the core index: <c>db.system.name</c> = <c>werkly</c>
/// and <c>db.collection.name</c> = the company.</item>
/// <item><c>werkly.ingest.embedding.duration</c> (histogram, <c>s</c>): duration of each embedding call.</item>
/// </list>
/// Activities of the source <see cref="Name"/>: <c>werkly.ingest</c> per run and <c>werkly.ingest.embed</c> per embedding call.
/// Subscribe with OpenTelemetry's <c>AddMeter</c>/<c>AddSource</c> or a <see cref="MeterListener"/>. Thread-safe.
/// </remarks>
public static class IngestTelemetry
{
    /// <summary>The meter and activity source name: <c>Werkly.VectorIndex.Documents</c>.</summary>
    public const string Name = "Werkly.VectorIndex.Documents";

    internal static readonly ActivitySource Source = new(Name, typeof(IngestTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Meter Meter = new(Name, typeof(IngestTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> Documents = Meter.CreateCounter<long>(
        "werkly.ingest.documents", "{document}", "Documents finished by the ingestion pipeline, by status.");

    internal static readonly Counter<long> Chunks = Meter.CreateCounter<long>(
        "werkly.ingest.chunks", "{chunk}", "Chunks embedded and written by the ingestion pipeline.");

    internal static readonly KeyValuePair<string, object?> SystemTag = new("db.system.name", "werkly");

    internal static KeyValuePair<string, object?> Collection(string companyId) => new("db.collection.name", companyId);

    internal static readonly Histogram<double> EmbeddingDuration = Meter.CreateHistogram<double>(
        "werkly.ingest.embedding.duration", "s", "Duration of one embedding generator call.");
}
