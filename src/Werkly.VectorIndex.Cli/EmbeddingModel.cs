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

    /// <summary>Loads the model <paramref name="name"/> names.</summary>
    /// <param name="name">minilm, arctic, or a folder path; null for the default.</param>
    /// <param name="cache">An embedding cache to share, or null.</param>
    /// <returns>The generator; the caller disposes it.</returns>
    /// <exception cref="CommandFailedException">The model cannot be loaded (<see cref="ExitCodes.Failure"/>), or the name
    /// is neither a known model nor an existing folder (<see cref="ExitCodes.Usage"/>).</exception>
    public static OnnxEmbeddingGenerator Create(string? name, EmbeddingCache? cache = null)
    {
        var options = new OnnxEmbeddingGeneratorOptions { Cache = cache };
        try
        {
            return (name ?? DefaultName).ToUpperInvariant() switch
            {
                "MINILM" or "ALL-MINILM-L6-V2" => OnnxEmbeddingGenerator.CreateDefault(options),
                "ARCTIC" or "ARCTIC-EMBED-XS" => new OnnxEmbeddingGenerator(OnnxEmbeddingModel.ArcticEmbedXsFromPackage(), options),
                _ when Directory.Exists(name) => new OnnxEmbeddingGenerator(OnnxEmbeddingModel.FromDirectory(Path.GetFullPath(name!)), options),
                _ => throw new CommandFailedException(ExitCodes.Usage, $"Unknown --model '{name}': use {Choices}."),
            };
        }
        catch (Exception e) when (e is EmbeddingModelException or FileNotFoundException)
        {
            throw new CommandFailedException(ExitCodes.Failure, $"The model '{name}' cannot be loaded: {e.Message}", e);
        }
    }

    /// <summary>Whether <paramref name="name"/> is a model <see cref="Create(string?, EmbeddingCache?)"/> accepts
    /// (without loading it).</summary>
    public static bool IsValidName(string? name) =>
        name is null || name.ToUpperInvariant() is "MINILM" or "ALL-MINILM-L6-V2" or "ARCTIC" or "ARCTIC-EMBED-XS" || Directory.Exists(name);

    /// <summary>The dimensions of the bundled model (what an index built by the command holds).</summary>
    public const int Dimensions = 384;

    /// <summary>Loads the bundled model (extracting it to the local model cache on first use).</summary>
    /// <returns>The generator; the caller disposes it.</returns>
    /// <exception cref="CommandFailedException">The model cannot be loaded (exit code <see cref="ExitCodes.Failure"/>).</exception>
    public static OnnxEmbeddingGenerator Create()
    {
        try
        {
            return OnnxEmbeddingGenerator.CreateDefault();
        }
        catch (EmbeddingModelException e)
        {
            throw new CommandFailedException(ExitCodes.Failure,
                $"{e.Message} The model ships inside the tool; reinstall it, or free disk space in the temp folder where it is extracted.", e);
        }
    }

    /// <summary>A generator that loads the model only when something is embedded, for commands that may not need it
    /// (<c>stats</c>, <c>delete</c>, keyword search).</summary>
    /// <param name="name">The model, as for <see cref="Create(string?, EmbeddingCache?)"/>; null for the default.</param>
    /// <returns>The generator; the caller disposes it.</returns>
    public static DeferredEmbeddingGenerator CreateDeferred(string? name = null) => new(name);
}

/// <summary>Reports a bundled model's metadata at once and loads the model on the first embedding call (a model from a
/// folder is loaded when its metadata is first asked for, since only the model knows its dimensions).</summary>
/// <remarks>Thread-safe: the model is loaded once, by the first caller.</remarks>
public sealed class DeferredEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Lazy<OnnxEmbeddingGenerator> _model;
    private readonly EmbeddingGeneratorMetadata? _metadata;

    /// <summary>Creates the generator for <paramref name="name"/> (see <see cref="EmbeddingModel.Create(string?, EmbeddingCache?)"/>).</summary>
    public DeferredEmbeddingGenerator(string? name = null)
    {
        _model = new(() => Load(name), LazyThreadSafetyMode.ExecutionAndPublication);
        var id = (name ?? EmbeddingModel.DefaultName).ToUpperInvariant() switch
        {
            "MINILM" or "ALL-MINILM-L6-V2" => OnnxEmbeddingModel.AllMiniLmL6V2Id,
            "ARCTIC" or "ARCTIC-EMBED-XS" => OnnxEmbeddingModel.ArcticEmbedXsId,
            _ => null,
        };
        if (id is not null) _metadata = new(OnnxEmbeddingGenerator.ProviderName, null, id, EmbeddingModel.Dimensions);
    }

    /// <summary>Loads the model now (so a timed call that follows does not include loading it).</summary>
    public void EnsureLoaded() => _ = _model.Value;

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

    private OnnxEmbeddingGenerator Load(string? name)
    {
        var model = EmbeddingModel.Create(name);
        if (_metadata is not null && model.Dimensions != EmbeddingModel.Dimensions)
        {
            model.Dispose();
            throw new CommandFailedException(ExitCodes.Failure, $"The bundled model produces {model.Dimensions} dimensions, not {EmbeddingModel.Dimensions}.");
        }
        return model;
    }
}
