using Werkly.VectorIndex.Documents.Ingestion;

namespace Werkly.VectorIndex.Documents.Tests.Ingestion;

/// <summary><see cref="DocumentIngestor.PlanAsync"/>: what an ingest would do, and why, with nothing embedded or written.</summary>
public class IngestPlanTests
{
    private const string Company = "acme";

    [Fact]
    public async Task The_plan_names_every_document_action_and_reason_and_changes_nothing()
    {
        var generator = new HashingEmbeddingGenerator();
        var sink = new InMemoryChunkSink();
        var ingestor = new DocumentIngestor(generator, sink);
        await ingestor.IngestAsync(
        [
            SourceDocument.FromText("same.md", "# Same\n\nNothing changes here."),
            SourceDocument.FromText("changed.md", "# Before\n\nOld words."),
            SourceDocument.FromText("emptied.txt", "Some text that goes away."),
            SourceDocument.FromText("gone.md", "A file deleted from the folder."),
        ], Company);
        var callsBefore = generator.Calls.Count;
        var storedBefore = sink.GetDocumentIds(Company);

        var input = new List<SourceDocument>
        {
            SourceDocument.FromText("same.md", "# Same\n\nNothing changes here."),
            SourceDocument.FromText("changed.md", "# After\n\nNew words, more of them."),
            SourceDocument.FromText("emptied.txt", "   \n"),
            SourceDocument.FromText("new.md", "# New\n\nA page nobody has seen."),
            SourceDocument.FromText("blank.txt", ""),
            SourceDocument.FromBytes("image.html", "image.html", new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0 }),
            SourceDocument.FromBytes("table.xlsx", "table.xlsx", "not supported"u8.ToArray()),
        };
        var plan = await ingestor.PlanAsync(input, Company, sync: true);

        var actions = plan.Documents.ToDictionary(d => d.DocumentId);
        Assert.Equal(["same.md", "changed.md", "emptied.txt", "new.md", "blank.txt", "image.html", "table.xlsx", "gone.md"], plan.Documents.Select(d => d.DocumentId));
        Assert.Equal((PlannedAction.Skip, "unchanged (same content hash)"), (actions["same.md"].Action, actions["same.md"].Reason));
        Assert.Equal(PlannedAction.Replace, actions["changed.md"].Action);
        Assert.Equal(PlannedAction.Delete, actions["emptied.txt"].Action);
        Assert.StartsWith("empty now", actions["emptied.txt"].Reason, StringComparison.Ordinal);
        Assert.Equal((PlannedAction.Add, "new"), (actions["new.md"].Action, actions["new.md"].Reason));
        Assert.True(actions["new.md"].ChunkCount >= 1);
        Assert.Equal(PlannedAction.Skip, actions["blank.txt"].Action);
        Assert.StartsWith("empty", actions["blank.txt"].Reason, StringComparison.Ordinal);
        Assert.Contains("PNG image", actions["image.html"].Reason, StringComparison.Ordinal);
        Assert.Contains("table.xlsx", actions["table.xlsx"].Reason, StringComparison.Ordinal);
        Assert.Equal((PlannedAction.Delete, "no longer in the input"), (actions["gone.md"].Action, actions["gone.md"].Reason));
        Assert.Equal((1, 1, 4, 2), (plan.Count(PlannedAction.Add), plan.Count(PlannedAction.Replace), plan.Count(PlannedAction.Skip), plan.Count(PlannedAction.Delete)));

        Assert.Equal(callsBefore, generator.Calls.Count);              // nothing embedded
        Assert.Equal(storedBefore, sink.GetDocumentIds(Company));      // nothing written or deleted

        // The plan is what the sync then does.
        var result = await ingestor.SyncAsync(input.Where(d => d.Id != "table.xlsx" && d.Id != "image.html"), Company);
        Assert.Equal(2, result.DocumentsIngested);
        Assert.Equal(1, result.DocumentsUnchanged);
        Assert.Equal(2, result.DocumentsEmpty);
        Assert.Equal(1, result.DocumentsDeleted);
        Assert.Equal(plan.ChunksToEmbed, (int)result.ChunksWritten);
    }
}
