using Microsoft.Extensions.AI;

namespace Werkly.VectorIndex.VectorData.ConformanceSuite.Support;

/// <summary>A deterministic embedding generator for tests: each known word adds a fixed direction, so texts sharing words
/// are close. Counts its calls.</summary>
public sealed class TestEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private static readonly string[] Words = ["apple", "orange", "grape", "banana", "cherry", "lemon", "mango", "pear"];

    /// <summary>Embedding size.</summary>
    public const int Dimensions = 8;

    /// <summary>Texts embedded so far.</summary>
    public int Calls { get; private set; }

    /// <summary>The embedding of <paramref name="text"/>.</summary>
    public static float[] Embed(string text)
    {
        var vector = new float[Dimensions];
        var lower = text.ToLowerInvariant();
        for (var i = 0; i < Words.Length; i++)
        {
            if (lower.Contains(Words[i], StringComparison.Ordinal)) vector[i] = 1;
        }
        if (vector.All(v => v == 0)) vector[^1] = 0.01f;
        return vector;
    }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var list = values.ToList();
        Calls += list.Count;
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(list.Select(v => new Embedding<float>(Embed(v)))));
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
