using System.Diagnostics.Metrics;

namespace Werkly.VectorIndex.Cli.Serve;

/// <summary>The meter of <c>werkly serve</c> (<see cref="Name"/>): requests accepted into and refused by the ingest
/// queue, and searches refused by the search limiter. The queue's depth and bytes are observable gauges registered with the server.</summary>
internal static class ServeTelemetry
{
    /// <summary>The meter's name.</summary>
    public const string Name = "Werkly.VectorIndex.Serve";

    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Accepted = Meter.CreateCounter<long>("werkly.serve.jobs.accepted", "{job}", "Upload and delete requests accepted into the ingest queue.");

    public static readonly Counter<long> Rejected = Meter.CreateCounter<long>("werkly.serve.jobs.rejected", "{job}", "Requests refused with 503 because the ingest queue was full.");

    public static readonly Counter<long> SearchesRejected = Meter.CreateCounter<long>("werkly.serve.searches.rejected", "{request}",
        "Searches refused with 503 because every search slot was busy and the search queue was full.");

    /// <summary>Registers the queue gauges of one server.</summary>
    public static void Observe(IngestJobs jobs)
    {
        Meter.CreateObservableGauge("werkly.serve.queue.depth", () => jobs.Status.Queued + jobs.Status.Processing, "{job}", "Requests queued or in the pipeline.");
        Meter.CreateObservableGauge("werkly.serve.queue.bytes", () => jobs.QueuedBytes, "By", "Uploaded bytes waiting for ingestion.");
    }
}
