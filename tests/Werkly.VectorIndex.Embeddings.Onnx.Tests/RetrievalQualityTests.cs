using System.Numerics.Tensors;
using Werkly.VectorIndex.Evaluation;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Embeddings.Onnx.Tests;

[Collection(DefaultModelGroup.Name)]
public sealed class RetrievalQualityTests(DefaultModelFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Cranfield_vector_only_ndcg_at_10_reaches_0_33()
    {
        var dataset = BeirDataset.Load(TestData.PathOf("cranfield"));
        var generator = fixture.Generator;
        Assert.Equal(256, generator.Model.MaxTokens);

        var documents = dataset.Corpus.Select(d => d.Title + " " + d.Text).ToArray();
        var matrix = new float[documents.Length * generator.Dimensions];
        for (var start = 0; start < documents.Length; start += OnnxEmbeddingGenerator.MaxInputsPerCall)
        {
            var chunk = documents.Skip(start).Take(OnnxEmbeddingGenerator.MaxInputsPerCall).ToArray();
            var embeddings = await generator.GenerateAsync(chunk, EmbeddingInputKind.Document);
            for (var i = 0; i < embeddings.Count; i++)
                embeddings[i].Vector.Span.CopyTo(matrix.AsSpan((start + i) * generator.Dimensions));
        }

        var judged = dataset.JudgedQueries.ToArray();
        var queryVectors = await generator.GenerateAsync(judged.Select(q => q.Text).ToArray(), EmbeddingInputKind.Query);
        var queryIndex = judged.Select((q, i) => (q.Id, i)).ToDictionary(p => p.Id, p => p.i);

        var scores = RetrievalMetrics.Evaluate(dataset, query =>
        {
            var vector = queryVectors[queryIndex[query.Id]].Vector.Span;
            var similarities = new float[documents.Length];
            for (var d = 0; d < documents.Length; d++)
                similarities[d] = TensorPrimitives.CosineSimilarity(vector, matrix.AsSpan(d * generator.Dimensions, generator.Dimensions));
            return Enumerable.Range(0, documents.Length)
                .OrderByDescending(d => similarities[d]).ThenBy(d => d)
                .Take(100).Select(d => dataset.Corpus[d].Id).ToArray();
        });

        output.WriteLine($"Cranfield, all-MiniLM-L6-v2, exact cosine: nDCG@10 {scores.Ndcg10:F4}, MAP@100 {scores.Map100:F4}, recall@100 {scores.Recall100:F4}, P@10 {scores.Precision10:F4} over {scores.Queries} queries");
        Assert.True(scores.Ndcg10 >= 0.33, $"nDCG@10 = {scores.Ndcg10:F4} over {scores.Queries} queries (recall@100 {scores.Recall100:F4})");
    }
}
