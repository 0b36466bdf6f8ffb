using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Werkly.VectorIndex;

/// <summary>
/// The core's metrics and traces, named after the package (<c>Werkly.VectorIndex</c>) so that OpenTelemetry and
/// <c>dotnet-counters</c> pick them up by name. Recording without a listener costs a few nanoseconds and allocates nothing.
/// </summary>
internal static class IndexTelemetry
{
    public const string Name = "Werkly.VectorIndex";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Searches = Meter.CreateCounter<long>("werkly.index.searches", "{search}", "Vector searches run.");

    public static readonly Histogram<double> SearchDuration = Meter.CreateHistogram<double>("werkly.index.search.duration", "ms", "Time per vector search.");

    public static readonly Counter<long> RecordsWritten = Meter.CreateCounter<long>("werkly.index.records.written", "{record}", "Records upserted.");

    public static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>("werkly.index.commit.duration", "ms", "Time per durable commit.");

    public static readonly Histogram<double> TrainingDuration = Meter.CreateHistogram<double>("werkly.index.training.duration", "ms", "Time per retrain of one company's lists.");
}
