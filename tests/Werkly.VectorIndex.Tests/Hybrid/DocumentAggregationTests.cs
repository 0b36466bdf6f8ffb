using Werkly.VectorIndex.Hybrid;

namespace Werkly.VectorIndex.Tests.Hybrid;

public class DocumentAggregationTests
{
    private static readonly (string Key, string Document, double Score)[] Chunks =
    [
        ("long#0", "long", 0.9), ("long#3", "long", 0.85), ("long#7", "long", 0.8), ("short#0", "short", 0.88), ("other#1", "other", 0.5), ("long#9", "long", 0.4),
    ];

    [Fact]
    public void Max_chunk_ranks_each_document_once_by_its_best_chunk()
    {
        var documents = DocumentAggregation.Group(Chunks, c => c.Document, c => c.Score);
        Assert.Equal(["long", "short", "other"], documents.Select(d => d.DocumentId));
        Assert.Equal([0.9, 0.88, 0.5], documents.Select(d => d.Score));
        Assert.Equal(["long#0", "long#3", "long#7", "long#9"], documents[0].Hits.Select(h => h.Key));
    }

    [Fact]
    public void Sum_of_top_chunks_rewards_documents_with_several_good_passages()
    {
        // long: 0.9 + 0.85 = 1.75; short: 0.88; other: 0.5.
        var documents = DocumentAggregation.Group(Chunks, c => c.Document, c => c.Score, DocumentScoring.SumOfTopChunks, chunksPerDocument: 2, top: 2);
        Assert.Equal(["long", "short"], documents.Select(d => d.DocumentId));
        Assert.Equal(1.75, documents[0].Score, 12);
    }

    [Fact]
    public void Equal_scores_keep_the_order_of_the_best_chunks_and_bad_input_is_rejected()
    {
        (string Document, double Score)[] tied = [("z", 1), ("a", 1)];
        Assert.Equal(["z", "a"], DocumentAggregation.Group(tied, c => c.Document, c => c.Score).Select(d => d.DocumentId));
        Assert.Empty(DocumentAggregation.Group(Array.Empty<(string, double)>(), c => c.Item1, c => c.Item2));
        Assert.Throws<ArgumentOutOfRangeException>(() => DocumentAggregation.Group(tied, c => c.Document, _ => double.NaN));
        Assert.Throws<ArgumentNullException>(() => DocumentAggregation.Group(tied, _ => null!, c => c.Score));
        Assert.Throws<ArgumentOutOfRangeException>(() => DocumentAggregation.Group(tied, c => c.Document, c => c.Score, chunksPerDocument: 0));
    }
}
