using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Werkly.VectorIndex.Embeddings.Onnx.Tests;

/// <summary><see cref="EmbeddingCacheServiceCollectionExtensions.AddEmbeddingCache"/>: the generator uses the registered
/// cache, the container's disposal saves it, and the next container starts from the saved file.</summary>
public sealed class EmbeddingCacheRegistrationTests
{
    [Fact]
    public async Task The_cache_is_saved_when_the_container_is_disposed_and_reused_after_a_restart()
    {
        var path = Path.Combine(Path.GetTempPath(), "werkly-cache-di-" + Guid.NewGuid().ToString("N")[..12], "embeddings.cache");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            float[] first;
            await using (var provider = new ServiceCollection().AddEmbeddingCache(path).AddOnnxEmbeddingGenerator().BuildServiceProvider())
            {
                var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
                first = (await generator.GenerateVectorAsync("How many vacation days do I get?")).ToArray();
                var cache = provider.GetRequiredService<EmbeddingCache>();
                Assert.Same(cache, provider.GetRequiredService<OnnxEmbeddingGenerator>().Cache);
                Assert.Equal(1, cache.Count);
                Assert.False(File.Exists(path));
            }
            Assert.True(File.Exists(path));

            await using (var provider = new ServiceCollection().AddEmbeddingCache(path).AddOnnxEmbeddingGenerator().BuildServiceProvider())
            {
                var cache = provider.GetRequiredService<EmbeddingCache>();
                Assert.Equal(1, cache.Count);
                var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
                var again = (await generator.GenerateVectorAsync("How many vacation days do I get?")).ToArray();
                Assert.Equal(first, again);
                Assert.Equal(1, cache.Hits);
                Assert.Equal(0, cache.Misses);
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void Arguments_are_checked()
    {
        Assert.Throws<ArgumentNullException>(() => EmbeddingCacheServiceCollectionExtensions.AddEmbeddingCache(null!, "x"));
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddEmbeddingCache(" "));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceCollection().AddEmbeddingCache("x", 10));
    }
}
