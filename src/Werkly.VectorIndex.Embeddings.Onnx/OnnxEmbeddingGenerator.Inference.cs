using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Werkly.VectorIndex.Distance;

namespace Werkly.VectorIndex.Embeddings.Onnx;

// Inference: session loading, micro-batch planning, the ONNX Runtime call and pooling.
public sealed partial class OnnxEmbeddingGenerator
{
    private const string InputIdsName = "input_ids";
    private const string AttentionMaskName = "attention_mask";
    private const string TokenTypeIdsName = "token_type_ids";
    private const string HiddenStateName = "last_hidden_state";

    /// <summary>Below this many texts, tokenizing on one thread beats fanning out.</summary>
    private const int ParallelTokenizeThreshold = 64;

    private static InferenceSession LoadSession(string modelPath, OnnxEmbeddingGeneratorOptions options)
    {
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = options.GraphOptimizationLevel,
            ExecutionMode = options.ExecutionMode,
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            // Shapes change with every micro-batch; memory patterns only help fixed shapes.
            EnableMemoryPattern = false,
            EnableCpuMemArena = options.EnableCpuMemArena,
        };
        if (options.OptimizedModelPath is not null)
            sessionOptions.OptimizedModelFilePath = options.OptimizedModelPath;
        try
        {
            // From the path, not a byte[]: ONNX Runtime then maps the weights instead of copying them (82 MB less peak RSS,
            // docs/benchmarks/embeddings.md).
            return new InferenceSession(modelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new EmbeddingModelException(modelPath, $"ONNX Runtime cannot load it as a model ({e.Message}).", e);
        }
    }

    /// <summary>Whether the model takes <c>token_type_ids</c> (fed as zeros), the third of <see cref="_inputNames"/>.</summary>
    private bool HasTokenTypeIds => _inputNames.Length == 3;

    private static (string[] Inputs, string[] Outputs) DescribeSession(InferenceSession session, string modelPath)
    {
        var inputs = session.InputMetadata;
        foreach (var required in new[] { InputIdsName, AttentionMaskName })
        {
            if (!inputs.TryGetValue(required, out var metadata) || metadata.ElementDataType != TensorElementType.Int64)
                throw new EmbeddingModelException(modelPath, $"the model needs an int64 input '{required}' (it has: {string.Join(", ", inputs.Keys)}).");
        }

        var hasTokenTypeIds = inputs.ContainsKey(TokenTypeIdsName);
        var unknown = inputs.Keys.Where(name => name is not (InputIdsName or AttentionMaskName or TokenTypeIdsName)).ToArray();
        if (unknown.Length > 0)
            throw new EmbeddingModelException(modelPath, $"the model has inputs this package cannot feed: {string.Join(", ", unknown)}.");

        string output;
        if (session.OutputMetadata.ContainsKey(HiddenStateName))
        {
            output = HiddenStateName;
        }
        else
        {
            var rank3 = session.OutputMetadata.Where(pair => pair.Value.Dimensions.Length == 3 && pair.Value.ElementDataType == TensorElementType.Float).ToArray();
            if (rank3.Length != 1)
                throw new EmbeddingModelException(modelPath, $"the model has no float output '{HiddenStateName}' of shape [batch, tokens, hidden] (it has: {string.Join(", ", session.OutputMetadata.Keys)}).");
            output = rank3[0].Key;
        }

        string[] inputNames = hasTokenTypeIds ? [InputIdsName, AttentionMaskName, TokenTypeIdsName] : [InputIdsName, AttentionMaskName];
        return (inputNames, [output]);
    }

    /// <summary>Runs the empty sequence once: checks the output's shape and measures the hidden size.</summary>
    private int Probe(string modelPath)
    {
        int[][] tokens = [[_tokenizer.ClsId, _tokenizer.SepId]];
        int[] first = [0];
        try
        {
            var vectors = new float[1][];
            RunMicroBatch(tokens, first, first, vectors);
            return vectors[0].Length;
        }
        catch (OnnxRuntimeException e)
        {
            throw new EmbeddingModelException(modelPath, $"a trial inference failed ({e.Message}).", e);
        }
    }

    /// <summary>Embeds <paramref name="texts"/>[<paramref name="pending"/>] into <paramref name="vectors"/>; returns the tokens
    /// processed and how many texts were truncated.</summary>
    private async Task<(long Tokens, int Truncated)> EmbedAsync(string[] texts, string prefix, List<int> pending, float[][] vectors, CancellationToken cancellationToken)
    {
        var count = pending.Count;
        var maxTokens = Model.MaxTokens;
        var tokens = new int[count][];
        var truncated = 0;
        void Encode(int j)
        {
            tokens[j] = _tokenizer.Encode(prefix + texts[pending[j]], maxTokens, out var cut);
            if (cut)
                Interlocked.Increment(ref truncated);
        }

        if (count >= ParallelTokenizeThreshold && _options.MaxConcurrentInferences > 1)
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentInferences, CancellationToken = cancellationToken };
            Parallel.For(0, count, parallel, Encode);
        }
        else
        {
            for (var j = 0; j < count; j++)
                Encode(j);
        }

        long tokenCount = 0;
        foreach (var sequence in tokens)
            tokenCount += sequence.Length;

        // Longest first: batches of similar lengths waste the least padding, and the slowest batches start earliest.
        var order = new int[count];
        var lengths = new int[count];
        for (var j = 0; j < count; j++)
        {
            order[j] = j;
            lengths[j] = -tokens[j].Length;
        }

        Array.Sort(lengths, order);
        var batches = PlanMicroBatches(order, tokens);
        var destinations = pending.ToArray();

        if (batches.Count == 1)
        {
            await RunInSlotAsync(tokens, order, destinations, vectors, cancellationToken).ConfigureAwait(false);
            return (tokenCount, truncated);
        }

        var schedule = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentInferences, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(batches, schedule,
            (batch, token) => RunInSlotAsync(tokens, order.AsMemory(batch.Start, batch.Count), destinations, vectors, token)).ConfigureAwait(false);
        return (tokenCount, truncated);
    }

    /// <summary>Waits for an inference slot (shared by all calls), runs one micro-batch in it and frees the slot.</summary>
    private async ValueTask RunInSlotAsync(int[][] tokens, ReadOnlyMemory<int> members, int[] destinations, float[][] vectors, CancellationToken cancellationToken)
    {
        await _inferenceSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            RunMicroBatch(tokens, members, destinations, vectors);
        }
        finally
        {
            _inferenceSlots.Release();
        }
    }

    /// <summary>
    /// Cuts <paramref name="tokens"/>[<paramref name="order"/>] into consecutive micro-batches within the size and
    /// padded-token budgets. A batch is padded to its longest member, whatever the order; sorting by length first (as
    /// <see cref="EmbedAsync"/> does) only wastes less padding.
    /// </summary>
    internal List<(int Start, int Count)> PlanMicroBatches(int[] order, int[][] tokens)
    {
        var count = order.Length;
        // Enough batches to keep every inference slot busy, even for a handful of texts.
        var perBatch = Math.Min(_options.MaxBatchSize, Math.Max(1, (count + _options.MaxConcurrentInferences - 1) / _options.MaxConcurrentInferences));
        var batches = new List<(int, int)>();
        var start = 0;
        while (start < count)
        {
            var paddedLength = tokens[order[start]].Length;
            var size = 1;
            while (start + size < count && size < perBatch)
            {
                var longest = Math.Max(paddedLength, tokens[order[start + size]].Length);
                if ((size + 1) * longest > _options.MaxBatchTokens)
                    break;
                paddedLength = longest;
                size++;
            }

            batches.Add((start, size));
            start += size;
        }

        return batches;
    }

    /// <summary>
    /// Runs one padded micro-batch of <paramref name="tokens"/>[<paramref name="members"/>] and writes each pooled vector
    /// to <paramref name="vectors"/>[<paramref name="destinations"/>[member]].
    /// </summary>
    private void RunMicroBatch(int[][] tokens, ReadOnlyMemory<int> members, int[] destinations, float[][] vectors)
    {
        var rows = members.Length;
        var memberSpan = members.Span;
        var length = 0;
        foreach (var member in memberSpan)
            length = Math.Max(length, tokens[member].Length);

        var ids = new long[rows * length];
        var mask = new long[rows * length];
        var types = HasTokenTypeIds ? new long[rows * length] : null;
        if (_tokenizer.PadId != 0)
            ids.AsSpan().Fill(_tokenizer.PadId);
        for (var r = 0; r < rows; r++)
        {
            var sequence = tokens[memberSpan[r]];
            var rowIds = ids.AsSpan(r * length, sequence.Length);
            for (var t = 0; t < sequence.Length; t++)
                rowIds[t] = sequence[t];
            mask.AsSpan(r * length, sequence.Length).Fill(1);
        }

        long[] shape = [rows, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = types is null ? null : OrtValue.CreateTensorValueFromMemory(types, shape);
        OrtValue[] inputs = typesValue is null ? [idsValue, maskValue] : [idsValue, maskValue, typesValue];

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var outputs = _session.Run(_runOptions, _inputNames, inputs, _outputNames);
        EmbeddingTelemetry.MicroBatchDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        var output = outputs[0];
        var outputShape = output.GetTensorTypeAndShape().Shape;
        if (outputShape.Length != 3 || outputShape[0] != rows || outputShape[1] != length || outputShape[2] < 1)
            throw new EmbeddingModelException(Model.ModelPath, $"the output '{_outputNames[0]}' has shape [{string.Join(", ", outputShape)}], expected [{rows}, {length}, hidden].");

        var hidden = (int)outputShape[2];
        var states = output.GetTensorDataAsSpan<float>();
        for (var r = 0; r < rows; r++)
        {
            var member = memberSpan[r];
            var rowStates = states.Slice(r * length * hidden, length * hidden);
            var pooled = new float[hidden];
            if (Model.Pooling == PoolingMode.Cls)
            {
                rowStates[..hidden].CopyTo(pooled);
            }
            else
            {
                // Mean over the real tokens only; padding sits after them and is skipped (the attention mask).
                var real = tokens[member].Length;
                for (var t = 0; t < real; t++)
                    TensorPrimitives.Add(pooled, rowStates.Slice(t * hidden, hidden), pooled);
                TensorPrimitives.Divide(pooled, real, pooled);
            }

            if (Model.Normalize)
                VectorDistance.Normalize(pooled, pooled);

            vectors[destinations[member]] = pooled;
        }
    }
}
