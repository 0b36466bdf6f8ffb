using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Werkly.VectorIndex.Embeddings.Onnx.Tests;

public sealed class ServiceCollectionTests
{
    [Fact]
    public async Task Registers_one_generator_as_itself_and_as_the_abstraction()
    {
        var cache = new EmbeddingCache(1 << 20);
        var services = new ServiceCollection().AddOnnxEmbeddingGenerator(configure: options => options.Cache = cache);
        await using var provider = services.BuildServiceProvider();
        var abstraction = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var concrete = provider.GetRequiredService<OnnxEmbeddingGenerator>();
        Assert.Same(concrete, abstraction);
        Assert.Same(cache, concrete.Cache);
        var vector = await abstraction.GenerateVectorAsync("hello world");
        Assert.Equal(384, vector.Length);
    }
}
