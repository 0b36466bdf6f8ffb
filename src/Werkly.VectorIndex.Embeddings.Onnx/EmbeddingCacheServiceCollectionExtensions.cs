using Microsoft.Extensions.DependencyInjection;

namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>Registers a file-backed <see cref="EmbeddingCache"/> that is loaded on first use and saved when the container is disposed.</summary>
public static class EmbeddingCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="EmbeddingCache"/> (a singleton) loaded from <paramref name="path"/> when it is first
    /// resolved (empty when the file does not exist yet), and saved back to <paramref name="path"/> when the container is
    /// disposed — so embeddings computed during the process's life are not computed again after a restart.
    /// <c>AddOnnxEmbeddingGenerator</c> uses it when its options name no other cache.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="path">The cache file, for example <c>embeddings.cache</c> next to an index.</param>
    /// <param name="capacityBytes">The cache's byte budget (see <see cref="EmbeddingCache(long)"/>). Default 64 MiB.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <remarks>A failure to save on disposal (a full disk) is not thrown from disposal: the previous file stays intact
    /// (the save is atomic) and the cache is simply not updated.</remarks>
    public static IServiceCollection AddEmbeddingCache(this IServiceCollection services, string path, long capacityBytes = 64L << 20)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, 1024);
        var fullPath = Path.GetFullPath(path);
        services.AddSingleton(_ => new EmbeddingCacheFile(fullPath, EmbeddingCache.LoadOrCreate(fullPath, capacityBytes)));
        services.AddSingleton(provider => provider.GetRequiredService<EmbeddingCacheFile>().Cache);
        return services;
    }
}

/// <summary>A cache and the file it is saved to when the container disposes it.</summary>
/// <param name="path">The cache file.</param>
/// <param name="cache">The cache.</param>
public sealed class EmbeddingCacheFile(string path, EmbeddingCache cache) : IDisposable
{
    /// <summary>The cache file.</summary>
    public string Path { get; } = path;

    /// <summary>The cache.</summary>
    public EmbeddingCache Cache { get; } = cache;

    /// <summary>Whether the last save failed (the file then keeps its previous content).</summary>
    public Exception? LastSaveError { get; private set; }

    /// <summary>Saves the cache to <see cref="Path"/>.</summary>
    public void Dispose()
    {
        try
        {
            Cache.Save(Path);
            LastSaveError = null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LastSaveError = ex;
        }
    }
}
