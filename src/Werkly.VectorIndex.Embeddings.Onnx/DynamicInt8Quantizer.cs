using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>How many scales an int8 weight matrix gets.</summary>
internal enum WeightScales
{
    /// <summary>One scale per output column (per channel).</summary>
    PerColumn,

    /// <summary>One scale for the whole matrix (per tensor).</summary>
    PerTensor,
}

/// <summary>
/// Dynamic int8 quantization of an ONNX model, as ONNX Runtime's <c>quantize_dynamic</c> does it: every <c>MatMul</c> whose
/// second input is a float32 matrix initializer (and every plain <c>Gemm</c>) becomes
/// <c>DynamicQuantizeLinear(A) → MatMulInteger(A_q, W_q, A_zp, 0) → Cast → Mul(A_scale × W_scale)</c> with the weight
/// stored as symmetric int8; the rest of the graph (embeddings, layer norms, softmax, activation-by-activation products
/// of attention) stays float32. ONNX Runtime fuses the pattern into its VNNI/AVX-512 integer kernels
/// (<c>DynamicQuantizeMatMul</c>).
/// </summary>
/// <remarks>
/// Deterministic: the same source bytes give the same output bytes (rounding is to nearest even, node and tensor names
/// derive from the source's, and protobuf writes fields in a fixed order). Weights are scaled by <c>max |w| / 127</c>,
/// so int8 values lie in [-127, 127] and the u8 × s8 products of VNNI cannot saturate.
/// </remarks>
internal static class DynamicInt8Quantizer
{
    /// <summary>Changes whenever the output for a given source could change; part of the cache key.</summary>
    internal const string FormatVersion = "werkly-int8-dynamic/v1";

    /// <summary>The metadata key that marks a quantized model (value: <see cref="FormatVersion"/> and the scales).</summary>
    internal const string MetadataKey = "werkly.quantization";

    private const int Float = (int)TensorProto.Types.DataType.Float;
    private const int Int8 = (int)TensorProto.Types.DataType.Int8;
    private const string Prefix = "werkly_int8/";

    /// <summary>Reads an ONNX model from <paramref name="source"/> and writes its int8 version to <paramref name="destination"/>.</summary>
    /// <returns>How many weight matrices were quantized.</returns>
    /// <exception cref="InvalidDataException">The source is not an ONNX model this quantizer can handle (the message says why).</exception>
    internal static int Quantize(Stream source, Stream destination, WeightScales scales)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(source);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"not an ONNX model ({e.Message}).", e);
        }

        var quantized = Quantize(model, scales);
        model.WriteTo(destination);
        return quantized;
    }

    /// <summary>Rewrites <paramref name="model"/> in place; returns how many weight matrices were quantized.</summary>
    internal static int Quantize(ModelProto model, WeightScales scales)
    {
        var graph = model.Graph ?? throw new InvalidDataException("the model has no graph.");
        if (model.MetadataProps.Any(p => p.Key == MetadataKey))
            throw new InvalidDataException("the model is already quantized.");
        var opset = model.OpsetImport.FirstOrDefault(o => string.IsNullOrEmpty(o.Domain))?.Version ?? 0;
        if (opset < 11)
            throw new InvalidDataException($"the model uses ONNX opset {opset}; int8 quantization needs 11 or later (DynamicQuantizeLinear).");

        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var initializer in graph.Initializer)
            initializers[initializer.Name] = initializer;
        var uses = CountUses(graph);

        var nodes = new List<NodeProto>(graph.Node.Count * 2);
        var added = new List<TensorProto>();
        var quantizedInputs = new Dictionary<string, (string Value, string Scale, string ZeroPoint)>(StringComparer.Ordinal);
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var node in graph.Node)
        {
            if (TryWeight(node, initializers, out var weight, out var transpose))
            {
                var name = string.IsNullOrEmpty(node.Name) ? node.Output[0] : node.Name;
                var (k, n) = transpose ? ((int)weight.Dims[1], (int)weight.Dims[0]) : ((int)weight.Dims[0], (int)weight.Dims[1]);
                var matrix = ReadFloats(weight, transpose);
                var (values, scaleValues) = QuantizeWeight(matrix, k, n, scales);
                var weightName = Prefix + weight.Name + (transpose ? "/transposed" : string.Empty);
                if (!initializers.ContainsKey(weightName + "/int8"))
                {
                    var scaleDims = scales == WeightScales.PerColumn ? new long[] { n } : [];
                    added.Add(Tensor(weightName + "/int8", Int8, [k, n], MemoryMarshal.AsBytes(values.AsSpan())));
                    added.Add(FloatTensor(weightName + "/scale", scaleDims, scaleValues));
                    added.Add(Tensor(weightName + "/zero_point", Int8, scaleDims, new byte[scaleValues.Length]));
                    initializers[weightName + "/int8"] = added[^3];
                }

                var input = node.Input[0];
                if (!quantizedInputs.TryGetValue(input, out var activation))
                {
                    activation = (Prefix + input + "/u8", Prefix + input + "/scale", Prefix + input + "/zero_point");
                    nodes.Add(Node("DynamicQuantizeLinear", Prefix + input + "/quantize", [input], [activation.Value, activation.Scale, activation.ZeroPoint]));
                    quantizedInputs[input] = activation;
                }

                var hasBias = node.OpType == "Gemm" && node.Input.Count > 2 && node.Input[2].Length > 0;
                var output = hasBias ? Prefix + name + "/product" : node.Output[0];
                nodes.Add(Node("MatMulInteger", Prefix + name + "/matmul", [activation.Value, weightName + "/int8", activation.ZeroPoint, weightName + "/zero_point"], [Prefix + name + "/int32"]));
                var cast = Node("Cast", Prefix + name + "/cast", [Prefix + name + "/int32"], [Prefix + name + "/float"]);
                cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = Float });
                nodes.Add(cast);
                nodes.Add(Node("Mul", Prefix + name + "/scales", [activation.Scale, weightName + "/scale"], [Prefix + name + "/scale"]));
                nodes.Add(Node("Mul", Prefix + name + "/rescale", [Prefix + name + "/float", Prefix + name + "/scale"], [output]));
                if (hasBias)
                    nodes.Add(Node("Add", Prefix + name + "/bias", [output, node.Input[2]], [node.Output[0]]));

                uses[weight.Name]--;
                replaced.Add(weight.Name);
                count++;
            }
            else
            {
                nodes.Add(node);
            }
        }

        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        // A float weight goes only when no other node still reads it.
        var keep = graph.Initializer.Where(i => !replaced.Contains(i.Name) || uses[i.Name] > 0).ToArray();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(keep);
        graph.Initializer.AddRange(added);
        foreach (var name in replaced.Where(name => uses[name] == 0))
        {
            // Older exporters list initializers among the graph inputs too.
            var listed = graph.Input.FirstOrDefault(i => i.Name == name);
            if (listed is not null)
                graph.Input.Remove(listed);
        }

        model.MetadataProps.Add(new StringStringEntryProto
        {
            Key = MetadataKey,
            Value = $"{FormatVersion};weights=int8-symmetric;scales={(scales == WeightScales.PerColumn ? "per-column" : "per-tensor")};activations=uint8-dynamic",
        });
        return count;
    }

    /// <summary>Whether <paramref name="node"/> multiplies an activation by a float32 matrix initializer it can quantize.</summary>
    private static bool TryWeight(NodeProto node, Dictionary<string, TensorProto> initializers, out TensorProto weight, out bool transpose)
    {
        weight = null!;
        transpose = false;
        if (node.OpType is not ("MatMul" or "Gemm") || !string.IsNullOrEmpty(node.Domain) || node.Input.Count < 2)
            return false;
        if (initializers.ContainsKey(node.Input[0]) || !initializers.TryGetValue(node.Input[1], out var candidate))
            return false;
        if (candidate.DataType != Float || candidate.Dims.Count != 2 || candidate.Dims[0] < 1 || candidate.Dims[1] < 1)
            return false;
        if (candidate.DataLocation == TensorProto.Types.DataLocation.External)
            throw new InvalidDataException($"the weight '{candidate.Name}' is stored outside the model file; int8 quantization needs the weights inside it.");
        if (node.OpType == "Gemm")
        {
            foreach (var attribute in node.Attribute)
            {
                switch (attribute.Name)
                {
                    case "alpha" when attribute.F != 1f:
                    case "beta" when attribute.F != 1f:
                    case "transA" when attribute.I != 0:
                        return false;
                    case "transB":
                        transpose = attribute.I != 0;
                        break;
                }
            }
        }

        weight = candidate;
        return true;
    }

    /// <summary>Symmetric int8: each column (or the whole matrix) scaled by its largest magnitude over 127, rounded to nearest even.</summary>
    internal static (sbyte[] Values, float[] Scales) QuantizeWeight(float[] matrix, int rows, int columns, WeightScales scales)
    {
        var maxima = new float[scales == WeightScales.PerColumn ? columns : 1];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                ref var max = ref maxima[scales == WeightScales.PerColumn ? c : 0];
                max = MathF.Max(max, MathF.Abs(matrix[r * columns + c]));
            }
        }

        var scaleValues = new float[maxima.Length];
        for (var i = 0; i < maxima.Length; i++)
            scaleValues[i] = maxima[i] > 0f ? maxima[i] / 127f : 1f;

        var values = new sbyte[matrix.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var scale = scaleValues[scales == WeightScales.PerColumn ? c : 0];
                var q = MathF.Round(matrix[r * columns + c] / scale, MidpointRounding.ToEven);
                values[r * columns + c] = (sbyte)Math.Clamp(q, -127f, 127f);
            }
        }

        return (values, scaleValues);
    }

    /// <summary>The matrix as row-major [K, N] floats (transposed from [N, K] when <paramref name="transpose"/>).</summary>
    private static float[] ReadFloats(TensorProto tensor, bool transpose)
    {
        var (rows, columns) = ((int)tensor.Dims[0], (int)tensor.Dims[1]);
        var values = new float[rows * columns];
        if (tensor.FloatData.Count == values.Length)
        {
            tensor.FloatData.CopyTo(values, 0);
        }
        else
        {
            var raw = tensor.RawData.Span;
            if (raw.Length != values.Length * sizeof(float))
                throw new InvalidDataException($"the weight '{tensor.Name}' has {raw.Length} bytes of data for shape [{rows}, {columns}].");
            for (var i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
        }

        if (!transpose)
            return values;
        var transposed = new float[values.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
                transposed[c * rows + r] = values[r * columns + c];
        }

        return transposed;
    }

    private static Dictionary<string, int> CountUses(GraphProto graph)
    {
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var initializer in graph.Initializer)
            uses[initializer.Name] = 0;
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input)
            {
                if (uses.TryGetValue(input, out var n))
                    uses[input] = n + 1;
            }

            // Subgraphs (If, Loop) may read outer initializers: keep those.
            foreach (var attribute in node.Attribute)
            {
                if (attribute.G is not null || attribute.Graphs.Count > 0)
                {
                    foreach (var name in uses.Keys.ToArray())
                        uses[name] += 1;
                }
            }
        }

        foreach (var output in graph.Output)
        {
            if (uses.TryGetValue(output.Name, out var n))
                uses[output.Name] = n + 1;
        }

        return uses;
    }

    private static NodeProto Node(string opType, string name, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    private static TensorProto Tensor(string name, int dataType, long[] dims, ReadOnlySpan<byte> data)
    {
        var tensor = new TensorProto { Name = name, DataType = dataType, RawData = ByteString.CopyFrom(data) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private static TensorProto FloatTensor(string name, long[] dims, float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        return Tensor(name, Float, dims, bytes);
    }
}
