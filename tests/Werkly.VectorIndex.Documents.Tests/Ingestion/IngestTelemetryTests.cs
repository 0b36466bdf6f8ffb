using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Werkly.VectorIndex.Documents.Ingestion;

namespace Werkly.VectorIndex.Documents.Tests.Ingestion;

public class IngestTelemetryTests
{
    [Fact]
    public async Task Documents_and_chunks_are_counted_by_status()
    {
        var company = "telemetry-" + Guid.NewGuid().ToString("N")[..8];
        var measurements = new ConcurrentQueue<(string Instrument, double Value, string? Status, string? Collection, string? System)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == IngestTelemetry.Name)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Tag(tags, "status"), Tag(tags, "db.collection.name"), Tag(tags, "db.system.name"))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Tag(tags, "status"), Tag(tags, "db.collection.name"), Tag(tags, "db.system.name"))));
        listener.Start();

        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(new HashingEmbeddingGenerator(), sink);
        SourceDocument[] docs = [SourceDocument.FromText("a.md", "alpha text"), SourceDocument.FromText("b.md", "beta text")];
        await ingestor.IngestAsync(docs, company);
        await ingestor.IngestAsync(docs, company);

        // Other tests run in parallel and publish to the same meter; the counts here include at least our own run.
        // Counted per company (db.collection.name), so the counts of this run are exact.
        var statuses = measurements.Where(m => m.Instrument == "werkly.ingest.documents" && m.Collection == company).Select(m => m.Status).ToList();
        Assert.Equal(2, statuses.Count(s => s == "ingested"));
        Assert.Equal(2, statuses.Count(s => s == "unchanged"));
        Assert.All(measurements.Where(m => m.Instrument.StartsWith("werkly.ingest.", StringComparison.Ordinal) && m.Collection == company),
            m => Assert.Equal("werkly", m.System));
        Assert.Contains(measurements, m => m.Instrument == "werkly.ingest.chunks" && m.Collection == company && m.Value >= 1);
        Assert.Contains(measurements, m => m.Instrument == "werkly.ingest.embedding.duration" && m.Value >= 0);

        static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == key)
                    return tag.Value as string;
            }
            return null;
        }
    }
}
