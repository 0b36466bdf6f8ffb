namespace Werkly.VectorIndex.Embeddings.Onnx.Tests;

/// <summary>Finds test data relative to the repository root.</summary>
internal static class TestData
{
    internal static string RepoRoot { get; } = FindRepoRoot();

    internal static string PathOf(params string[] parts) => Path.Combine([RepoRoot, "tests", "data", .. parts]);

    private static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Werkly.VectorIndex.sln")))
                return directory.FullName;
        }

        throw new InvalidOperationException($"Werkly.VectorIndex.sln not found above {AppContext.BaseDirectory}.");
    }
}

/// <summary>One loaded all-MiniLM-L6-v2 generator shared by the test classes (loading costs about a second).</summary>
public sealed class DefaultModelFixture : IDisposable
{
    public DefaultModelFixture() => Generator = OnnxEmbeddingGenerator.CreateDefault();

    public OnnxEmbeddingGenerator Generator { get; }

    public void Dispose() => Generator.Dispose();
}

[CollectionDefinition(Name)]
public sealed class DefaultModelGroup : ICollectionFixture<DefaultModelFixture>
{
    public const string Name = "default model";
}

internal static class VectorAssert
{
    internal static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > tolerance)
                Assert.Fail($"Component {i}: expected {expected[i]}, got {actual[i]} (tolerance {tolerance}).");
        }
    }

    internal static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    internal static float Norm(ReadOnlySpan<float> a) => System.Numerics.Tensors.TensorPrimitives.Norm(a);
}
