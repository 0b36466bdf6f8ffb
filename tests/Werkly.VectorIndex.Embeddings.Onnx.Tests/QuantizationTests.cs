using System.IO.Compression;
using System.Numerics.Tensors;
using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Werkly.VectorIndex.Embeddings.Onnx.Tests;

/// <summary>The int8 model: made deterministically from the float32 one, cached, and close to it.</summary>
[Collection(DefaultModelGroup.Name)]
public sealed class QuantizationTests(DefaultModelFixture fixture, Int8ModelFixture quantized) : IClassFixture<Int8ModelFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("werkly-int8-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Quantizing_the_same_model_twice_gives_the_same_bytes()
    {
        var source = fixture.Generator.Model.ModelPath;
        var first = Path.Combine(_directory, "first.onnx");
        var second = Path.Combine(_directory, "second.onnx");
        QuantizedModelFiles.Write(source, first, WeightScales.PerColumn);
        QuantizedModelFiles.Write(source, second, WeightScales.PerColumn);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(first)), SHA256.HashData(File.ReadAllBytes(second)));
        // And the generator's cached copy, made by another call in another folder, is the same file.
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(first)), SHA256.HashData(File.ReadAllBytes(quantized.Generator.LoadedModelPath)));
    }

    [Fact]
    public void The_int8_model_quantizes_every_weight_matrix_and_nothing_else()
    {
        var source = ModelProto.Parser.ParseFrom(File.ReadAllBytes(fixture.Generator.Model.ModelPath));
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(quantized.Generator.LoadedModelPath));
        int Count(ModelProto m, string op) => m.Graph.Node.Count(n => n.OpType == op);

        // all-MiniLM-L6-v2: 6 layers × (Q, K, V, output, two feed-forward) = 36 weight MatMuls, the pooler's Gemm, and
        // 12 activation × activation MatMuls of attention that stay float32.
        Assert.Equal(37, Count(model, "MatMulInteger"));
        Assert.Equal(Count(source, "MatMul") - 36, Count(model, "MatMul"));
        Assert.Equal(12, Count(model, "MatMul"));
        Assert.Equal(0, Count(model, "Gemm"));
        // Q, K and V share one quantized input: one DynamicQuantizeLinear per distinct activation.
        Assert.Equal(6 * 4 + 1, Count(model, "DynamicQuantizeLinear"));
        Assert.Equal(37 * 3, model.Graph.Initializer.Count(i => i.Name.StartsWith("werkly_int8/", StringComparison.Ordinal)));
        Assert.All(model.Graph.Initializer.Where(i => i.Name.EndsWith("/int8", StringComparison.Ordinal)),
            i => Assert.Equal((int)TensorProto.Types.DataType.Int8, i.DataType));
        Assert.Contains(model.MetadataProps, p => p.Key == DynamicInt8Quantizer.MetadataKey && p.Value.Contains("per-column", StringComparison.Ordinal));
        Assert.True(new FileInfo(quantized.Generator.LoadedModelPath).Length < 0.7 * new FileInfo(fixture.Generator.Model.ModelPath).Length);
    }

    [Fact]
    public async Task Int8_vectors_stay_close_to_float32_on_the_tokenizer_parity_texts()
    {
        var texts = ParityTexts().Take(300).ToArray();
        var expected = await fixture.Generator.GenerateAsync(texts);
        var actual = await quantized.Generator.GenerateAsync(texts);
        var cosines = texts.Select((_, i) => TensorPrimitives.CosineSimilarity(expected[i].Vector.Span, actual[i].Vector.Span)).ToArray();
        // Measured over all 1,637 parity texts: mean 0.9946, minimum 0.9720 (docs/EMBEDDINGS.md).
        Assert.True(cosines.Average() >= 0.99, $"mean cosine {cosines.Average():F4}");
        Assert.True(cosines.Min() >= 0.96, $"minimum cosine {cosines.Min():F4} ('{texts[Array.IndexOf(cosines, cosines.Min())]}')");
        Assert.All(actual, e => Assert.Equal(1f, VectorAssert.Norm(e.Vector.Span), 1e-4f));
    }

    [Fact]
    public async Task Int8_keeps_the_meaning_a_search_needs()
    {
        var query = (await quantized.Generator.GenerateAsync(["how do I reset my password"], EmbeddingInputKind.Query))[0].Vector;
        var documents = await quantized.Generator.GenerateAsync([
            "To change a forgotten password, open the login page and click 'reset password'.",
            "The cafeteria serves lunch from noon to two.",
        ]);
        Assert.True(VectorAssert.Dot(query.Span, documents[0].Vector.Span) > VectorAssert.Dot(query.Span, documents[1].Vector.Span) + 0.2f);
    }

    [Fact]
    public void The_cache_is_found_again_and_keyed_by_the_source_content()
    {
        var source = Path.Combine(_directory, "model.onnx");
        File.WriteAllBytes(source, TinyGemmModel(transB: true, bias: true).ToByteArray());
        var cache = Path.Combine(_directory, "cache");
        var path = QuantizedModelFiles.GetOrCreate(source, cache);
        var written = File.GetLastWriteTimeUtc(path);
        Assert.StartsWith(cache, path, StringComparison.Ordinal);
        Assert.Equal(path, QuantizedModelFiles.GetOrCreate(source, cache));
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));

        File.WriteAllBytes(source, TinyGemmModel(transB: false, bias: true).ToByteArray());
        Assert.NotEqual(path, QuantizedModelFiles.GetOrCreate(source, cache));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void A_quantized_gemm_computes_what_the_float_one_does(bool transB, bool bias)
    {
        var source = Path.Combine(_directory, "gemm.onnx");
        File.WriteAllBytes(source, TinyGemmModel(transB, bias).ToByteArray());
        var int8Path = Path.Combine(_directory, "gemm-int8.onnx");
        QuantizedModelFiles.Write(source, int8Path, WeightScales.PerColumn);
        Assert.Equal(0, ModelProto.Parser.ParseFrom(File.ReadAllBytes(int8Path)).Graph.Node.Count(n => n.OpType == "Gemm"));

        float[] input = [0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f, 0f, 1f];
        var expected = Run(source, input);
        var actual = Run(int8Path, input);
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < 0.05f, $"output {i}: float32 {expected[i]}, int8 {actual[i]}");

        static float[] Run(string path, float[] input)
        {
            using var session = new InferenceSession(path);
            using var value = OrtValue.CreateTensorValueFromMemory(input, [2, 4]);
            using var outputs = session.Run(new RunOptions(), ["x"], [value], ["y"]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
    }

    [Fact]
    public void Weights_round_to_the_nearest_step_of_their_columns_largest_magnitude()
    {
        // Column 0 spans ±1.27 (step 0.01), column 1 is all zero (scale 1, values 0), column 2 spans ±127 (step 1).
        float[] matrix = [1.27f, 0f, -127f, -0.005f, 0f, 2.5f, 0.015f, 0f, 3.5f];
        var (values, scales) = DynamicInt8Quantizer.QuantizeWeight(matrix, 3, 3, WeightScales.PerColumn);
        Assert.Equal([0.01f, 1f, 1f], scales);
        // -0.5 and 2.5 round to even, 1.5 and 3.5 too.
        Assert.Equal(new sbyte[] { 127, 0, -127, 0, 0, 2, 2, 0, 4 }, values);

        var (_, tensorScales) = DynamicInt8Quantizer.QuantizeWeight(matrix, 3, 3, WeightScales.PerTensor);
        Assert.Equal([1f], tensorScales);
    }

    [Fact]
    public void A_file_that_is_no_model_is_a_clear_error_naming_it()
    {
        var path = Path.Combine(_directory, "model.onnx");
        File.WriteAllText(path, "this is not an onnx model");
        var model = fixture.Generator.Model with { ModelPath = path, Precision = ModelPrecision.Int8, CacheDirectory = _directory };
        var e = Assert.Throws<EmbeddingModelException>(() => new OnnxEmbeddingGenerator(model));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("int8", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(_directory, "int8"))); // no half-written file left behind
    }

    [Fact]
    public void An_already_quantized_model_is_not_quantized_again()
    {
        var path = Path.Combine(_directory, "again.onnx");
        var e = Assert.Throws<EmbeddingModelException>(() => QuantizedModelFiles.Write(quantized.Generator.LoadedModelPath, path, WeightScales.PerColumn));
        Assert.Contains("already quantized", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_precision_is_rejected()
    {
        var model = fixture.Generator.Model with { Precision = (ModelPrecision)7 };
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxEmbeddingGenerator(model));
    }

    /// <summary>y = Gemm(x[2,4], W, b) with W [3,4] (transB) or [4,3], the smallest model with a weight to quantize.</summary>
    private static ModelProto TinyGemmModel(bool transB, bool bias)
    {
        var weights = Enumerable.Range(0, 12).Select(i => MathF.Sin(i + 1) * (i % 3 + 1)).ToArray();
        var graph = new GraphProto { Name = "tiny" };
        graph.Initializer.Add(FloatTensor("w", transB ? [3, 4] : [4, 3], weights));
        if (bias)
            graph.Initializer.Add(FloatTensor("b", [3], [0.1f, -0.2f, 0.3f]));
        var gemm = new NodeProto { OpType = "Gemm", Name = "gemm" };
        gemm.Input.AddRange(bias ? ["x", "w", "b"] : ["x", "w"]);
        gemm.Output.Add("y");
        gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = transB ? 1 : 0 });
        graph.Node.Add(gemm);
        graph.Input.Add(FloatValue("x", 2, 4));
        graph.Output.Add(FloatValue("y", 2, 3));
        var model = new ModelProto { IrVersion = 7, Graph = graph, ProducerName = "werkly-tests" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 13 });
        return model;

        static TensorProto FloatTensor(string name, long[] dims, float[] values)
        {
            var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            tensor.Dims.AddRange(dims);
            tensor.FloatData.AddRange(values);
            return tensor;
        }

        static ValueInfoProto FloatValue(string name, long rows, long columns)
        {
            var shape = new TensorShapeProto();
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = rows });
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = columns });
            return new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
            };
        }
    }

    internal static IEnumerable<string> ParityTexts()
    {
        using var file = File.OpenRead(TestData.PathOf("tokenizer-parity", "all-MiniLM-L6-v2.jsonl.gz"));
        using var reader = new StreamReader(new GZipStream(file, CompressionMode.Decompress));
        while (reader.ReadLine() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            yield return json.RootElement.GetProperty("text").GetString()!;
        }
    }
}

/// <summary>The bundled all-MiniLM-L6-v2 at int8, quantized on load into a fresh cache folder (the first-load path).</summary>
public sealed class Int8ModelFixture : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("werkly-int8-").FullName;

    public Int8ModelFixture() =>
        Generator = new OnnxEmbeddingGenerator(OnnxEmbeddingModel.AllMiniLmL6V2() with { Precision = ModelPrecision.Int8, CacheDirectory = _directory });

    public OnnxEmbeddingGenerator Generator { get; }

    public void Dispose()
    {
        Generator.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
