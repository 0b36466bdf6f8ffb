using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Werkly.VectorIndex.Distance.Kernels;

namespace Werkly.VectorIndex.Benchmarks.Distance;

/// <summary>
/// The SQ8 block kernel at each width on one block of 8-bit codes (2,048 rows, cache-resident at 384 dimensions), next
/// to the float32 block kernel on the same rows as float: which width the dispatcher should take, and what the 4×
/// smaller rows buy when the data is in cache (in a list scan from memory the ratio follows the bytes).
/// </summary>
[MemoryDiagnoser]
public class CodeScanBenchmarks
{
    private const int Rows = 2048;
    private byte[] _codes = [];
    private byte[] _query = [];
    private int[] _sums = [];
    private float[] _floats = [];
    private float[] _floatQuery = [];
    private float[] _scores = [];

    [Params(384, 1536)]
    public int Dimensions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        _codes = GC.AllocateArray<byte>(Rows * Dimensions, pinned: true);
        random.NextBytes(_codes);
        _query = new byte[Dimensions];
        random.NextBytes(_query);
        _sums = new int[Rows];
        _floats = GC.AllocateArray<float>(Rows * Dimensions, pinned: true);
        for (var i = 0; i < _floats.Length; i++) _floats[i] = _codes[i];
        _floatQuery = _query.Select(b => (float)(sbyte)b).ToArray();
        _scores = new float[Rows];
    }

    [Benchmark(Baseline = true)]
    public float FloatBlockDot()
    {
        BlockKernel.Score<DotOperator>(_floatQuery, _floats, Dimensions, _scores);
        return _scores[^1];
    }

    /// <summary>What <see cref="CodeBlockKernel.Score{TOp}"/> dispatches to on this machine.</summary>
    [Benchmark]
    public int CodeDot()
    {
        CodeBlockKernel.Score<CodeDotOperator>(_query, _codes, Dimensions, _sums);
        return _sums[^1];
    }

    [Benchmark]
    public int CodeDot512() => Run<CodeDotOperator>(64);

    [Benchmark]
    public int CodeDot256() => Run<CodeDotOperator>(32);

    [Benchmark]
    public int CodeDot128() => Run<CodeDotOperator>(16);

    [Benchmark]
    public int CodeSquaredL2_512() => Run<CodeSquaredDifferenceOperator>(64);

    [Benchmark]
    public int CodeSquaredL2_256() => Run<CodeSquaredDifferenceOperator>(32);

    private int Run<TOp>(int width)
        where TOp : struct, ICodeOperator
    {
        ref var q = ref MemoryMarshal.GetArrayDataReference(_query);
        ref var b = ref MemoryMarshal.GetArrayDataReference(_codes);
        ref var s = ref MemoryMarshal.GetArrayDataReference(_sums);
        switch (width)
        {
            case 64: CodeBlockKernel.Score512<TOp>(ref q, ref b, (nuint)Dimensions, ref s, Rows); break;
            case 32: CodeBlockKernel.Score256<TOp>(ref q, ref b, (nuint)Dimensions, ref s, Rows); break;
            default: CodeBlockKernel.Score128<TOp>(ref q, ref b, (nuint)Dimensions, ref s, Rows); break;
        }
        return _sums[^1];
    }
}
