using System.Diagnostics.Metrics;

namespace Werkly.VectorIndex.Tests.Partitions;

public class TelemetryTests
{
    [Fact]
    public void Searches_writes_and_commits_are_measured_under_the_package_meter_by_the_database_conventions()
    {
        long searches = 0, written = 0, commits = 0, badTags = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Werkly.VectorIndex") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "werkly.index.records.written" && Tag(tags, "db.collection.name") == "telemetry-co") Interlocked.Add(ref written, value);
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name != "db.client.operation.duration") return;
            // Seconds: nothing here takes a minute, and none takes less than a nanosecond.
            if (instrument.Unit != "s" || value is <= 0 or > 60 || Tag(tags, "db.system.name") != "werkly") Interlocked.Increment(ref badTags);
            var operation = Tag(tags, "db.operation.name");
            if (operation == "search" && Tag(tags, "db.collection.name") == "telemetry-co") Interlocked.Increment(ref searches);
            if (operation == "commit") Interlocked.Increment(ref commits);
        });
        listener.Start();

        using var temp = new Storage.TempDirectory("telemetry");
        using var index = WerklyIndex.Open(temp.Path, new WerklyIndexOptions { Dimensions = 2 });
        var before = Interlocked.Read(ref searches);
        index.Upsert("telemetry-co", [new VectorRecord("a", new float[] { 1, 0 }), new VectorRecord("b", new float[] { 0, 1 })]);
        index.Search("telemetry-co", [1, 0], 1);
        index.Search("telemetry-co", [0, 1], 1);
        index.Commit();
        // Other tests may search in parallel; this test's own two searches and two records must be counted.
        Assert.True(Interlocked.Read(ref searches) - before >= 2);
        Assert.True(Interlocked.Read(ref written) >= 2);
        Assert.True(Interlocked.Read(ref commits) >= 1);
        Assert.Equal(0, Interlocked.Read(ref badTags));
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name) return tag.Value as string;
        }
        return null;
    }
}
