using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Embeddings.Onnx;

namespace Werkly.VectorIndex.Cli;

/// <summary>The embedding model a command uses: the bundled all-MiniLM-L6-v2 unless <c>--model</c> (or
/// <c>WERKLY_MODEL</c>, or werkly.json) names a folder holding another BERT-family <c>model.onnx</c> and <c>vocab.txt</c>.</summary>
public static class EmbeddingModel
{
    /// <summary>The name of the bundled model, the default of <c>--model</c>.</summary>
    public const string DefaultName = "all-MiniLM-L6-v2";

    /// <summary>The dimensions of the bundled model (what an index built by the command holds).</summary>
    public const int Dimensions = 384;

    /// <summary>The precision commands run the model at unless <c>--precision</c> says otherwise.</summary>
    public const ModelPrecision DefaultPrecision = ModelPrecision.Float32;

    /// <summary>The values <c>--precision</c> takes.</summary>
    public const string PrecisionHelp = "Model precision: float32 or int8 (quantized on first use, about twice as fast). Default: float32. Ingest and search an index at the same precision.";

    /// <summary>Parses a <c>--precision</c> value (<see langword="null"/>: <see cref="DefaultPrecision"/>).</summary>
    /// <exception cref="CommandFailedException">Not float32 or int8 (exit code <see cref="ExitCodes.Usage"/>).</exception>
    public static ModelPrecision ParsePrecision(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" => DefaultPrecision,
        "FLOAT32" or "FP32" => ModelPrecision.Float32,
        "INT8" => ModelPrecision.Int8,
        _ => throw new CommandFailedException(ExitCodes.Usage, $"--precision must be float32 or int8, not '{value}'."),
    };

    /// <summary>Whether <paramref name="model"/> names the bundled model (<c>all-MiniLM-L6-v2</c>, with or without its
    /// <c>sentence-transformers/</c> owner, any case).</summary>
    public static bool IsBundled(string? model) =>
        model is null || model.Equals(DefaultName, StringComparison.OrdinalIgnoreCase) || model.Equals(OnnxEmbeddingModel.AllMiniLmL6V2Id, StringComparison.OrdinalIgnoreCase);

    /// <summary>Loads a model (the bundled one is extracted to the local model cache on first use).</summary>
    /// <param name="model">The bundled model's name, or a folder with <c>model.onnx</c> and <c>vocab.txt</c>; null for the bundled model.</param>
    /// <param name="precision">The precision to run it at (int8 is quantized into the model cache on first use).</param>
    /// <param name="cache">An embedding cache for the generator, or null.</param>
    /// <returns>The generator; the caller disposes it.</returns>
    /// <exception cref="CommandFailedException">The model cannot be found or loaded.</exception>
    public static OnnxEmbeddingGenerator Create(string? model = null, ModelPrecision precision = DefaultPrecision, EmbeddingCache? cache = null)
    {
        var options = new OnnxEmbeddingGeneratorOptions { Cache = cache };
        try
        {
            OnnxEmbeddingModel description;
            if (IsBundled(model))
            {
                description = OnnxEmbeddingModel.AllMiniLmL6V2();
            }
            else
            {
                var folder = Path.GetFullPath(model!);
                if (!Directory.Exists(folder))
                    throw new CommandFailedException(ExitCodes.Usage,
                        $"--model '{model}' is neither the bundled model ({DefaultName}) nor a folder. Give a folder holding model.onnx and vocab.txt (a Hugging Face ONNX export).");
                description = OnnxEmbeddingModel.FromDirectory(folder);
            }
            return new OnnxEmbeddingGenerator(precision == ModelPrecision.Float32 ? description : description with { Precision = precision }, options);
        }
        catch (EmbeddingModelException e)
        {
            throw new CommandFailedException(IsBundled(model) ? ExitCodes.Failure : ExitCodes.UnreadableInput, IsBundled(model)
                ? $"{e.Message} The model ships inside the tool; reinstall it, or free disk space in the temp folder where it is extracted."
                : $"{e.Message} --model needs a folder holding model.onnx and vocab.txt.", e);
        }
    }

    /// <summary>A generator that loads the model only when something is embedded, for commands that may not need it
    /// (<c>stats</c>, <c>delete</c>, keyword search). Another model than the bundled one is loaded at once (its
    /// dimensions are only known from the model).</summary>
    /// <param name="model">As for <see cref="Create"/>.</param>
    /// <param name="precision">The precision to run it at.</param>
    /// <param name="cache">An embedding cache for the generator, or null.</param>
    /// <returns>The generator; the caller disposes it.</returns>
    public static IDeferredEmbeddingGenerator CreateDeferred(string? model = null, ModelPrecision precision = DefaultPrecision, EmbeddingCache? cache = null) =>
        IsBundled(model) ? new DeferredEmbeddingGenerator(precision, cache) : new LoadedEmbeddingGenerator(Create(model, precision, cache));
}

/// <summary>An embedding generator whose model may not be loaded yet.</summary>
public interface IDeferredEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>Loads the model now (so a timed call that follows does not include loading it).</summary>
    void EnsureLoaded();

    /// <summary>The ONNX generator behind this one, loading the model on first access; owned (and disposed) by this generator.</summary>
    /// <exception cref="CommandFailedException">The model cannot be loaded.</exception>
    OnnxEmbeddingGenerator Generator { get; }
}

/// <summary>Reports the bundled model's metadata at once and loads the model on the first embedding call.</summary>
/// <remarks>Thread-safe: the model is loaded once, by the first caller.</remarks>
/// <param name="precision">The precision to run it at.</param>
/// <param name="cache">An embedding cache for the generator, or null.</param>
public sealed class DeferredEmbeddingGenerator(ModelPrecision precision = EmbeddingModel.DefaultPrecision, EmbeddingCache? cache = null) : IDeferredEmbeddingGenerator
{
    private readonly Lazy<OnnxEmbeddingGenerator> _model = new(() => Load(precision, cache), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly EmbeddingGeneratorMetadata _metadata =
        new(OnnxEmbeddingGenerator.ProviderName, null, OnnxEmbeddingModel.AllMiniLmL6V2Id, EmbeddingModel.Dimensions);

    /// <inheritdoc />
    public void EnsureLoaded() => _ = _model.Value;

    /// <inheritdoc />
    public OnnxEmbeddingGenerator Generator => _model.Value;

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default) => _model.Value.GenerateAsync(values, options, cancellationToken);

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        if (serviceKey is null && serviceType.IsInstanceOfType(this)) return this;
        return _model.Value.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_model.IsValueCreated) _model.Value.Dispose();
    }

    private static OnnxEmbeddingGenerator Load(ModelPrecision precision, EmbeddingCache? cache)
    {
        var model = EmbeddingModel.Create(precision: precision, cache: cache);
        if (model.Dimensions != EmbeddingModel.Dimensions)
        {
            model.Dispose();
            throw new CommandFailedException(ExitCodes.Failure, $"The bundled model produces {model.Dimensions} dimensions, not {EmbeddingModel.Dimensions}.");
        }
        return model;
    }
}

/// <summary>An already loaded generator behind <see cref="IDeferredEmbeddingGenerator"/>.</summary>
/// <param name="inner">The generator; disposed with this one.</param>
internal sealed class LoadedEmbeddingGenerator(OnnxEmbeddingGenerator inner) : IDeferredEmbeddingGenerator
{
    /// <inheritdoc />
    public void EnsureLoaded() { }

    /// <inheritdoc />
    public OnnxEmbeddingGenerator Generator => inner;

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default) => inner.GenerateAsync(values, options, cancellationToken);

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

    /// <inheritdoc />
    public void Dispose() => inner.Dispose();
}
