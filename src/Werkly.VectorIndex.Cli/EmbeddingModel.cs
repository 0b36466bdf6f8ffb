using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Embeddings.Onnx;

namespace Werkly.VectorIndex.Cli;

/// <summary>The embedding model every command uses: the bundled all-MiniLM-L6-v2, loaded offline.</summary>
public static class EmbeddingModel
{
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

    /// <summary>Loads the bundled model (extracting it to the local model cache on first use).</summary>
    /// <param name="precision">The precision to run it at (int8 is quantized into the model cache on first use).</param>
    /// <returns>The generator; the caller disposes it.</returns>
    /// <exception cref="CommandFailedException">The model cannot be loaded (exit code <see cref="ExitCodes.Failure"/>).</exception>
    public static OnnxEmbeddingGenerator Create(ModelPrecision precision = DefaultPrecision)
    {
        try
        {
            var model = OnnxEmbeddingModel.AllMiniLmL6V2();
            return new OnnxEmbeddingGenerator(precision == ModelPrecision.Float32 ? model : model with { Precision = precision });
        }
        catch (EmbeddingModelException e)
        {
            throw new CommandFailedException(ExitCodes.Failure,
                $"{e.Message} The model ships inside the tool; reinstall it, or free disk space in the temp folder where it is extracted.", e);
        }
    }

    /// <summary>A generator that loads the model only when something is embedded, for commands that may not need it
    /// (<c>stats</c>, <c>delete</c>, keyword search).</summary>
    /// <param name="precision">The precision to run it at.</param>
    /// <returns>The generator; the caller disposes it.</returns>
    public static DeferredEmbeddingGenerator CreateDeferred(ModelPrecision precision = DefaultPrecision) => new(precision);
}

/// <summary>Reports the bundled model's metadata at once and loads the model on the first embedding call.</summary>
/// <remarks>Thread-safe: the model is loaded once, by the first caller.</remarks>
public sealed class DeferredEmbeddingGenerator(ModelPrecision precision = EmbeddingModel.DefaultPrecision) : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Lazy<OnnxEmbeddingGenerator> _model = new(() => Load(precision), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly EmbeddingGeneratorMetadata _metadata =
        new(OnnxEmbeddingGenerator.ProviderName, null, OnnxEmbeddingModel.AllMiniLmL6V2Id, EmbeddingModel.Dimensions);

    /// <summary>Loads the model now (so a timed call that follows does not include loading it).</summary>
    public void EnsureLoaded() => _ = _model.Value;

    /// <summary>The ONNX generator this one defers to, loading the model on first access; owned (and disposed) by this generator.</summary>
    /// <exception cref="CommandFailedException">The model cannot be loaded.</exception>
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

    private static OnnxEmbeddingGenerator Load(ModelPrecision precision)
    {
        var model = EmbeddingModel.Create(precision);
        if (model.Dimensions != EmbeddingModel.Dimensions)
        {
            model.Dispose();
            throw new CommandFailedException(ExitCodes.Failure, $"The bundled model produces {model.Dimensions} dimensions, not {EmbeddingModel.Dimensions}.");
        }
        return model;
    }
}
