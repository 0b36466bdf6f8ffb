using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Werkly.VectorIndex.Clustering;
using Werkly.VectorIndex.Distance.Kernels;
using Werkly.VectorIndex.Ivf;

namespace Werkly.VectorIndex.AnnBench;

/// <summary>How the SQ8 ranges are trained.</summary>
internal enum CodeScheme
{
    /// <summary>Per-dimension ranges over the vectors themselves.</summary>
    Direct,

    /// <summary>Per-dimension ranges over the residuals to each vector's list centroid (one range set for all lists).</summary>
    Residual,
}

/// <summary>
/// The SQ8 prototype: IVF lists trained exactly as <c>IvfIndex</c> trains them (k-means++ on lists × 256 sampled rows,
/// seed 1234, spherical, 10 iterations), each list holding its float32 rows (row-major, 16-float stride, for the
/// float32 scan and for re-ranking) and its SQ8 codes (64-byte stride), in list order.
/// </summary>
/// <remarks>Inner product only (the data sets are unit vectors, so it is cosine). One search at a time per
/// <see cref="Searcher"/>; the lists themselves are read-only after construction.</remarks>
internal sealed class QuantizedLists
{
    private QuantizedLists(int dimensions, int listCount)
    {
        Dimensions = dimensions;
        Stride = BlockKernel.StrideFor(dimensions);
        ListCount = listCount;
        ListStart = new int[listCount + 1];
    }

    public int Dimensions { get; }
    public int Stride { get; }
    public int ListCount { get; }
    public float[] Centroids { get; private set; } = [];
    /// <summary>Position of each list's first row in <see cref="Floats"/>/<see cref="Codes"/>/<see cref="Ids"/>; one extra entry at the end.</summary>
    public int[] ListStart { get; }
    public float[] Floats { get; private set; } = [];
    public int[] Ids { get; private set; } = [];
    public byte[] Codes { get; private set; } = [];
    public ScalarQuantizer? Quantizer { get; private set; }
    public CodeScheme Scheme { get; private set; }
    public int CodeStride => Quantizer?.CodeStride ?? 0;
    public int RowCount => Ids.Length;
    public TimeSpan TrainTime { get; private set; }
    public TimeSpan AssignTime { get; private set; }
    public TimeSpan CodeTime { get; private set; }

    /// <summary>Trains the lists and lays out the float rows (the float32 IVF index).</summary>
    public static QuantizedLists Build(float[][] vectors, int listCount, int threads)
    {
        var n = vectors.Length;
        var lists = new QuantizedLists(vectors[0].Length, listCount);
        var stride = lists.Stride;
        var watch = Stopwatch.StartNew();
        var kmeans = new KMeansOptions { MaxDegreeOfParallelism = threads };
        var sampleSize = (int)Math.Min(n, (long)listCount * kmeans.MaxPointsPerCentroid);
        var chosen = KMeans.SampleIndices(n, sampleSize, new Random(kmeans.Seed));
        var sample = new float[(long)sampleSize * stride];
        for (var i = 0; i < sampleSize; i++) vectors[chosen[i]].CopyTo(sample.AsSpan(i * stride));
        lists.Centroids = KMeans.Train(sample, sampleSize, stride, listCount, kmeans);
        lists.TrainTime = watch.Elapsed;

        watch.Restart();
        var assignment = new int[n];
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => (Row: new float[stride], Scores: new float[listCount]), (i, _, s) =>
        {
            vectors[i].CopyTo(s.Row, 0);
            BlockKernel.Score<DotOperator>(s.Row, lists.Centroids, stride, s.Scores);
            assignment[i] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(s.Scores);
            return s;
        }, _ => { });
        foreach (var list in assignment) lists.ListStart[list + 1]++;
        for (var l = 0; l < listCount; l++) lists.ListStart[l + 1] += lists.ListStart[l];
        var next = lists.ListStart[..listCount];
        lists.Floats = GC.AllocateUninitializedArray<float>(n * stride, pinned: true);
        lists.Ids = new int[n];
        for (var i = 0; i < n; i++)
        {
            var at = next[assignment[i]]++;
            lists.Ids[at] = i;
            var row = lists.Floats.AsSpan(at * stride, stride);
            vectors[i].CopyTo(row);
            row[vectors[i].Length..].Clear();
        }
        lists.AssignTime = watch.Elapsed;
        return lists;
    }

    /// <summary>Trains the SQ8 ranges and encodes every row (replacing any earlier codes).</summary>
    public void Encode(CodeScheme scheme, double clipQuantile, int threads)
    {
        var watch = Stopwatch.StartNew();
        var n = RowCount;
        var training = new ScalarQuantizerTraining { ClipQuantile = clipQuantile };
        var source = Floats;
        var sourceRows = n;
        if (scheme == CodeScheme.Residual)
        {
            // Only the rows the training samples need their residuals: the same sample Train would draw.
            var sample = KMeans.SampleIndices(n, Math.Min(n, training.MaxSampleRows), new Random(training.Seed));
            var listOf = new int[n];
            for (var l = 0; l < ListCount; l++) listOf.AsSpan(ListStart[l], ListStart[l + 1] - ListStart[l]).Fill(l);
            source = new float[sample.Length * Stride];
            for (var i = 0; i < sample.Length; i++)
            {
                var at = sample[i];
                System.Numerics.Tensors.TensorPrimitives.Subtract(Floats.AsSpan(at * Stride, Stride), Centroids.AsSpan(listOf[at] * Stride, Stride), source.AsSpan(i * Stride, Stride));
            }
            sourceRows = sample.Length;
        }
        var residualTime = watch.Elapsed;
        Quantizer = ScalarQuantizer.Train(source, sourceRows, Stride, Dimensions, training);
        var trainTime = watch.Elapsed - residualTime;
        Scheme = scheme;
        var codeStride = Quantizer.CodeStride;
        Codes = GC.AllocateUninitializedArray<byte>(n * codeStride, pinned: true);
        var quantizer = Quantizer;
        Parallel.For(0, ListCount, new ParallelOptions { MaxDegreeOfParallelism = threads }, l =>
        {
            var centroid = scheme == CodeScheme.Residual ? Centroids.AsSpan(l * Stride, Dimensions) : default;
            for (var at = ListStart[l]; at < ListStart[l + 1]; at++)
                quantizer.Encode(Floats.AsSpan(at * Stride, Dimensions), centroid, Codes.AsSpan(at * codeStride, codeStride));
        });
        CodeTime = watch.Elapsed;
        CodeTimeParts = $"residuals {residualTime.TotalSeconds:F2} s, ranges {trainTime.TotalSeconds:F2} s, encoding {(CodeTime - trainTime - residualTime).TotalSeconds:F2} s";
    }

    public string CodeTimeParts { get; private set; } = "";

    /// <summary>SQ4 rows (two codes a byte, see <see cref="EncodeFourBit"/>), their stride, per-dimension steps and minimums.</summary>
    public byte[] Codes4 { get; private set; } = [];
    public int Code4Stride => CodeBlockKernel.StrideFor(Dimensions) / 2;
    public float[] Step4 { get; private set; } = [];
    public TimeSpan Code4Time { get; private set; }

    /// <summary>
    /// The 4-bit variant (prototype): the SQ8 ranges cut into 15 steps, residual codes packed two to a byte. In each
    /// 64-dimension block, byte j holds dimension j in its low nibble and dimension 32 + j in its high one, so one
    /// 32-byte load, a mask and a shift give two 32-code vectors in dimension order for VPDPBUSD.
    /// </summary>
    public void EncodeFourBit(int threads)
    {
        var watch = Stopwatch.StartNew();
        var quantizer = Quantizer ?? throw new InvalidOperationException("Train the SQ8 ranges first.");
        Step4 = new float[Dimensions];
        for (var d = 0; d < Dimensions; d++) Step4[d] = quantizer.Step[d] * ScalarQuantizer.Levels / 15;
        var stride4 = Code4Stride;
        Codes4 = GC.AllocateArray<byte>(RowCount * stride4, pinned: true);
        Parallel.For(0, ListCount, new ParallelOptions { MaxDegreeOfParallelism = threads }, l =>
        {
            for (var at = ListStart[l]; at < ListStart[l + 1]; at++)
            {
                var code = Codes4.AsSpan(at * stride4, stride4);
                for (var d = 0; d < Dimensions; d++)
                {
                    var value = Floats[at * Stride + d] - (Scheme == CodeScheme.Residual ? Centroids[l * Stride + d] : 0);
                    var level = Step4[d] > 0 ? (int)Math.Clamp(MathF.Round((value - quantizer.Minimum[d]) / Step4[d]), 0, 15) : 0;
                    int block = d / 64, j = d % 64;
                    code[block * 32 + (j & 31)] |= (byte)(j < 32 ? level : level << 4);
                }
            }
        });
        Code4Time = watch.Elapsed;
    }

    /// <summary>Bytes an SQ4 search keeps hot.</summary>
    public long Code4HotBytes => Codes4.Length + Ids.Length * 4L + Centroids.Length * 4L + Dimensions * 8L;

    /// <summary>Bytes a float32 search touches per row-independent structure: float rows, ids, centroids.</summary>
    public long FloatHotBytes => (long)Floats.Length * 4 + Ids.Length * 4L + Centroids.Length * 4L;

    /// <summary>Bytes an SQ8 search keeps hot: codes, ids, centroids, ranges (the float rows are read only for re-ranking).</summary>
    public long CodeHotBytes => Codes.Length + Ids.Length * 4L + Centroids.Length * 4L + Dimensions * 8L;

    /// <summary>Per-thread search state and the search variants.</summary>
    public sealed class Searcher
    {
        private readonly QuantizedLists _lists;
        private readonly float[] _query;
        private readonly float[] _centroidScores;
        private readonly int[] _order;
        private readonly float[] _rowScores;
        private readonly int[] _sums;
        private readonly byte[] _queryCode;
        private readonly float[] _weights;
        private readonly TopKHeap _heap = new();
        private float[] _heapScores = [];
        private int[] _heapRows = [];

        public Searcher(QuantizedLists lists)
        {
            _lists = lists;
            _query = new float[lists.Stride];
            _centroidScores = new float[lists.ListCount];
            _order = new int[lists.ListCount];
            var longest = 0;
            for (var l = 0; l < lists.ListCount; l++) longest = Math.Max(longest, lists.ListStart[l + 1] - lists.ListStart[l]);
            _rowScores = new float[longest];
            _sums = new int[longest];
            _queryCode = new byte[CodeBlockKernel.StrideFor(lists.Dimensions)];
            _weights = new float[CodeBlockKernel.StrideFor(lists.Dimensions)];
        }

        /// <summary>Rows scanned by the last search.</summary>
        public int Scanned { get; private set; }

        /// <summary>Stopwatch ticks the last SQ8 search spent choosing lists (centroid scores), scanning them, and re-ranking.</summary>
        public long ProbeTicks, ScanTicks, RerankTicks;

        /// <summary>The float32 IVF scan: the engine's block kernel over the probed lists' float rows.</summary>
        public int SearchFloat(float[] query, int probes, int k, Span<int> ids)
        {
            var probed = Probe(query, probes);
            _heap.Reset(k, static _ => "");
            Scanned = 0;
            var stride = _lists.Stride;
            for (var p = 0; p < probed; p++)
            {
                var list = _order[p];
                int start = _lists.ListStart[list], count = _lists.ListStart[list + 1] - start;
                var scores = _rowScores.AsSpan(0, count);
                BlockKernel.Score<DotOperator>(_query, _lists.Floats.AsSpan(start * stride, count * stride), stride, scores);
                for (var j = 0; j < count; j++)
                {
                    if (_heap.MayEnter(scores[j])) _heap.TryAdd(scores[j], start + j);
                }
                Scanned += count;
            }
            return Finish(k, ids);
        }

        /// <summary>SQ8: the quantized query against the probed lists' codes (integer kernel), the best
        /// <paramref name="candidates"/> re-ranked with the exact float32 rows.</summary>
        public int SearchCodes(float[] query, int probes, int k, int candidates, Span<int> ids)
        {
            var t0 = Stopwatch.GetTimestamp();
            var probed = Probe(query, probes);
            var t1 = Stopwatch.GetTimestamp();
            var quantizer = _lists.Quantizer!;
            var codeStride = quantizer.CodeStride;
            var q = quantizer.EncodeQuery(query, _queryCode);
            _heap.Reset(candidates, static _ => "");
            Scanned = 0;
            for (var p = 0; p < probed; p++)
            {
                var list = _order[p];
                int start = _lists.ListStart[list], count = _lists.ListStart[list + 1] - start;
                var sums = _sums.AsSpan(0, count);
                CodeBlockKernel.Score<CodeDotOperator>(_queryCode, _lists.Codes.AsSpan(start * codeStride, count * codeStride), codeStride, sums);
                // Residual codes: q·x = q·centroid + q·residual, and q·centroid is the list's score already computed.
                var offset = _lists.Scheme == CodeScheme.Residual ? q.Offset + _centroidScores[list] : q.Offset;
                for (var j = 0; j < count; j++)
                {
                    var score = MathF.FusedMultiplyAdd(q.Scale, sums[j], offset);
                    if (_heap.MayEnter(score)) _heap.TryAdd(score, start + j);
                }
                Scanned += count;
            }
            var t2 = Stopwatch.GetTimestamp();
            var found = Rerank(k, ids);
            ProbeTicks = t1 - t0;
            ScanTicks = t2 - t1;
            RerankTicks = Stopwatch.GetTimestamp() - t2;
            return found;
        }

        /// <summary>SQ4 (prototype): as <see cref="SearchCodes"/> on the 4-bit codes (half the bytes).</summary>
        public int SearchFourBit(float[] query, int probes, int k, int candidates, Span<int> ids)
        {
            var probed = Probe(query, probes);
            var quantizer = _lists.Quantizer!;
            var stride4 = _lists.Code4Stride;
            // Fold the query with the 4-bit steps and quantize it to ±127, as ScalarQuantizer.EncodeQuery does for SQ8.
            double offset = 0;
            var largest = 0f;
            for (var d = 0; d < _lists.Dimensions; d++)
            {
                offset += (double)query[d] * quantizer.Minimum[d];
                largest = Math.Max(largest, Math.Abs(query[d] * _lists.Step4[d]));
            }
            var scale = largest / 127;
            var inverse = scale > 0 ? 1 / scale : 0;
            for (var d = 0; d < _lists.Dimensions; d++)
                _queryCode[d] = (byte)(sbyte)Math.Clamp(MathF.Round(query[d] * _lists.Step4[d] * inverse), -127, 127);
            _heap.Reset(candidates, static _ => "");
            Scanned = 0;
            for (var p = 0; p < probed; p++)
            {
                var list = _order[p];
                int start = _lists.ListStart[list], count = _lists.ListStart[list + 1] - start;
                var sums = _sums.AsSpan(0, count);
                FourBitKernel.Score(_queryCode, _lists.Codes4.AsSpan(start * stride4, count * stride4), stride4, sums);
                var listOffset = (float)offset + (_lists.Scheme == CodeScheme.Residual ? _centroidScores[list] : 0);
                for (var j = 0; j < count; j++)
                {
                    var score = MathF.FusedMultiplyAdd(scale, sums[j], listOffset);
                    if (_heap.MayEnter(score)) _heap.TryAdd(score, start + j);
                }
                Scanned += count;
            }
            return Rerank(k, ids);
        }

        /// <summary>The alternative query handling: the float query (folded with the steps) against the codes widened to
        /// float, at 512 bits; same candidates and re-ranking as <see cref="SearchCodes"/>.</summary>
        public int SearchDequantized(float[] query, int probes, int k, int candidates, Span<int> ids)
        {
            var probed = Probe(query, probes);
            var quantizer = _lists.Quantizer!;
            var codeStride = quantizer.CodeStride;
            double offset = 0;
            for (var d = 0; d < _lists.Dimensions; d++)
            {
                _weights[d] = query[d] * quantizer.Step[d];
                offset += (double)query[d] * quantizer.Minimum[d];
            }
            _heap.Reset(candidates, static _ => "");
            Scanned = 0;
            for (var p = 0; p < probed; p++)
            {
                var list = _order[p];
                int start = _lists.ListStart[list], count = _lists.ListStart[list + 1] - start;
                var scores = _rowScores.AsSpan(0, count);
                DequantizedKernel.Score(_weights, _lists.Codes.AsSpan(start * codeStride, count * codeStride), codeStride, scores);
                var listOffset = (float)offset + (_lists.Scheme == CodeScheme.Residual ? _centroidScores[list] : 0);
                for (var j = 0; j < count; j++)
                {
                    var score = scores[j] + listOffset;
                    if (_heap.MayEnter(score)) _heap.TryAdd(score, start + j);
                }
                Scanned += count;
            }
            return Rerank(k, ids);
        }

        private int Probe(float[] query, int probes)
        {
            query.CopyTo(_query, 0);
            BlockKernel.Score<DotOperator>(_query, _lists.Centroids, _lists.Stride, _centroidScores);
            probes = Math.Min(probes, _lists.ListCount);
            // Partial insertion sort of the best `probes` lists, best first.
            var size = 0;
            for (var list = 0; list < _centroidScores.Length; list++)
            {
                var score = _centroidScores[list];
                if (size == probes && score <= _centroidScores[_order[size - 1]]) continue;
                var i = size < probes ? size++ : size - 1;
                while (i > 0 && _centroidScores[_order[i - 1]] < score)
                {
                    _order[i] = _order[i - 1];
                    i--;
                }
                _order[i] = list;
            }
            return size;
        }

        /// <summary>Exact float32 scores for the heap's candidates, the best k of them into <paramref name="ids"/>.</summary>
        private int Rerank(int k, Span<int> ids)
        {
            var m = DrainHeap();
            var stride = _lists.Stride;
            _heap.Reset(k, static _ => "");
            for (var i = 0; i < m; i++)
            {
                var at = _heapRows[i];
                var exact = PairKernel.Reduce<DotOperator>(_query, _lists.Floats.AsSpan(at * stride, stride));
                if (_heap.MayEnter(exact)) _heap.TryAdd(exact, at);
            }
            return Finish(k, ids);
        }

        private int DrainHeap()
        {
            if (_heapScores.Length < _heap.Count)
            {
                _heapScores = new float[_heap.Capacity];
                _heapRows = new int[_heap.Capacity];
            }
            return _heap.Drain(_heapScores, _heapRows);
        }

        private int Finish(int k, Span<int> ids)
        {
            var m = DrainHeap();
            for (var i = 0; i < m; i++) ids[i] = _lists.Ids[_heapRows[i]];
            return m;
        }
    }

    /// <summary>Signed 8-bit query against packed 4-bit codes (AVX-VNNI, 256 bits), four rows per pass.</summary>
    private static class FourBitKernel
    {
        public static void Score(ReadOnlySpan<byte> query, ReadOnlySpan<byte> codes, int stride4, Span<int> scores)
        {
            if (!AvxVnni.IsSupported) throw new PlatformNotSupportedException("The SQ4 prototype kernel is written for AVX-VNNI only.");
            ref var q = ref MemoryMarshal.GetReference(query);
            ref var row = ref MemoryMarshal.GetReference(codes);
            var n = (nuint)stride4;
            var r = 0;
            for (; r + 4 <= scores.Length; r += 4)
            {
                Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
                for (nuint b = 0; b < n; b += 32)
                {
                    var qLow = Vector256.LoadUnsafe(ref q, 2 * b).AsSByte();
                    var qHigh = Vector256.LoadUnsafe(ref q, 2 * b + 32).AsSByte();
                    a0 = Step(a0, Vector256.LoadUnsafe(ref row, b), qLow, qHigh);
                    a1 = Step(a1, Vector256.LoadUnsafe(ref row, n + b), qLow, qHigh);
                    a2 = Step(a2, Vector256.LoadUnsafe(ref row, 2 * n + b), qLow, qHigh);
                    a3 = Step(a3, Vector256.LoadUnsafe(ref row, 3 * n + b), qLow, qHigh);
                }
                scores[r] = Vector256.Sum(a0);
                scores[r + 1] = Vector256.Sum(a1);
                scores[r + 2] = Vector256.Sum(a2);
                scores[r + 3] = Vector256.Sum(a3);
                row = ref Unsafe.Add(ref row, 4 * n);
            }
            for (; r < scores.Length; r++)
            {
                Vector256<int> a0 = default;
                for (nuint b = 0; b < n; b += 32)
                    a0 = Step(a0, Vector256.LoadUnsafe(ref row, b), Vector256.LoadUnsafe(ref q, 2 * b).AsSByte(), Vector256.LoadUnsafe(ref q, 2 * b + 32).AsSByte());
                scores[r] = Vector256.Sum(a0);
                row = ref Unsafe.Add(ref row, n);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<int> Step(Vector256<int> acc, Vector256<byte> packed, Vector256<sbyte> qLow, Vector256<sbyte> qHigh)
        {
            var mask = Vector256.Create((byte)0x0F);
            acc = AvxVnni.MultiplyWideningAndAdd(acc, packed & mask, qLow);
            return AvxVnni.MultiplyWideningAndAdd(acc, (packed.AsUInt16() >> 4).AsByte() & mask, qHigh);
        }
    }

    /// <summary>Float weights against 8-bit codes widened to float (VPMOVZXBD, VCVTDQ2PS, FMA), four rows per pass.</summary>
    private static class DequantizedKernel
    {
        public static void Score(ReadOnlySpan<float> weights, ReadOnlySpan<byte> codes, int stride, Span<float> scores)
        {
            if (!Avx512F.IsSupported) throw new PlatformNotSupportedException("The dequantized comparison kernel is written for AVX-512 only.");
            ref var w = ref MemoryMarshal.GetReference(weights);
            ref var row = ref MemoryMarshal.GetReference(codes);
            var n = (nuint)stride;
            var r = 0;
            for (; r + 4 <= scores.Length; r += 4)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (nuint d = 0; d < n; d += 16)
                {
                    var vw = Vector512.LoadUnsafe(ref w, d);
                    a0 = Avx512F.FusedMultiplyAdd(Widen(ref row, d), vw, a0);
                    a1 = Avx512F.FusedMultiplyAdd(Widen(ref row, n + d), vw, a1);
                    a2 = Avx512F.FusedMultiplyAdd(Widen(ref row, 2 * n + d), vw, a2);
                    a3 = Avx512F.FusedMultiplyAdd(Widen(ref row, 3 * n + d), vw, a3);
                }
                scores[r] = Vector512.Sum(a0);
                scores[r + 1] = Vector512.Sum(a1);
                scores[r + 2] = Vector512.Sum(a2);
                scores[r + 3] = Vector512.Sum(a3);
                row = ref Unsafe.Add(ref row, 4 * n);
            }
            for (; r < scores.Length; r++)
            {
                Vector512<float> a0 = default;
                for (nuint d = 0; d < n; d += 16)
                    a0 = Avx512F.FusedMultiplyAdd(Widen(ref row, d), Vector512.LoadUnsafe(ref w, d), a0);
                scores[r] = Vector512.Sum(a0);
                row = ref Unsafe.Add(ref row, n);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Widen(ref byte codes, nuint offset) =>
            Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref codes, offset)));
    }
}
