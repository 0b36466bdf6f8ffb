using System.Diagnostics.Metrics;

namespace Werkly.VectorIndex.Tests.Partitions;

public class TelemetryTests
{
    [Fact]
    public void Searches_writes_and_commits_are_measured_under_the_package_meter()
    {
        long searches = 0, written = 0, commits = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Werkly.VectorIndex") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "werkly.index.searches") Interlocked.Add(ref searches, value);
            if (instrument.Name == "werkly.index.records.written") Interlocked.Add(ref written, value);
        });
        listener.SetMeasurementEventCallback<double>((instrument, _, _, _) =>
        {
            if (instrument.Name == "werkly.index.commit.duration") Interlocked.Increment(ref commits);
        });
        listener.Start();

        using var temp = new Storage.TempDirectory("telemetry");
        using var index = WerklyIndex.Open(temp.Path, new VectorIndexOptions { Dimensions = 2 });
        var before = Interlocked.Read(ref searches);
        index.Upsert("telemetry-co", [new VectorRecord("a", new float[] { 1, 0 }), new VectorRecord("b", new float[] { 0, 1 })]);
        index.Search("telemetry-co", [1, 0], 1);
        index.Search("telemetry-co", [0, 1], 1);
        index.Commit();
        // Other tests may search in parallel; this test's own two searches and two records must be counted.
        Assert.True(Interlocked.Read(ref searches) - before >= 2);
        Assert.True(Interlocked.Read(ref written) >= 2);
        Assert.True(Interlocked.Read(ref commits) >= 1);
    }
}
