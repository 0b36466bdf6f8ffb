namespace Werkly.VectorIndex.Embeddings.Onnx;

// CA1720: the members are named for the number formats they select, as ONNX and every runtime name them.
#pragma warning disable CA1720

/// <summary>The numeric precision an <see cref="OnnxEmbeddingModel"/> runs at.</summary>
public enum ModelPrecision
{
    /// <summary>The model file as it is (float32 weights and arithmetic).</summary>
    Float32 = 0,

    /// <summary>
    /// Dynamic int8 quantization, made from the float32 file on first load and cached on disk: the weights of every
    /// <c>MatMul</c> and <c>Gemm</c> become int8 (symmetric, one scale per output column), activations are quantized per
    /// call (<c>DynamicQuantizeLinear</c>) and multiplied in integers (<c>MatMulInteger</c>); everything else stays float32.
    /// What ONNX Runtime's <c>quantize_dynamic</c> does.
    /// </summary>
    Int8 = 1,
}
#pragma warning restore CA1720
