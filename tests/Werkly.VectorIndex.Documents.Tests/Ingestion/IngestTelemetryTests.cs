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
        var measurements = new ConcurrentQueue<(string Instrument, double Value, string? Status)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == IngestTelemetry.Name)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Status(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Status(tags))));
        listener.Start();

        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(new HashingEmbeddingGenerator(), sink);
        SourceDocument[] docs = [SourceDocument.FromText("a.md", "alpha text"), SourceDocument.FromText("b.md", "beta text")];
        await ingestor.IngestAsync(docs, company);
        await ingestor.IngestAsync(docs, company);

        // Other tests run in parallel and publish to the same meter; the counts here include at least our own run.
        var statuses = measurements.Where(m => m.Instrument == "werkly.ingest.documents").Select(m => m.Status).ToList();
        Assert.True(statuses.Count(s => s == "ingested") >= 2);
        Assert.True(statuses.Count(s => s == "unchanged") >= 2);
        Assert.Contains(measurements, m => m.Instrument == "werkly.ingest.chunks" && m.Value >= 1);
        Assert.Contains(measurements, m => m.Instrument == "werkly.ingest.embedding.duration" && m.Value >= 0);

        static string? Status(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "status")
                    return tag.Value as string;
            }
            return null;
        }
    }
}
