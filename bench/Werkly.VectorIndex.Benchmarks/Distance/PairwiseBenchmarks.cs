using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Werkly.VectorIndex.Distance;

namespace Werkly.VectorIndex.Benchmarks.Distance;

/// <summary>One pair of vectors: ours against TensorPrimitives at the first-class dimensions.</summary>
[MemoryDiagnoser]
public class PairwiseBenchmarks
{
    private float[] _x = [];
    private float[] _y = [];

    [Params(384, 512, 1536)]
    public int Dimensions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _x = Enumerable.Range(0, Dimensions).Select(_ => (float)random.NextDouble()).ToArray();
        _y = Enumerable.Range(0, Dimensions).Select(_ => (float)random.NextDouble()).ToArray();
    }

    [Benchmark(Baseline = true)]
    public float TensorPrimitivesDot() => TensorPrimitives.Dot(_x, _y);

    [Benchmark]
    public float WerklyDot() => VectorDistance.Dot(_x, _y);

    [Benchmark]
    public float TensorPrimitivesCosine() => TensorPrimitives.CosineSimilarity(_x, _y);

    [Benchmark]
    public float WerklyCosine() => VectorDistance.Cosine(_x, _y);

    [Benchmark]
    public float WerklySquaredL2() => VectorDistance.SquaredL2(_x, _y);
}
