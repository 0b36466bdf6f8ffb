using System.Buffers;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using Werkly.VectorIndex.Distance;

namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>
/// Turns text into vectors locally with a BERT-family ONNX model (all-MiniLM-L6-v2 by default), with no network access.
/// Implements <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> so it drops in wherever Microsoft.Extensions.AI
/// expects an embedding generator (for example in place of OpenAI's).
/// </summary>
/// <remarks>
/// <para>
/// <b>Batching.</b> A call takes up to <see cref="MaxInputsPerCall"/> texts. They are tokenized, sorted by length and cut
/// into micro-batches padded only to their own longest text (<see cref="OnnxEmbeddingGeneratorOptions.MaxBatchSize"/>,
/// <see cref="OnnxEmbeddingGeneratorOptions.MaxBatchTokens"/>), which run side by side on
/// <see cref="OnnxEmbeddingGeneratorOptions.MaxConcurrentInferences"/> cores. Results come back in input order.
/// Cancellation is checked between micro-batches.
/// </para>
/// <para>
/// <b>Input.</b> A text longer than the model's <see cref="OnnxEmbeddingModel.MaxTokens"/> (at most
/// <see cref="MaxModelTokens"/>, <c>[CLS]</c> and <c>[SEP]</c> included) is truncated: only its beginning is embedded.
/// An empty or whitespace-only text is embedded like the reference sentence-transformers does, as the bare
/// <c>[CLS] [SEP]</c> sequence: a valid, deterministic unit vector that is the same for every blank text and is close to
/// nothing in particular. Filter blank texts out first if they should not be indexed.
/// </para>
/// <para>
/// <b>Dimensions.</b> <see cref="EmbeddingGenerationOptions.Dimensions"/> may ask for fewer dimensions only when the
/// model is marked <see cref="OnnxEmbeddingModel.IsMatryoshka"/>; the vector is then truncated and re-normalized
/// (<see cref="EmbeddingShortening"/>). Any other size is an error: vectors are never padded or cut silently.
/// </para>
/// <para>
/// <b>Query or document.</b> Asymmetric models embed queries with a prefix. Pass the kind with
/// <see cref="GenerateAsync(IEnumerable{string}, EmbeddingInputKind, EmbeddingGenerationOptions?, CancellationToken)"/>,
/// <see cref="GenerateQueryAsync"/>, or <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>[<see cref="InputKindKey"/>]
/// (an <see cref="EmbeddingInputKind"/> or the strings <c>"query"</c>/<c>"document"</c>, in any case). The default is a document.
/// </para>
/// <para>
/// <b>Thread safety.</b> All members are safe to call concurrently from any number of threads; concurrent calls share
/// the inference slots, so together they never run more than <see cref="OnnxEmbeddingGeneratorOptions.MaxConcurrentInferences"/>
/// inferences at once. <see cref="Dispose"/> must not race with calls in flight.
/// </para>
/// </remarks>
public sealed partial class OnnxEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The most texts one <see cref="GenerateAsync(IEnumerable{string}, EmbeddingGenerationOptions?, CancellationToken)"/> call accepts (OpenAI's limit too).</summary>
    public const int MaxInputsPerCall = 2048;

    /// <summary>The most tokens a BERT-family model accepts per text (its position embeddings); inputs are truncated to <see cref="OnnxEmbeddingModel.MaxTokens"/> ≤ this.</summary>
    public const int MaxModelTokens = 512;

    /// <summary>The key in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> that selects query or document embedding
    /// (<see cref="EmbeddingInputKindProperty.Key"/>, shared with the packages that set it).</summary>
    public const string InputKindKey = EmbeddingInputKindProperty.Key;

    /// <summary>
    /// The name of the package's <see cref="System.Diagnostics.Metrics.Meter"/> (counters <c>werkly.embeddings.texts</c>,
    /// <c>werkly.embeddings.tokens</c>, <c>werkly.embeddings.cache.hits</c>, histogram
    /// <c>werkly.embeddings.micro_batch.duration</c>) and <see cref="System.Diagnostics.ActivitySource"/> (one
    /// <c>embeddings</c> activity per call).
    /// </summary>
    public const string TelemetrySourceName = "Werkly.VectorIndex.Embeddings.Onnx";

    /// <summary>
    /// The key in <see cref="UsageDetails.AdditionalCounts"/> of each result under which the generator reports how many of
    /// the call's texts were longer than <see cref="OnnxEmbeddingModel.MaxTokens"/> and so were embedded only in part
    /// (the document ingestion pipeline sums it into its statistics).
    /// </summary>
    public const string TruncatedInputsKey = "werkly.truncated_inputs";

    /// <summary>
    /// The service key under which <see cref="GetService"/> answers <see cref="int"/> with <see cref="MaxInputTokens"/>
    /// (token-aware chunkers ask for it along with <see cref="Microsoft.ML.Tokenizers.Tokenizer"/>).
    /// </summary>
    public const string MaxInputTokensKey = "werkly.max_input_tokens";

    /// <summary>The provider name reported in <see cref="Metadata"/>.</summary>
    public const string ProviderName = "werkly-onnx";

    private readonly InferenceSession _session;
    private readonly BertWordPieceTokenizer _tokenizer;
    private readonly OnnxEmbeddingGeneratorOptions _options;
    private readonly SemaphoreSlim _inferenceSlots;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly RunOptions _runOptions;
    private readonly long _cacheSeed;
    private int _disposed;

    /// <summary>Loads <paramref name="model"/> and prepares it for inference.</summary>
    /// <param name="model">The model to run; see <see cref="OnnxEmbeddingModel.AllMiniLmL6V2"/> for the default.</param>
    /// <param name="options">Batching, threading and cache settings; default <see cref="OnnxEmbeddingGeneratorOptions"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">A setting of the model or the options is out of range.</exception>
    /// <exception cref="FileNotFoundException">The model or vocabulary file does not exist; the message names the path.</exception>
    /// <exception cref="EmbeddingModelException">The model or vocabulary file cannot be loaded or has the wrong inputs or outputs; the message names the path.</exception>
    public OnnxEmbeddingGenerator(OnnxEmbeddingModel model, OnnxEmbeddingGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Validate();
        _options = (options ?? new OnnxEmbeddingGeneratorOptions()).Validated();
        Model = model;
        _tokenizer = BertWordPieceTokenizer.Load(model.VocabularyPath, model.LowerCase);
        Tokenizer = new ModelTokenizer(_tokenizer);
        MaxInputTokens = Math.Max(1, model.MaxTokens - 2 - _tokenizer.CountTokens(model.PrefixFor(EmbeddingInputKind.Document)));
        LoadedModelPath = model.Precision == ModelPrecision.Int8
            ? QuantizedModelFiles.GetOrCreate(model.ModelPath, model.CacheDirectory)
            : model.ModelPath;
        _session = LoadSession(LoadedModelPath, _options);
        // One for every run: ONNX Runtime only reads it (its own Run overloads without options share one per session
        // across threads), and this generator never changes it.
        _runOptions = new RunOptions();
        try
        {
            (_inputNames, _outputNames) = DescribeSession(_session, LoadedModelPath);
            Dimensions = Probe(LoadedModelPath);
            if (_options.Cache is not null)
            {
                var settings = string.Create(CultureInfo.InvariantCulture,
                    $"{model.ModelId}|{model.Pooling}|{model.Normalize}|{model.MaxTokens}|{model.LowerCase}|{Dimensions}|{model.Precision}");
                _cacheSeed = ComputeCacheSeed(settings, LoadedModelPath, model.VocabularyPath);
            }
        }
        catch
        {
            _runOptions.Dispose();
            _session.Dispose();
            throw;
        }

        _inferenceSlots = new SemaphoreSlim(_options.MaxConcurrentInferences, _options.MaxConcurrentInferences);
        Metadata = new EmbeddingGeneratorMetadata(ProviderName, null, model.ModelId, Dimensions);
    }

    /// <summary>Creates a generator for the bundled all-MiniLM-L6-v2 (384 dimensions), extracting it into the cache folder on first use.</summary>
    /// <param name="options">Batching, threading and cache settings.</param>
    /// <param name="modelCacheDirectory">Where the model files are extracted; see <see cref="OnnxEmbeddingModel.AllMiniLmL6V2"/>.</param>
    /// <returns>The generator.</returns>
    /// <exception cref="EmbeddingModelException">The bundled model cannot be found or extracted.</exception>
    public static OnnxEmbeddingGenerator CreateDefault(OnnxEmbeddingGeneratorOptions? options = null, string? modelCacheDirectory = null) =>
        new(OnnxEmbeddingModel.AllMiniLmL6V2(modelCacheDirectory), options);

    /// <summary>The model this generator runs.</summary>
    public OnnxEmbeddingModel Model { get; }

    /// <summary>
    /// The ONNX file the generator runs: <see cref="OnnxEmbeddingModel.ModelPath"/>, or its cached int8 version when the
    /// model's <see cref="OnnxEmbeddingModel.Precision"/> is <see cref="ModelPrecision.Int8"/>.
    /// </summary>
    public string LoadedModelPath { get; }

    /// <summary>
    /// The model's tokenizer, counting exactly the tokens the model sees of a text (same cleaning, no <c>[CLS]</c>/<c>[SEP]</c>,
    /// no prefix, no truncation), for sizing chunks in tokens. Also returned by <see cref="GetService"/> for
    /// <see cref="Microsoft.ML.Tokenizers.Tokenizer"/>.
    /// </summary>
    public Microsoft.ML.Tokenizers.Tokenizer Tokenizer { get; }

    /// <summary>
    /// How many tokens of a document's text the model reads before truncating: <see cref="OnnxEmbeddingModel.MaxTokens"/>
    /// less <c>[CLS]</c>, <c>[SEP]</c> and the tokens of <see cref="OnnxEmbeddingModel.DocumentPrefix"/>, as counted by
    /// <see cref="Tokenizer"/>.
    /// </summary>
    public int MaxInputTokens { get; }

    /// <summary>The model's native number of dimensions (measured on the loaded model).</summary>
    public int Dimensions { get; }

    /// <summary>Provider <see cref="ProviderName"/>, the model id and its native dimensions.</summary>
    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <summary>The embedding cache in use, or <see langword="null"/>.</summary>
    public EmbeddingCache? Cache => _options.Cache;

    /// <summary>Embeds <paramref name="values"/> as documents, or as the kind named in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>[<see cref="InputKindKey"/>].</summary>
    /// <param name="values">Up to <see cref="MaxInputsPerCall"/> texts; none may be null.</param>
    /// <param name="options">Optional <see cref="EmbeddingGenerationOptions.Dimensions"/>, <see cref="EmbeddingGenerationOptions.ModelId"/> (must match) and input kind.</param>
    /// <param name="cancellationToken">Checked between micro-batches.</param>
    /// <returns>One embedding per text, in input order, with the token count in <see cref="GeneratedEmbeddings{TEmbedding}.Usage"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its texts is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">More than <see cref="MaxInputsPerCall"/> texts, or a <see cref="EmbeddingGenerationOptions.Dimensions"/> outside 1..<see cref="Dimensions"/>.</exception>
    /// <exception cref="ArgumentException">The options name another model or an unknown input kind.</exception>
    /// <exception cref="NotSupportedException">Fewer dimensions were asked of a model that is not Matryoshka-trained.</exception>
    /// <exception cref="ObjectDisposedException">The generator was disposed.</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        GenerateAsync(values, InputKindOf(options), options, cancellationToken);

    /// <summary>Embeds <paramref name="values"/> as queries or as documents.</summary>
    /// <param name="values">Up to <see cref="MaxInputsPerCall"/> texts; none may be null.</param>
    /// <param name="kind">Whether the texts are queries or documents (selects the model's prefix).</param>
    /// <param name="options">Optional <see cref="EmbeddingGenerationOptions.Dimensions"/> and <see cref="EmbeddingGenerationOptions.ModelId"/> (must match).</param>
    /// <param name="cancellationToken">Checked between micro-batches.</param>
    /// <returns>One embedding per text, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its texts is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">More than <see cref="MaxInputsPerCall"/> texts, or a <see cref="EmbeddingGenerationOptions.Dimensions"/> outside 1..<see cref="Dimensions"/>.</exception>
    /// <exception cref="ArgumentException">The options name another model.</exception>
    /// <exception cref="NotSupportedException">Fewer dimensions were asked of a model that is not Matryoshka-trained.</exception>
    /// <exception cref="ObjectDisposedException">The generator was disposed.</exception>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingInputKind kind,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!Enum.IsDefined(kind))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown input kind.");
        var texts = Materialize(values);
        var dimensions = ResolveDimensions(options);
        cancellationToken.ThrowIfCancellationRequested();

        using var activity = EmbeddingTelemetry.ActivitySource.StartActivity("embeddings " + Model.ModelId, System.Diagnostics.ActivityKind.Internal);
        activity?.SetTag("gen_ai.operation.name", "embeddings");
        activity?.SetTag("gen_ai.request.model", Model.ModelId);
        activity?.SetTag("werkly.embeddings.texts", texts.Length);

        var prefix = Model.PrefixFor(kind);
        var vectors = new float[texts.Length][];
        var cache = _options.Cache;
        var keys = cache is null ? null : new UInt128[texts.Length];
        var pending = new List<int>(texts.Length);
        // A text repeated within the call is embedded once: later copies point at the first.
        var firstOccurrence = new Dictionary<string, int>(texts.Length, StringComparer.Ordinal);
        var duplicates = new List<(int Index, int Original)>();
        for (var i = 0; i < texts.Length; i++)
        {
            if (!firstOccurrence.TryAdd(texts[i], i))
            {
                duplicates.Add((i, firstOccurrence[texts[i]]));
                continue;
            }

            if (keys is not null)
            {
                keys[i] = CacheKey(prefix, texts[i]);
                if (cache!.TryGet(keys[i], out var cached))
                {
                    vectors[i] = cached;
                    continue;
                }
            }

            pending.Add(i);
        }

        long tokens = 0;
        var truncated = 0;
        if (pending.Count > 0)
        {
            (tokens, truncated) = await EmbedAsync(texts, prefix, pending, vectors, cancellationToken).ConfigureAwait(false);
            if (keys is not null)
            {
                foreach (var i in pending)
                    cache!.Add(keys[i], vectors[i]);
            }
        }

        foreach (var (index, original) in duplicates)
            vectors[index] = vectors[original];

        EmbeddingTelemetry.Texts.Add(texts.Length);
        EmbeddingTelemetry.Tokens.Add(tokens);
        if (pending.Count + duplicates.Count < texts.Length)
            EmbeddingTelemetry.CacheHits.Add(texts.Length - pending.Count - duplicates.Count);
        activity?.SetTag("gen_ai.usage.input_tokens", tokens);

        var createdAt = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Length)
        {
            Usage = new UsageDetails
            {
                InputTokenCount = tokens,
                TotalTokenCount = tokens,
                // Texts served from the cache or repeated in the call were counted when first embedded.
                AdditionalCounts = new AdditionalPropertiesDictionary<long> { [TruncatedInputsKey] = truncated },
            },
        };
        foreach (var vector in vectors)
        {
            var output = dimensions == vector.Length ? vector : EmbeddingShortening.Shorten(vector, dimensions);
            result.Add(new Embedding<float>(output) { ModelId = Model.ModelId, CreatedAt = createdAt });
        }

        return result;
    }

    /// <summary>
    /// Embeds any number of texts, <see cref="MaxInputsPerCall"/> at a time, yielding each embedding in input order as
    /// soon as its chunk is done — for indexing a corpus without holding all of its vectors at once.
    /// </summary>
    /// <param name="values">The texts; enumerated lazily, one chunk ahead. None may be null.</param>
    /// <param name="kind">Whether the texts are queries or documents.</param>
    /// <param name="options">Optional <see cref="EmbeddingGenerationOptions.Dimensions"/> and <see cref="EmbeddingGenerationOptions.ModelId"/> (must match).</param>
    /// <param name="cancellationToken">Checked between micro-batches.</param>
    /// <returns>One embedding per text, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its texts is null (raised when that chunk is reached).</exception>
    public async IAsyncEnumerable<Embedding<float>> GenerateStreamAsync(IEnumerable<string> values, EmbeddingInputKind kind = EmbeddingInputKind.Document,
        EmbeddingGenerationOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var chunk in values.Chunk(MaxInputsPerCall))
        {
            var embeddings = await GenerateAsync(chunk, kind, options, cancellationToken).ConfigureAwait(false);
            foreach (var embedding in embeddings)
                yield return embedding;
        }
    }

    /// <summary>Embeds one search query (with the model's query prefix).</summary>
    /// <param name="query">The query text.</param>
    /// <param name="options">Optional <see cref="EmbeddingGenerationOptions.Dimensions"/>.</param>
    /// <param name="cancellationToken">Cancels before the inference starts.</param>
    /// <returns>The query vector.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is null.</exception>
    public async Task<ReadOnlyMemory<float>> GenerateQueryAsync(string query, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var embeddings = await GenerateAsync([query], EmbeddingInputKind.Query, options, cancellationToken).ConfigureAwait(false);
        return embeddings[0].Vector;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
            return serviceType == typeof(int) && MaxInputTokensKey.Equals(serviceKey) ? MaxInputTokens : null;
        if (serviceType == typeof(Microsoft.ML.Tokenizers.Tokenizer))
            return Tokenizer;
        if (serviceType == typeof(EmbeddingGeneratorMetadata))
            return Metadata;
        if (serviceType == typeof(OnnxEmbeddingModel))
            return Model;
        if (serviceType == typeof(EmbeddingCache))
            return Cache;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Releases the ONNX Runtime session. Calls in flight must have completed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _session.Dispose();
        _runOptions.Dispose();
        _inferenceSlots.Dispose();
    }

    private static string[] Materialize(IEnumerable<string> values)
    {
        string[] texts;
        if (values is ICollection<string> collection)
        {
            if (collection.Count > MaxInputsPerCall)
                throw TooMany(collection.Count);
            texts = new string[collection.Count];
            collection.CopyTo(texts, 0);
        }
        else
        {
            var list = new List<string>();
            foreach (var value in values)
            {
                if (list.Count == MaxInputsPerCall)
                    throw TooMany(MaxInputsPerCall + 1);
                list.Add(value);
            }

            texts = [.. list];
        }

        for (var i = 0; i < texts.Length; i++)
        {
            if (texts[i] is null)
                throw new ArgumentNullException(nameof(values), $"values[{i}] is null; every text to embed must be a string (use \"\" for an empty one).");
        }

        return texts;

        static ArgumentOutOfRangeException TooMany(int count) =>
            new(nameof(values), count, $"At most {MaxInputsPerCall} texts can be embedded per call; split the input into several calls.");
    }

    private int ResolveDimensions(EmbeddingGenerationOptions? options)
    {
        if (options?.ModelId is { } modelId && !string.Equals(modelId, Model.ModelId, StringComparison.Ordinal))
            throw new ArgumentException($"This generator runs '{Model.ModelId}'; it cannot serve model '{modelId}'.", nameof(options));
        if (options?.Dimensions is not { } requested || requested == Dimensions)
            return Dimensions;
        if (requested < 1 || requested > Dimensions)
        {
            throw new ArgumentOutOfRangeException(nameof(options), requested,
                $"Model '{Model.ModelId}' produces {Dimensions} dimensions; EmbeddingGenerationOptions.Dimensions must be between 1 and {Dimensions} (vectors are never padded).");
        }

        if (!Model.IsMatryoshka)
        {
            throw new NotSupportedException(
                $"Model '{Model.ModelId}' produces {Dimensions}-dimension vectors and is not Matryoshka-trained, so it cannot produce {requested} dimensions: " +
                "truncating its vectors would silently lose meaning. Leave EmbeddingGenerationOptions.Dimensions unset, or use a model described with IsMatryoshka = true.");
        }

        return requested;
    }

    private static EmbeddingInputKind InputKindOf(EmbeddingGenerationOptions? options)
    {
        if (options?.AdditionalProperties is not { } properties || !properties.TryGetValue(InputKindKey, out var value) || value is null)
            return EmbeddingInputKind.Document;
        return value switch
        {
            EmbeddingInputKind kind when Enum.IsDefined(kind) => kind,
            string text when text.Equals(EmbeddingInputKindProperty.Query, StringComparison.OrdinalIgnoreCase) => EmbeddingInputKind.Query,
            string text when text.Equals(EmbeddingInputKindProperty.Document, StringComparison.OrdinalIgnoreCase) => EmbeddingInputKind.Document,
            _ => throw new ArgumentException($"AdditionalProperties[\"{InputKindKey}\"] must be an EmbeddingInputKind or \"query\"/\"document\", not '{value}'.", nameof(options)),
        };
    }

    /// <summary>
    /// The seed of every cache key: the model settings plus the contents of the model and vocabulary files (XxHash3,
    /// streamed), so that two models never share cached vectors just because their ids, folder names or file sizes
    /// agree. Computed once per generator, and only when it has a cache (it reads the whole model file).
    /// </summary>
    /// <param name="settings">The model settings that change its vectors, as text.</param>
    /// <param name="modelPath">The ONNX model file.</param>
    /// <param name="vocabularyPath">The vocabulary file.</param>
    /// <returns>The seed.</returns>
    /// <exception cref="EmbeddingModelException">A file cannot be read.</exception>
    internal static long ComputeCacheSeed(string settings, string modelPath, string vocabularyPath)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{settings}|{HashFileContent(modelPath):x16}|{HashFileContent(vocabularyPath):x16}");
        return (long)XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(text));
    }

    private static ulong HashFileContent(string path)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var hash = new XxHash3();
            int read;
            while ((read = stream.Read(buffer)) > 0)
                hash.Append(buffer.AsSpan(0, read));
            return hash.GetCurrentHashAsUInt64();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EmbeddingModelException(path, $"it cannot be read to key the embedding cache ({e.Message}).", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private UInt128 CacheKey(string prefix, string text)
    {
        var hash = new XxHash128(_cacheSeed);
        hash.Append(MemoryMarshal.AsBytes(prefix.AsSpan()));
        hash.Append(MemoryMarshal.AsBytes(text.AsSpan()));
        return hash.GetCurrentHashAsUInt128();
    }
}
