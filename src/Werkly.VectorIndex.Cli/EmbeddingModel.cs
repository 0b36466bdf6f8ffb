using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Embeddings.Onnx;

namespace Werkly.VectorIndex.Cli;

/// <summary>The embedding model a command uses: the bundled all-MiniLM-L6-v2 (the default) or snowflake-arctic-embed-xs,
/// or a folder holding another BERT-family <c>model.onnx</c> and <c>vocab.txt</c>, as <c>--model</c> (or
/// <c>WERKLY_MODEL</c>, or werkly.json) names it; all loaded offline.</summary>
internal static class EmbeddingModel
{
    /// <summary>The name of the default bundled model, the default of <c>--model</c> (<c>minilm</c> names it too).</summary>
    public const string DefaultName = "all-MiniLM-L6-v2";

    /// <summary>The dimensions of the bundled models (what an index built with one of them holds).</summary>
    public const int Dimensions = 384;

    /// <summary>What <c>--model</c> accepts, for error messages.</summary>
    internal const string Choices =
        "minilm (all-MiniLM-L6-v2, bundled, the default), arctic (snowflake-arctic-embed-xs, bundled, with its query prefix) or a folder holding model.onnx and vocab.txt (a Hugging Face ONNX export)";

    /// <summary>The help text of <c>--model</c> on the index commands.</summary>
    internal const string ModelHelp =
        "Embedding model: minilm (all-MiniLM-L6-v2, bundled, the default), arctic (snowflake-arctic-embed-xs, bundled) or a folder holding model.onnx and vocab.txt. " +
        "Default: $WERKLY_MODEL, else \"model\" in ./werkly.json. Use the same model for ingest and search.";

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

    /// <summary>Whether <paramref name="model"/> names a bundled model (<c>minilm</c>, <c>arctic</c>, or either's model
    /// name with or without its owner, any case; null is the default, all-MiniLM-L6-v2).</summary>
    public static bool IsBundled(string? model) => BundledId(model) is not null;

    /// <summary>Whether <paramref name="model"/> is a bundled model or an existing folder (without loading anything).</summary>
    internal static bool IsValidName(string? model) => IsBundled(model) || Directory.Exists(model);

    /// <summary>The model id of a bundled model's name, or null for anything else (a folder).</summary>
    internal static string? BundledId(string? model) => (model ?? DefaultName).Trim().ToUpperInvariant() switch
    {
        "MINILM" or "ALL-MINILM-L6-V2" or "SENTENCE-TRANSFORMERS/ALL-MINILM-L6-V2" => OnnxEmbeddingModel.AllMiniLmL6V2Id,
        "ARCTIC" or "ARCTIC-EMBED-XS" or "SNOWFLAKE-ARCTIC-EMBED-XS" or "SNOWFLAKE/SNOWFLAKE-ARCTIC-EMBED-XS" => OnnxEmbeddingModel.ArcticEmbedXsId,
        _ => null,
    };

    /// <summary>Loads a model (a bundled one is extracted to the local model cache on first use).</summary>
    /// <param name="model">A bundled model's name, or a folder with <c>model.onnx</c> and <c>vocab.txt</c>; null for the default.</param>
    /// <param name="precision">The precision to run it at (int8 is quantized into the model cache on first use).</param>
    /// <param name="cache">An embedding cache for the generator, or null.</param>
    /// <returns>The generator; the caller disposes it.</returns>
    /// <exception cref="CommandFailedException">Neither a bundled model nor a folder (<see cref="ExitCodes.Usage"/>); a
    /// folder without a loadable model (<see cref="ExitCodes.UnreadableInput"/>); a bundled model that cannot be
    /// extracted or loaded (<see cref="ExitCodes.Failure"/>).</exception>
    public static OnnxEmbeddingGenerator Create(string? model = null, ModelPrecision precision = DefaultPrecision, EmbeddingCache? cache = null)
    {
        var options = new OnnxEmbeddingGeneratorOptions { Cache = cache };
        var bundled = BundledId(model);
        try
        {
            OnnxEmbeddingModel description;
            if (bundled is not null)
            {
                description = bundled == OnnxEmbeddingModel.ArcticEmbedXsId ? OnnxEmbeddingModel.ArcticEmbedXsFromPackage() : OnnxEmbeddingModel.AllMiniLmL6V2();
            }
            else
            {
                var folder = Path.GetFullPath(model!);
                if (!Directory.Exists(folder))
                    throw new CommandFailedException(ExitCodes.Usage, $"--model '{model}' is neither a bundled model nor a folder. Use {Choices}.");
                description = OnnxEmbeddingModel.FromDirectory(folder);
            }
            return new OnnxEmbeddingGenerator(precision == ModelPrecision.Float32 ? description : description with { Precision = precision }, options);
        }
        catch (Exception e) when (e is EmbeddingModelException or FileNotFoundException)
        {
            throw new CommandFailedException(bundled is not null ? ExitCodes.Failure : ExitCodes.UnreadableInput, bundled is not null
                ? $"The bundled model {bundled} cannot be loaded: {e.Message} The model ships inside the tool; reinstall it, or free disk space in the temp folder where it is extracted."
                : $"{e.Message} --model needs a folder holding model.onnx and vocab.txt.", e);
        }
    }

    /// <summary>A generator that loads the model only when something is embedded, for commands that may not need it
    /// (<c>stats</c>, <c>delete</c>, keyword search). A model from a folder is loaded at once (its dimensions are only
    /// known from the model).</summary>
    /// <param name="model">As for <see cref="Create"/>.</param>
    /// <param name="precision">The precision to run it at.</param>
    /// <param name="cache">An embedding cache for the generator, or null.</param>
    /// <returns>The generator; the caller disposes it.</returns>
    /// <exception cref="CommandFailedException">As for <see cref="Create"/>, for a model from a folder.</exception>
    public static IDeferredEmbeddingGenerator CreateDeferred(string? model = null, ModelPrecision precision = DefaultPrecision, EmbeddingCache? cache = null) =>
        BundledId(model) is { } id ? new DeferredEmbeddingGenerator(id, precision, cache) : new LoadedEmbeddingGenerator(Create(model, precision, cache));
}

/// <summary>An embedding generator whose model may not be loaded yet.</summary>
internal interface IDeferredEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>Loads the model now (so a timed call that follows does not include loading it).</summary>
    void EnsureLoaded();

    /// <summary>The ONNX generator behind this one, loading the model on first access; owned (and disposed) by this generator.</summary>
    /// <exception cref="CommandFailedException">The model cannot be loaded.</exception>
    OnnxEmbeddingGenerator Generator { get; }
}

/// <summary>Reports a bundled model's metadata at once and loads the model on the first embedding call.</summary>
/// <remarks>Thread-safe: the model is loaded once, by the first caller.</remarks>
/// <param name="modelId">The bundled model's id (<see cref="OnnxEmbeddingModel.AllMiniLmL6V2Id"/> or <see cref="OnnxEmbeddingModel.ArcticEmbedXsId"/>).</param>
/// <param name="precision">The precision to run it at.</param>
/// <param name="cache">An embedding cache for the generator, or null.</param>
internal sealed class DeferredEmbeddingGenerator(string modelId = OnnxEmbeddingModel.AllMiniLmL6V2Id, ModelPrecision precision = EmbeddingModel.DefaultPrecision,
    EmbeddingCache? cache = null) : IDeferredEmbeddingGenerator
{
    private readonly Lazy<OnnxEmbeddingGenerator> _model = new(() => Load(modelId, precision, cache), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly EmbeddingGeneratorMetadata _metadata = new(OnnxEmbeddingGenerator.ProviderName, null,
        EmbeddingModel.BundledId(modelId) ?? throw new ArgumentException($"'{modelId}' is not a bundled model.", nameof(modelId)), EmbeddingModel.Dimensions);

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

    private static OnnxEmbeddingGenerator Load(string modelId, ModelPrecision precision, EmbeddingCache? cache)
    {
        var model = EmbeddingModel.Create(modelId, precision, cache);
        if (model.Dimensions != EmbeddingModel.Dimensions)
        {
            model.Dispose();
            throw new CommandFailedException(ExitCodes.Failure, $"The bundled model {modelId} produces {model.Dimensions} dimensions, not {EmbeddingModel.Dimensions}.");
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
