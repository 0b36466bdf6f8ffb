using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Documents.Indexing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the document layer (<see cref="DocumentIndex"/>) with Microsoft.Extensions.DependencyInjection.</summary>
public static class DocumentIndexServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="DocumentIndex"/> (a singleton, disposed with the container) in <paramref name="directory"/>
    /// (null: in memory), embedding with the container's <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>
    /// (for example <c>AddOnnxEmbeddingGenerator</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="directory">The index folder, or null for an in-memory index.</param>
    /// <param name="options">Creates the index options; null for the defaults.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddWerklyDocumentIndex(this IServiceCollection services, string? directory,
        Func<IServiceProvider, DocumentIndexOptions>? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (directory is not null) ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return services.AddSingleton(provider => Create(provider, directory, options?.Invoke(provider)));
    }

    /// <summary>The one place a registered document index is built (DocumentIndex is being redesigned: port this).</summary>
    private static DocumentIndex Create(IServiceProvider provider, string? directory, DocumentIndexOptions? options)
    {
        var generator = provider.GetService<IEmbeddingGenerator<string, Embedding<float>>>()
            ?? throw new InvalidOperationException(
                "AddWerklyDocumentIndex needs an IEmbeddingGenerator<string, Embedding<float>> in the container, for example AddOnnxEmbeddingGenerator().");
        return directory is null ? DocumentIndex.CreateInMemory(generator, options) : DocumentIndex.Open(directory, generator, options);
    }
}
