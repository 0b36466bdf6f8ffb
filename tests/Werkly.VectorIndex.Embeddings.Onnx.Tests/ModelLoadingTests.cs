using System.Reflection;

namespace Werkly.VectorIndex.Embeddings.Onnx.Tests;

[Collection(DefaultModelGroup.Name)]
public sealed class ModelLoadingTests(DefaultModelFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("werkly-model-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_missing_model_file_names_the_path()
    {
        var model = fixture.Generator.Model with { ModelPath = Path.Combine(_directory, "nope.onnx") };
        var e = Assert.Throws<FileNotFoundException>(() => new OnnxEmbeddingGenerator(model));
        Assert.Contains("nope.onnx", e.Message, StringComparison.Ordinal);
        Assert.Equal(model.ModelPath, e.FileName);
    }

    [Fact]
    public void A_missing_vocabulary_names_the_path()
    {
        var model = fixture.Generator.Model with { VocabularyPath = Path.Combine(_directory, "vocab.txt") };
        var e = Assert.Throws<FileNotFoundException>(() => new OnnxEmbeddingGenerator(model));
        Assert.Equal(model.VocabularyPath, e.FileName);
    }

    [Fact]
    public void An_invalid_model_file_is_a_clear_error_naming_the_path()
    {
        var path = Path.Combine(_directory, "model.onnx");
        File.WriteAllText(path, "this is not an onnx model");
        var model = fixture.Generator.Model with { ModelPath = path };
        var e = Assert.Throws<EmbeddingModelException>(() => new OnnxEmbeddingGenerator(model));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Max_tokens_above_512_is_rejected()
    {
        var model = fixture.Generator.Model with { MaxTokens = 513 };
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxEmbeddingGenerator(model));
    }

    [Fact]
    public void Bad_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxEmbeddingGenerator(fixture.Generator.Model, new OnnxEmbeddingGeneratorOptions { MaxBatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxEmbeddingGenerator(fixture.Generator.Model, new OnnxEmbeddingGeneratorOptions { MaxConcurrentInferences = 0 }));
    }

    [Fact]
    public void From_directory_uses_the_hugging_face_layout()
    {
        var model = OnnxEmbeddingModel.FromDirectory(_directory);
        Assert.Equal(Path.Combine(_directory, "model.onnx"), model.ModelPath);
        Assert.Equal(Path.Combine(_directory, "vocab.txt"), model.VocabularyPath);
        Assert.Equal(Path.GetFileName(_directory), model.ModelId);
    }

    [Fact]
    public void The_bundled_model_is_extracted_once_and_reused()
    {
        var first = OnnxEmbeddingModel.AllMiniLmL6V2(_directory);
        var written = File.GetLastWriteTimeUtc(first.ModelPath);
        Assert.True(new FileInfo(first.ModelPath).Length > 80_000_000);
        var second = OnnxEmbeddingModel.AllMiniLmL6V2(_directory);
        Assert.Equal(first, second);
        Assert.Equal(written, File.GetLastWriteTimeUtc(second.ModelPath));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_damaged_extracted_file_is_replaced()
    {
        var first = OnnxEmbeddingModel.AllMiniLmL6V2(_directory);
        File.WriteAllText(first.VocabularyPath, "[PAD]\n");
        var second = OnnxEmbeddingModel.AllMiniLmL6V2(_directory);
        Assert.True(new FileInfo(second.VocabularyPath).Length > 200_000);
    }

    [Fact]
    public void A_missing_resource_is_a_clear_error()
    {
        var e = Assert.Throws<EmbeddingModelException>(() =>
            BundledModelFiles.Extract(Assembly.GetExecutingAssembly(), "No.Such.Resources.", "none", _directory));
        Assert.Contains("No.Such.Resources.model.onnx", e.Message, StringComparison.Ordinal);
    }
}
