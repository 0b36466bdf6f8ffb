using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Werkly.VectorIndex.Distance.Kernels;

namespace Werkly.VectorIndex.Benchmarks.Distance;

/// <summary>
/// Block scan throughput against the machine's single-thread memory read bandwidth, measured in the same run on an
/// array far larger than the caches (256 MiB). Divide bytes by the mean time to get GB/s: every method here reads the
/// same 256 MiB once per invocation, so their time ratio is the scan's share of memory bandwidth.
/// </summary>
[MemoryDiagnoser]
public class ScanBandwidthBenchmarks
{
    private const long Bytes = 256L << 20;
    private float[] _data = [];
    private float[] _query = [];
    private float[] _scores = [];

    [Params(384, 512, 1536)]
    public int Dimensions { get; set; }

    private int Rows => (int)(Bytes / 4 / Dimensions);

    [GlobalSetup]
    public void Setup()
    {
        _data = GC.AllocateArray<float>(Rows * Dimensions, pinned: true);
        var random = new Random(2);
        for (var i = 0; i < _data.Length; i++) _data[i] = (float)random.NextDouble();
        _query = Enumerable.Range(0, Dimensions).Select(_ => (float)random.NextDouble()).ToArray();
        _scores = new float[Rows];
    }

    /// <summary>The memory bandwidth reference: a plain vectorised sum of the whole array.</summary>
    [Benchmark(Baseline = true)]
    public float MemoryReadSum() => TensorPrimitives.Sum(_data);

    /// <summary>Our block kernel scoring every row of the array against one query.</summary>
    [Benchmark]
    public float BlockScanDot()
    {
        BlockKernel.Score<DotOperator>(_query, _data, Dimensions, _scores);
        return _scores[^1];
    }

    /// <summary>The same scan one pair at a time with TensorPrimitives.Dot, for contrast.</summary>
    [Benchmark]
    public float PairwiseTensorPrimitivesScan()
    {
        var last = 0f;
        for (var r = 0; r < Rows; r++) last = TensorPrimitives.Dot(_query, _data.AsSpan(r * Dimensions, Dimensions));
        return last;
    }
}
