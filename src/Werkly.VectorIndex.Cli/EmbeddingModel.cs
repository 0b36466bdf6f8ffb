using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Embeddings.Onnx;

namespace Werkly.VectorIndex.Cli;

/// <summary>The embedding models the commands use: the bundled all-MiniLM-L6-v2 (default) or arctic-embed-xs, or an
/// ONNX export in a folder, all loaded offline.</summary>
public static class EmbeddingModel
{
    /// <summary>The name of the default model on the command line.</summary>
    public const string DefaultName = "minilm";

    /// <summary>What <c>--model</c> accepts, for help and error messages.</summary>
    public const string Choices = "minilm (all-MiniLM-L6-v2, default), arctic (snowflake-arctic-embed-xs, with its query prefix) or the path of a folder holding model.onnx and vocab.txt (mean pooling, 256 tokens)";

    /// <summary>The help text of <c>--model</c>.</summary>
    public const string ModelHelp = "Embedding model: minilm (all-MiniLM-L6-v2, default), arctic (snowflake-arctic-embed-xs) or a folder with model.onnx and vocab.txt. Ingest and search an index with the same model.";

    /// <summary>The dimensions of the bundled models (what an index built by the command holds).</summary>
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

    /// <summary>Checks a <c>--model</c> value without loading the model.</summary>
    /// <returns>The value (null for the default).</returns>
    /// <exception cref="CommandFailedException">Neither a known model nor an existing folder (exit code <see cref="ExitCodes.Usage"/>).</exception>
    public static string? ParseName(string? name) =>
        IsValidName(name) ? name : throw new CommandFailedException(ExitCodes.Usage, $"Unknown --model '{name}': use {Choices}.");

    /// <summary>Whether <paramref name="name"/> is a model <see cref="Create"/> accepts (without loading it).</summary>
    public static bool IsValidName(string? name) => name is null || BundledId(name) is not null || Directory.Exists(name);

    /// <summary>Loads the model <paramref name="name"/> names (a bundled one is extracted to the local model cache on first use).</summary>
    /// <param name="name">minilm, arctic, or a folder path; null for the default.</param>
    /// <param name="precision">The precision to run it at (int8 is quantized into the model cache on first use).</param>
    /// <param name="cache">An embedding cache to share, or null.</param>
    /// <returns>The generator; the caller disposes it.</returns>
    /// <exception cref="CommandFailedException">The model cannot be loaded (<see cref="ExitCodes.Failure"/>), or the name
    /// is neither a known model nor an existing folder (<see cref="ExitCodes.Usage"/>).</exception>
    public static OnnxEmbeddingGenerator Create(string? name = null, ModelPrecision precision = DefaultPrecision, EmbeddingCache? cache = null)
    {
        ParseName(name);
        try
        {
            var model = BundledId(name) switch
            {
                OnnxEmbeddingModel.AllMiniLmL6V2Id => OnnxEmbeddingModel.AllMiniLmL6V2(),
                OnnxEmbeddingModel.ArcticEmbedXsId => OnnxEmbeddingModel.ArcticEmbedXsFromPackage(),
                _ => OnnxEmbeddingModel.FromDirectory(Path.GetFullPath(name!)),
            };
            if (precision != ModelPrecision.Float32) model = model with { Precision = precision };
            return new OnnxEmbeddingGenerator(model, new OnnxEmbeddingGeneratorOptions { Cache = cache });
        }
        catch (Exception e) when (e is EmbeddingModelException or FileNotFoundException)
        {
            throw new CommandFailedException(ExitCodes.Failure,
                $"The model '{name ?? DefaultName}' cannot be loaded: {e.Message} A bundled model ships inside the tool; reinstall it, or free disk space in the temp folder where it is extracted.", e);
        }
    }

    /// <summary>A generator that loads the model only when something is embedded, for commands that may not need it
    /// (<c>stats</c>, <c>delete</c>, keyword search).</summary>
    /// <param name="name">The model, as for <see cref="Create"/>; null for the default.</param>
    /// <param name="precision">The precision to run it at.</param>
    /// <returns>The generator; the caller disposes it.</returns>
    public static DeferredEmbeddingGenerator CreateDeferred(string? name = null, ModelPrecision precision = DefaultPrecision) => new(name, precision);

    /// <summary>The model id of a bundled model's name, or null for a folder.</summary>
    internal static string? BundledId(string? name) => (name ?? DefaultName).ToUpperInvariant() switch
    {
        "MINILM" or "ALL-MINILM-L6-V2" => OnnxEmbeddingModel.AllMiniLmL6V2Id,
        "ARCTIC" or "ARCTIC-EMBED-XS" => OnnxEmbeddingModel.ArcticEmbedXsId,
        _ => null,
    };
}

/// <summary>Reports a bundled model's metadata at once and loads the model on the first embedding call (a model from a
/// folder is loaded when its metadata is first asked for, since only the model knows its dimensions).</summary>
/// <remarks>Thread-safe: the model is loaded once, by the first caller.</remarks>
public sealed class DeferredEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Lazy<OnnxEmbeddingGenerator> _model;
    private readonly EmbeddingGeneratorMetadata? _metadata;

    /// <summary>Creates the generator for <paramref name="name"/> (see <see cref="EmbeddingModel.Create"/>).</summary>
    public DeferredEmbeddingGenerator(string? name = null, ModelPrecision precision = EmbeddingModel.DefaultPrecision)
    {
        EmbeddingModel.ParseName(name);
        _model = new(() => Load(name, precision), LazyThreadSafetyMode.ExecutionAndPublication);
        if (EmbeddingModel.BundledId(name) is { } id) _metadata = new(OnnxEmbeddingGenerator.ProviderName, null, id, EmbeddingModel.Dimensions);
    }

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
        if (serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) && _metadata is not null) return _metadata;
        if (serviceKey is null && serviceType.IsInstanceOfType(this)) return this;
        return _model.Value.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_model.IsValueCreated) _model.Value.Dispose();
    }

    private OnnxEmbeddingGenerator Load(string? name, ModelPrecision precision)
    {
        var model = EmbeddingModel.Create(name, precision);
        if (_metadata is not null && model.Dimensions != EmbeddingModel.Dimensions)
        {
            model.Dispose();
            throw new CommandFailedException(ExitCodes.Failure, $"The bundled model produces {model.Dimensions} dimensions, not {EmbeddingModel.Dimensions}.");
        }
        return model;
    }
}
