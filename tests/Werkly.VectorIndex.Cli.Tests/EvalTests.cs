using Werkly.VectorIndex.Cli.Evaluation;
using Werkly.VectorIndex.Embeddings.Onnx;
using Werkly.VectorIndex.Evaluation;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Cli.Tests;

public sealed class EvalTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Eval_bm25_json_is_one_object_with_the_standard_metrics_and_reaches_037_on_Cranfield()
    {
        var json = WerklyTool.Run(_folder.Path, "eval", RepositoryPaths.Cranfield, "--mode", "bm25", "--json").Json();
        Assert.Equal(["mode", "queries", "ndcg10", "map100", "recall100", "p10", "took_s"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("bm25", json.GetProperty("mode").GetString());
        Assert.Equal(225, json.GetProperty("queries").GetInt32());
        var ndcg = json.GetProperty("ndcg10").GetDouble();
        output.WriteLine($"bm25 via the tool: {json}");
        Assert.True(ndcg >= 0.37, $"nDCG@10 {ndcg}");
        Assert.InRange(json.GetProperty("recall100").GetDouble(), 0.5, 1.0);
        Assert.InRange(json.GetProperty("p10").GetDouble(), 0.1, 1.0);
        Assert.True(json.GetProperty("took_s").GetDouble() > 0);
    }

    [Fact]
    public void Eval_of_a_folder_that_is_not_BEIR_exits_5_and_names_the_missing_file()
    {
        _folder.Write("beir/queries.jsonl", "{\"_id\":\"1\",\"text\":\"q\"}\n");
        var result = WerklyTool.Run(_folder.Path, "eval", _folder.Combine("beir"), "--mode", "bm25", "--json");
        Assert.True(result.ExitCode == 5, result.ToString());
        Assert.Contains("corpus.jsonl", result.Stderr, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.Equal("unreadable_input", json.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    /// <summary>
    /// The Cranfield assertions of the hybrid issue, through the same <see cref="BeirEvaluation"/> the eval command runs.
    /// In-process and embedding the corpus once (not once per mode through the tool), which keeps the test to one
    /// embedding pass over 1,400 abstracts.
    /// </summary>
    [Fact]
    public async Task On_Cranfield_hybrid_reaches_040_and_beats_bm25_and_vector_alone()
    {
        var dataset = BeirDataset.Load(RepositoryPaths.Cranfield);
        using var generator = OnnxEmbeddingGenerator.CreateDefault();
        using var evaluation = new BeirEvaluation(dataset, generator);
        await evaluation.PrepareAsync(EvaluationMode.Hybrid);
        await evaluation.PrepareAsync(EvaluationMode.Vector);

        var bm25 = evaluation.Evaluate(EvaluationMode.Bm25);
        var vector = evaluation.Evaluate(EvaluationMode.Vector);
        var hybrid = evaluation.Evaluate(EvaluationMode.Hybrid);
        output.WriteLine($"bm25 {bm25}\nvector {vector}\nhybrid {hybrid}");

        Assert.Equal(225, hybrid.Queries);
        Assert.True(bm25.Ndcg10 >= 0.37, $"bm25 nDCG@10 {bm25.Ndcg10:F4}");
        Assert.True(hybrid.Ndcg10 >= 0.40, $"hybrid nDCG@10 {hybrid.Ndcg10:F4}");
        Assert.True(hybrid.Ndcg10 > Math.Max(bm25.Ndcg10, vector.Ndcg10),
            $"hybrid {hybrid.Ndcg10:F4} must beat bm25 {bm25.Ndcg10:F4} and vector {vector.Ndcg10:F4}");
        Assert.True(hybrid.Map100 > Math.Max(bm25.Map100, vector.Map100), $"MAP@100 hybrid {hybrid.Map100:F4}, bm25 {bm25.Map100:F4}, vector {vector.Map100:F4}");
    }
}
