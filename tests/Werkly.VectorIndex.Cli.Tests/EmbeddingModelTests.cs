using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Embeddings.Onnx;

namespace Werkly.VectorIndex.Cli.Tests;

/// <summary>The names --model takes (minilm, arctic, either's model name, a folder) and what each resolves to, without
/// loading a model.</summary>
public sealed class EmbeddingModelTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(null, OnnxEmbeddingModel.AllMiniLmL6V2Id)]
    [InlineData(EmbeddingModel.DefaultName, OnnxEmbeddingModel.AllMiniLmL6V2Id)]
    [InlineData("minilm", OnnxEmbeddingModel.AllMiniLmL6V2Id)]
    [InlineData("MiniLM", OnnxEmbeddingModel.AllMiniLmL6V2Id)]
    [InlineData("sentence-transformers/all-MiniLM-L6-v2", OnnxEmbeddingModel.AllMiniLmL6V2Id)]
    [InlineData("arctic", OnnxEmbeddingModel.ArcticEmbedXsId)]
    [InlineData("snowflake-arctic-embed-xs", OnnxEmbeddingModel.ArcticEmbedXsId)]
    [InlineData("Snowflake/snowflake-arctic-embed-xs", OnnxEmbeddingModel.ArcticEmbedXsId)]
    public void A_bundled_name_reports_its_model_before_loading_it(string? name, string modelId)
    {
        Assert.True(EmbeddingModel.IsBundled(name));
        using var generator = EmbeddingModel.CreateDeferred(name);
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
        Assert.Equal((modelId, EmbeddingModel.Dimensions), (metadata!.DefaultModelId, metadata.DefaultModelDimensions));
    }

    [Fact]
    public void A_name_that_is_neither_bundled_nor_a_folder_is_a_usage_error_naming_the_choices()
    {
        Assert.False(EmbeddingModel.IsBundled("text-embedding-3-small"));
        var e = Assert.Throws<CommandFailedException>(() => EmbeddingModel.CreateDeferred(_folder.Combine("text-embedding-3-small")));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains("arctic", e.Message, StringComparison.Ordinal);
        Assert.Contains("model.onnx", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_without_a_model_is_unreadable_input()
    {
        var folder = _folder.Combine("empty-model");
        Directory.CreateDirectory(folder);
        Assert.True(EmbeddingModel.IsValidName(folder));
        var e = Assert.Throws<CommandFailedException>(() => EmbeddingModel.CreateDeferred(folder));
        Assert.Equal(ExitCodes.UnreadableInput, e.ExitCode);
    }
}
