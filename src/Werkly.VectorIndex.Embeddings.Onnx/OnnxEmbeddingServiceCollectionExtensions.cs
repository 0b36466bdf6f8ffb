using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>Registers the self-hosted embedding generator with Microsoft.Extensions.DependencyInjection.</summary>
public static class OnnxEmbeddingServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="OnnxEmbeddingGenerator"/> as a singleton, both as itself and as
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of <see cref="string"/> to <see cref="Embedding{T}"/> of
    /// <see cref="float"/>. The model is loaded on first resolution and disposed with the container.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="model">
    /// Creates the model description when the generator is first resolved; default the bundled all-MiniLM-L6-v2
    /// (<see cref="OnnxEmbeddingModel.AllMiniLmL6V2"/>).
    /// </param>
    /// <param name="configure">Adjusts batching, threading and cache settings. Without a cache of its own, the generator uses
    /// the <see cref="EmbeddingCache"/> registered by <see cref="EmbeddingCacheServiceCollectionExtensions.AddEmbeddingCache"/>, if any.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <remarks>Thread safety: like any registration, call it while building the container, not concurrently with resolution.</remarks>
    public static IServiceCollection AddOnnxEmbeddingGenerator(this IServiceCollection services,
        Func<IServiceProvider, OnnxEmbeddingModel>? model = null, Action<OnnxEmbeddingGeneratorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(provider =>
        {
            var options = new OnnxEmbeddingGeneratorOptions();
            configure?.Invoke(options);
            options.Cache ??= provider.GetService<EmbeddingCache>(); // AddEmbeddingCache: saved when the container is disposed
            return new OnnxEmbeddingGenerator(model?.Invoke(provider) ?? OnnxEmbeddingModel.AllMiniLmL6V2(), options);
        });
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(provider => provider.GetRequiredService<OnnxEmbeddingGenerator>());
        return services;
    }
}
