using System.Runtime.Intrinsics;
using Werkly.VectorIndex.Clustering;
using Werkly.VectorIndex.Distance.Kernels;

namespace Werkly.VectorIndex.Ivf;

/// <summary>
/// A scalar quantizer: each dimension d of a vector is stored as one code
/// <c>c_d = round((x_d − Minimum_d) / Step_d)</c> clamped to 0…<see cref="MaxCode"/>, and read back as
/// <c>Minimum_d + Step_d · c_d</c>. With 8 bits (SQ8) a code is a byte (0…255); with 4 bits (SQ4) the same ranges are
/// cut into 15 steps and two codes share a byte (<see cref="NibbleBlockKernel"/> describes the packing).
/// </summary>
/// <remarks>
/// <para>Ranges are trained per dimension on a company's vectors (or on their residuals to the list centroids, which
/// are narrower): the plain minimum and maximum, or clipped at a quantile so that a few outliers do not stretch the
/// step for everyone. Values outside the range are clamped to it. The ranges are stored as the minimum and the 8-bit
/// step (<see cref="RangeStep"/>); the 4-bit step is 17 times it (255 / 15), so one trained range set serves both
/// widths (<see cref="WithBits"/>).</para>
/// <para>Precision: a value inside its dimension's range reads back within <c>Step_d / 2</c> (plus float rounding).</para>
/// <para>Determinism: training reads a sample chosen by <see cref="ScalarQuantizerTraining.Seed"/> and takes exact order
/// statistics of each dimension, and encoding is element-wise IEEE arithmetic, so the same vectors and settings give
/// bit-identical ranges and codes on any machine.</para>
/// <para>Threading: immutable after training; any number of threads may encode, decode and prepare queries.</para>
/// <para>Inputs are finite vectors of <see cref="Dimensions"/> floats, as validated at the index's door; training
/// rejects non-finite values.</para>
/// </remarks>
internal sealed class ScalarQuantizer
{
    /// <summary>The largest 8-bit code.</summary>
    public const int Levels = 255;

    /// <summary>The largest 4-bit code.</summary>
    public const int FourBitLevels = 15;

    /// <summary>The largest magnitude of a quantized query component.</summary>
    public const int QueryLevels = 127;

    private readonly float[] _minimum;
    private readonly float[] _rangeStep;
    private readonly float[] _step;
    private readonly float[] _inverseStep;

    /// <summary>Creates a quantizer from trained ranges.</summary>
    /// <param name="minimum">Each dimension's minimum.</param>
    /// <param name="rangeStep">Each dimension's 8-bit step: (maximum − minimum) / 255.</param>
    /// <param name="bits">8 (one code a byte) or 4 (two codes a byte).</param>
    public ScalarQuantizer(ReadOnlySpan<float> minimum, ReadOnlySpan<float> rangeStep, int bits = 8)
    {
        if (minimum.Length != rangeStep.Length) throw new ArgumentException($"{minimum.Length} minimums but {rangeStep.Length} steps.", nameof(rangeStep));
        if (minimum.Length == 0) throw new ArgumentException("A quantizer needs at least one dimension.", nameof(minimum));
        if (bits is not (8 or 4)) throw new ArgumentOutOfRangeException(nameof(bits), bits, "Codes have 8 or 4 bits.");
        Dimensions = minimum.Length;
        Bits = bits;
        MaxCode = bits == 8 ? Levels : FourBitLevels;
        CodeStride = bits == 8 ? CodeBlockKernel.StrideFor(Dimensions) : NibbleBlockKernel.StrideFor(Dimensions);
        QueryStride = bits == 8 ? CodeStride : 2 * CodeStride;
        _minimum = minimum.ToArray();
        _rangeStep = rangeStep.ToArray();
        _step = new float[Dimensions];
        _inverseStep = new float[Dimensions];
        for (var d = 0; d < Dimensions; d++)
        {
            if (!float.IsFinite(_minimum[d]) || !float.IsFinite(_rangeStep[d]) || _rangeStep[d] < 0)
                throw new ArgumentException($"Dimension {d} has minimum {_minimum[d]} and step {_rangeStep[d]}; both must be finite and the step non-negative.", nameof(rangeStep));
            _step[d] = bits == 8 ? _rangeStep[d] : _rangeStep[d] * (Levels / FourBitLevels);
            _inverseStep[d] = _step[d] > 0 ? 1 / _step[d] : 0; // a constant dimension encodes as 0 and reads back exactly
        }
    }

    public int Dimensions { get; }

    /// <summary>Bits per code: 8 or 4.</summary>
    public int Bits { get; }

    /// <summary>The largest code: 255 or 15.</summary>
    public int MaxCode { get; }

    /// <summary>Bytes per stored code row, zero-padded: <see cref="Dimensions"/> rounded up to 64 for 8 bits
    /// (<see cref="CodeBlockKernel"/>), rounded up to 128 and halved for 4 bits (<see cref="NibbleBlockKernel"/>).</summary>
    public int CodeStride { get; }

    /// <summary>Bytes of a quantized query (<see cref="EncodeQuery"/>): one per code of a row.</summary>
    public int QueryStride { get; }

    public ReadOnlySpan<float> Minimum => _minimum;

    /// <summary>Each dimension's step between two codes at this width.</summary>
    public ReadOnlySpan<float> Step => _step;

    /// <summary>Each dimension's 8-bit step, whatever the width: with <see cref="Minimum"/>, the trained ranges.</summary>
    public ReadOnlySpan<float> RangeStep => _rangeStep;

    /// <summary>A quantizer over the same ranges with <paramref name="bits"/> bits per code (this one when equal).</summary>
    public ScalarQuantizer WithBits(int bits) => bits == Bits ? this : new ScalarQuantizer(_minimum, _rangeStep, bits);

    /// <summary>
    /// Trains per-dimension 8-bit ranges (<see cref="WithBits"/> turns them into 4-bit codes) on <paramref name="count"/> rows of <paramref name="vectors"/> (<paramref name="stride"/>
    /// floats apart, the first <paramref name="dimensions"/> of each used).
    /// </summary>
    public static ScalarQuantizer Train(ReadOnlySpan<float> vectors, int count, int stride, int dimensions, ScalarQuantizerTraining? settings = null)
    {
        settings ??= ScalarQuantizerTraining.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, dimensions);
        if (vectors.Length < (long)(count - 1) * stride + dimensions) throw new ArgumentException($"{vectors.Length} floats hold fewer than {count} rows of stride {stride}.", nameof(vectors));
        if (settings.ClipQuantile is < 0 or > 0.05 || double.IsNaN(settings.ClipQuantile))
            throw new ArgumentOutOfRangeException(nameof(settings), settings.ClipQuantile, "The clip quantile must be in [0, 0.05].");
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaxSampleRows, 1, nameof(settings));

        var n = Math.Min(count, settings.MaxSampleRows);
        var rows = n == count ? null : KMeans.SampleIndices(count, n, new Random(settings.Seed));
        // The order statistics at `low` and n − 1 − low of each dimension, exactly as a sort would find them, from the
        // (low + 1) smallest and largest values seen, kept sorted per dimension: one pass over the rows, no column copy.
        var low = (int)Math.Floor(settings.ClipQuantile * (n - 1));
        var m = low + 1;
        var smallest = new float[dimensions * m];
        var largest = new float[dimensions * m];
        Array.Fill(smallest, float.PositiveInfinity);
        Array.Fill(largest, float.NegativeInfinity);
        for (var i = 0; i < n; i++)
        {
            var r = rows?[i] ?? i;
            var row = vectors.Slice(r * stride, dimensions);
            for (var d = 0; d < dimensions; d++)
            {
                var value = row[d];
                if (!float.IsFinite(value)) throw new ArgumentException($"Row {r} has {value} in dimension {d}; training needs finite values.", nameof(vectors));
                var lows = smallest.AsSpan(d * m, m);
                if (value < lows[m - 1]) InsertAscending(lows, value);
                var highs = largest.AsSpan(d * m, m);
                if (value > highs[m - 1]) InsertDescending(highs, value);
            }
        }

        var minimum = new float[dimensions];
        var step = new float[dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            minimum[d] = smallest[d * m + low];
            step[d] = (largest[d * m + low] - minimum[d]) / Levels;
        }
        return new ScalarQuantizer(minimum, step);
    }

    /// <summary>Puts <paramref name="value"/> into ascending <paramref name="buffer"/>, dropping its largest entry.</summary>
    private static void InsertAscending(Span<float> buffer, float value)
    {
        var i = buffer.Length - 1;
        for (; i > 0 && buffer[i - 1] > value; i--) buffer[i] = buffer[i - 1];
        buffer[i] = value;
    }

    /// <summary>Puts <paramref name="value"/> into descending <paramref name="buffer"/>, dropping its smallest entry.</summary>
    private static void InsertDescending(Span<float> buffer, float value)
    {
        var i = buffer.Length - 1;
        for (; i > 0 && buffer[i - 1] < value; i--) buffer[i] = buffer[i - 1];
        buffer[i] = value;
    }

    /// <summary>Writes the code of <paramref name="vector"/> into the first <see cref="CodeStride"/> bytes of <paramref name="code"/> (padding zeroed).</summary>
    public void Encode(ReadOnlySpan<float> vector, Span<byte> code) => Encode(vector, default, code);

    /// <summary>
    /// Writes the code of <paramref name="vector"/> − <paramref name="centroid"/> (a residual; an empty centroid encodes the
    /// vector itself) into the first <see cref="CodeStride"/> bytes of <paramref name="code"/>, padding zeroed.
    /// </summary>
    public void Encode(ReadOnlySpan<float> vector, ReadOnlySpan<float> centroid, Span<byte> code)
    {
        CheckLength(vector.Length, nameof(vector));
        if (!centroid.IsEmpty) CheckLength(centroid.Length, nameof(centroid));
        if (code.Length < CodeStride) throw new ArgumentException($"The code buffer holds {code.Length} bytes; {CodeStride} are needed.", nameof(code));
        if (Bits == 4)
        {
            EncodeFourBit(vector, centroid, code);
            return;
        }
        var d = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // 32 dimensions a pass: the same IEEE operations as the scalar loop below (round half to even), so both
            // give identical codes; the clamped levels narrow to bytes exactly.
            for (; d + 32 <= Dimensions; d += 32) Levels256(vector, centroid, d).CopyTo(code[d..]);
        }
        for (; d < Dimensions; d++) code[d] = Level(vector, centroid, d);
        code[Dimensions..CodeStride].Clear();
    }

    /// <summary>Packs two 4-bit codes a byte in 64-dimension blocks: dimension 64b + j in the low nibble of byte 32b + j
    /// and 64b + 32 + j in its high nibble (j &lt; 32).</summary>
    private void EncodeFourBit(ReadOnlySpan<float> vector, ReadOnlySpan<float> centroid, Span<byte> code)
    {
        code[..CodeStride].Clear();
        var d = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; d + 64 <= Dimensions; d += 64)
            {
                var low = Levels256(vector, centroid, d);
                var high = Levels256(vector, centroid, d + 32);
                (low | (high.AsUInt16() << 4).AsByte()).CopyTo(code[(d / 2)..]); // codes ≤ 15: no carry across bytes
            }
        }
        for (; d < Dimensions; d++)
        {
            var j = d & 63;
            var level = Level(vector, centroid, d);
            code[(d >> 6) * 32 + (j & 31)] |= (byte)(j < 32 ? level : level << 4);
        }
    }

    private byte Level(ReadOnlySpan<float> vector, ReadOnlySpan<float> centroid, int d)
    {
        var value = centroid.IsEmpty ? vector[d] : vector[d] - centroid[d];
        var level = MathF.Round((value - _minimum[d]) * _inverseStep[d]);
        return (byte)Math.Clamp(level, 0f, MaxCode); // NaN never arrives (validated), Clamp keeps ±∞ in range
    }

    /// <summary>The codes of dimensions [d, d + 32) as bytes, by the scalar formula's IEEE operations.</summary>
    private Vector256<byte> Levels256(ReadOnlySpan<float> vector, ReadOnlySpan<float> centroid, int d)
    {
        var l0 = Level256(vector, centroid, d);
        var l1 = Level256(vector, centroid, d + 8);
        var l2 = Level256(vector, centroid, d + 16);
        var l3 = Level256(vector, centroid, d + 24);
        return Vector256.Narrow(Vector256.Narrow(l0, l1), Vector256.Narrow(l2, l3));
    }

    private Vector256<uint> Level256(ReadOnlySpan<float> vector, ReadOnlySpan<float> centroid, int d)
    {
        var value = Vector256.Create(vector.Slice(d, 8));
        if (!centroid.IsEmpty) value -= Vector256.Create(centroid.Slice(d, 8));
        var level = Vector256.Round((value - Vector256.Create(_minimum.AsSpan(d, 8))) * Vector256.Create(_inverseStep.AsSpan(d, 8)));
        level = Vector256.Min(Vector256.Max(level, Vector256<float>.Zero), Vector256.Create((float)MaxCode));
        return Vector256.ConvertToInt32(level).AsUInt32();
    }

    /// <summary>The code of dimension <paramref name="d"/> in a stored row.</summary>
    public int CodeAt(ReadOnlySpan<byte> code, int d) => Bits == 8 ? code[d] : NibbleBlockKernel.CodeAt(code, d);

    /// <summary>Reads <paramref name="code"/> back into <paramref name="vector"/> (plus <paramref name="centroid"/> when it is a residual code).</summary>
    public void Decode(ReadOnlySpan<byte> code, ReadOnlySpan<float> centroid, Span<float> vector)
    {
        if (code.Length < CodeStride) throw new ArgumentException($"The code holds {code.Length} bytes; {CodeStride} are needed.", nameof(code));
        if (!centroid.IsEmpty) CheckLength(centroid.Length, nameof(centroid));
        CheckLength(vector.Length, nameof(vector));
        for (var d = 0; d < Dimensions; d++)
        {
            var value = MathF.FusedMultiplyAdd(_step[d], CodeAt(code, d), _minimum[d]);
            vector[d] = centroid.IsEmpty ? value : centroid[d] + value;
        }
    }

    /// <summary>
    /// Quantizes <paramref name="query"/> for inner products with stored codes: writes signed bytes (read as
    /// <see cref="sbyte"/>, one per dimension in dimension order, zero-padded to <see cref="QueryStride"/>) such that,
    /// for any stored code <c>c</c> with decoded vector <c>x̂</c> (its residual, for residual codes),
    /// <c>query · x̂ ≈ Offset + Scale · Σ_d queryCode_d · c_d</c>, the sum being <see cref="CodeBlockKernel"/> with
    /// <see cref="CodeDotOperator"/> (8 bits) or <see cref="NibbleBlockKernel"/> with <see cref="NibbleDotOperator"/> (4 bits).
    /// </summary>
    /// <remarks>
    /// The query is folded with the steps (<c>w_d = query_d · Step_d</c>) and <c>w</c> is rounded to ±127 levels of
    /// <c>max |w_d| / 127</c>, so the approximation adds at most <c>Scale / 2 · Σ_d c_d</c> of query rounding to the
    /// codes' own error. Exact re-ranking removes both.
    /// </remarks>
    public QueryCode EncodeQuery(ReadOnlySpan<float> query, Span<byte> queryCode)
    {
        CheckLength(query.Length, nameof(query));
        if (queryCode.Length < QueryStride) throw new ArgumentException($"The query code buffer holds {queryCode.Length} bytes; {QueryStride} are needed.", nameof(queryCode));
        double offset = 0;
        var largest = 0f;
        for (var d = 0; d < Dimensions; d++)
        {
            offset += (double)query[d] * _minimum[d];
            largest = Math.Max(largest, Math.Abs(query[d] * _step[d]));
        }
        var scale = largest / QueryLevels;
        var inverse = scale > 0 ? 1 / scale : 0;
        for (var d = 0; d < Dimensions; d++)
            queryCode[d] = (byte)(sbyte)Math.Clamp(MathF.Round(query[d] * _step[d] * inverse), -QueryLevels, QueryLevels);
        queryCode[Dimensions..QueryStride].Clear();
        return new QueryCode(scale, (float)offset);
    }

    private void CheckLength(int length, string paramName)
    {
        if (length != Dimensions) throw new ArgumentException($"Expected {Dimensions} floats, got {length}.", paramName);
    }
}

/// <summary>How an integer code sum becomes an approximate inner product: <c>Offset + Scale · sum</c>.</summary>
internal readonly record struct QueryCode(float Scale, float Offset)
{
    public float InnerProduct(int sum) => MathF.FusedMultiplyAdd(Scale, sum, Offset);
}

/// <summary>Settings of <see cref="ScalarQuantizer.Train"/>.</summary>
internal sealed record ScalarQuantizerTraining
{
    public static ScalarQuantizerTraining Default { get; } = new();

    /// <summary>
    /// Each dimension's range runs from this quantile of its values to one minus it (at most 0.05); 0 takes the minimum
    /// and maximum.
    /// Default 0.0001: on real MiniLM embeddings the SQ8 order recalled as well as with the plain minimum and maximum and better than 0.001 or 0.01 (docs/BENCHMARKS.md, SQ8).
    /// </summary>
    public double ClipQuantile { get; init; } = 0.0001;

    /// <summary>Training reads at most this many rows (a seeded random sample beyond it).</summary>
    public int MaxSampleRows { get; init; } = 16_384;

    public int Seed { get; init; } = 1234;
}
