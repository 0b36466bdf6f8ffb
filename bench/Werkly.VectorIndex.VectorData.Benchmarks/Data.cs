using Microsoft.Extensions.VectorData;

namespace Werkly.VectorIndex.VectorData.Benchmarks;

/// <summary>A record of the benchmark.</summary>
public sealed class Chunk
{
    [VectorStoreKey] public string Key { get; set; } = "";
    [VectorStoreData(IsIndexed = true)] public string CompanyId { get; set; } = "";
    [VectorStoreData(IsIndexed = true)] public int Year { get; set; }
    [VectorStoreVector(384)] public ReadOnlyMemory<float> Vector { get; set; }
}

/// <summary>Deterministic clustered vectors.</summary>
internal static class Data
{
    public static ReadOnlyMemory<float>[] Clustered(int count, int dimensions, int clusters, Random random)
    {
        var centers = Enumerable.Range(0, clusters).Select(_ => Gaussian(dimensions, random, 1f)).ToArray();
        var result = new ReadOnlyMemory<float>[count];
        for (var i = 0; i < count; i++)
        {
            var center = centers[random.Next(clusters)];
            var noise = Gaussian(dimensions, random, 0.3f);
            for (var d = 0; d < dimensions; d++) noise[d] += center[d];
            result[i] = noise;
        }
        return result;
    }

    public static ReadOnlyMemory<float> Near(ReadOnlyMemory<float> vector, Random random)
    {
        var noise = Gaussian(vector.Length, random, 0.2f);
        var span = vector.Span;
        for (var d = 0; d < noise.Length; d++) noise[d] += span[d];
        return noise;
    }

    /// <summary>Reads an .fvecs file (each vector: its dimension as int32, then that many float32, little-endian).</summary>
    public static ReadOnlyMemory<float>[] ReadFvecs(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        var result = new List<ReadOnlyMemory<float>>();
        while (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            var dimensions = reader.ReadInt32();
            var vector = new float[dimensions];
            for (var d = 0; d < dimensions; d++) vector[d] = reader.ReadSingle();
            result.Add(vector);
        }
        return [.. result];
    }

    private static float[] Gaussian(int dimensions, Random random, float scale)
    {
        var v = new float[dimensions];
        for (var d = 0; d < dimensions; d++)
            v[d] = scale * (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return v;
    }
}
