using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Werkly.VectorIndex;

/// <summary>
/// The core's metrics and traces, named after the package (<c>Werkly.VectorIndex</c>) so that OpenTelemetry and
/// <c>dotnet-counters</c> pick them up by name. They follow the OpenTelemetry database conventions: durations in
/// seconds on <c>db.client.operation.duration</c>, tagged <c>db.system.name</c> = <c>werkly</c>,
/// <c>db.operation.name</c> and <c>db.collection.name</c> = the company; activities named "operation company".
/// Recording without a listener costs a few nanoseconds and allocates nothing.
/// </summary>
internal static class IndexTelemetry
{
    public const string Name = "Werkly.VectorIndex";

    /// <summary>The <c>db.system.name</c> of every measurement.</summary>
    public const string SystemName = "werkly";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Duration of every index operation, by operation and company.</summary>
    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>("db.client.operation.duration", "s",
        "Duration of index operations (search, write, commit, retrain, merge, refresh).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    /// <summary>Records written (upserted), by company.</summary>
    public static readonly Counter<long> RecordsWritten = Meter.CreateCounter<long>("werkly.index.records.written", "{record}", "Records upserted.");

    /// <summary>Starts the activity of an operation (null when nobody listens).</summary>
    public static Activity? Start(string operation, string? company)
    {
        if (!ActivitySource.HasListeners()) return null;
        var activity = ActivitySource.StartActivity(company is null ? operation : operation + " " + company, ActivityKind.Internal);
        if (activity is null) return null;
        activity.SetTag("db.system.name", SystemName);
        activity.SetTag("db.operation.name", operation);
        if (company is not null) activity.SetTag("db.collection.name", company);
        return activity;
    }

    /// <summary>Records an operation's duration since <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public static void Record(string operation, string? company, long startTimestamp)
    {
        if (!OperationDuration.Enabled) return;
        var tags = new TagList
        {
            { "db.system.name", SystemName },
            { "db.operation.name", operation },
        };
        if (company is not null) tags.Add("db.collection.name", company);
        OperationDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }

    /// <summary>Counts records written to <paramref name="company"/>.</summary>
    public static void Written(string company, int records)
    {
        if (RecordsWritten.Enabled && records > 0) RecordsWritten.Add(records, new KeyValuePair<string, object?>("db.collection.name", company));
    }
}
