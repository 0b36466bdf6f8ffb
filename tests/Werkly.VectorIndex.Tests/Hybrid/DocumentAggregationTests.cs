using Werkly.VectorIndex.Hybrid;

namespace Werkly.VectorIndex.Tests.Hybrid;

public class DocumentAggregationTests
{
    private static readonly (string Key, string Document, double Score)[] Chunks =
    [
        ("long#0", "long", 0.9), ("long#3", "long", 0.85), ("long#7", "long", 0.8), ("short#0", "short", 0.88), ("other#1", "other", 0.5), ("long#9", "long", 0.4),
    ];

    private static List<DocumentGroup> Group(DocumentGrouping grouping) =>
        DocumentAggregation.Group([.. Chunks.Select(c => (c.Document, c.Score))], grouping);

    [Fact]
    public void Max_chunk_ranks_each_document_once_by_its_best_chunk()
    {
        var documents = Group(DocumentGrouping.MaxChunk);
        Assert.Equal(["long", "short", "other"], documents.Select(d => d.DocumentId));
        Assert.Equal([0.9, 0.88, 0.5], documents.Select(d => d.Score));
        Assert.Equal([0, 1, 2, 5], documents[0].Positions);
    }

    [Fact]
    public void Sum_of_top_chunks_rewards_documents_with_several_good_passages()
    {
        // long: 0.9 + 0.85 = 1.75; short: 0.88; other: 0.5.
        var documents = Group(new DocumentGrouping { Scoring = DocumentScoring.SumOfTopChunks, ChunksPerDocument = 2 });
        Assert.Equal(["long", "short", "other"], documents.Select(d => d.DocumentId));
        Assert.Equal(1.75, documents[0].Score, 12);
    }

    [Fact]
    public void Equal_scores_keep_the_order_of_the_best_chunks_and_bad_input_is_rejected()
    {
        (string Document, double Score)[] tied = [("z", 1), ("a", 1)];
        Assert.Equal(["z", "a"], DocumentAggregation.Group(tied, DocumentGrouping.MaxChunk).Select(d => d.DocumentId));
        Assert.Empty(DocumentAggregation.Group([], DocumentGrouping.MaxChunk));
        Assert.Throws<ArgumentOutOfRangeException>(() => DocumentAggregation.Group([("z", double.NaN)], DocumentGrouping.MaxChunk));
        Assert.Throws<ArgumentNullException>(() => DocumentAggregation.Group([(null!, 1)], DocumentGrouping.MaxChunk));
        Assert.Throws<ArgumentOutOfRangeException>(() => DocumentAggregation.Group(tied, new DocumentGrouping { ChunksPerDocument = 0 }));
    }

    [Fact]
    public void The_index_returns_one_result_per_document_with_its_best_chunk()
    {
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = 2 });
        // "manual" has three chunks close to the query, "guide" one; "loose" is a record outside any document.
        index.ReplaceDocuments("acme", [
            new DocumentUpdate("manual", "h1", [
                new VectorRecord("manual#0", new float[] { 1, 0.05f }) { Text = "tail follows a file" },
                new VectorRecord("manual#1", new float[] { 1, 0.1f }) { Text = "tail options" },
                new VectorRecord("manual#2", new float[] { 1, 0.2f }) { Text = "tail examples" }]),
            new DocumentUpdate("guide", "h2", [new VectorRecord("guide#0", new float[] { 1, 0.15f }) { Text = "follow logs" }]),
        ]);
        index.Upsert("acme", [new VectorRecord("loose", new float[] { 1, 0.3f }) { Text = "loose note" }]);
        var query = new SearchQuery { Mode = SearchMode.Vector, Vector = new float[] { 1, 0 }, Top = 3 };
        Assert.Equal(["manual#0", "manual#1", "guide#0"], index.Search("acme", query).Select(h => h.Key));
        var grouped = index.Search("acme", query with { GroupByDocument = DocumentGrouping.MaxChunk });
        Assert.Equal(["manual#0", "guide#0", "loose"], grouped.Select(h => h.Key));
        Assert.Equal(["manual", "guide", null], grouped.Select(h => h.DocumentId));
        // Paging and the floor apply to documents.
        Assert.Equal(["guide#0"], index.Search("acme", query with { GroupByDocument = DocumentGrouping.MaxChunk, Skip = 1, Top = 1 }).Select(h => h.Key));
        var sum = index.Search("acme", query with { GroupByDocument = new DocumentGrouping { Scoring = DocumentScoring.SumOfTopChunks, ChunksPerDocument = 2 } });
        Assert.Equal("manual#0", sum[0].Key);
        Assert.Equal(index.Search("acme", query with { Top = 2 }).Sum(h => h.Score), sum[0].Score, 6);
        // Hybrid: grouped over the fused candidates of both sides.
        var hybrid = index.Search("acme", new SearchQuery { Text = "tail", Vector = new float[] { 1, 0 }, GroupByDocument = DocumentGrouping.MaxChunk });
        Assert.Equal(hybrid.Select(h => h.DocumentId ?? h.Key).Distinct().Count(), hybrid.Count);
    }
}
