using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Werkly.VectorIndex.Documents.Chunking;

/// <summary>
/// Sizes the default chunkers in the embedding model's tokens. An embedding generator takes part by answering
/// <see cref="IEmbeddingGenerator.GetService"/> for <see cref="Tokenizer"/> (counting the tokens the model sees of a text)
/// and for <see cref="int"/> under <see cref="MaxInputTokensKey"/> (how many of them it reads); the bundled ONNX generator
/// does. A generator that also reports <see cref="TruncatedInputsKey"/> in its usage lets the pipeline count the chunks the
/// model saw only in part.
/// </summary>
public static class ModelSizing
{
    /// <summary>The service key under which a generator answers <see cref="int"/>: the tokens of text its model reads per input.</summary>
    public const string MaxInputTokensKey = "werkly.max_input_tokens";

    /// <summary>The key in <see cref="UsageDetails.AdditionalCounts"/> under which a generator reports how many of a call's texts it truncated.</summary>
    public const string TruncatedInputsKey = "werkly.truncated_inputs";

    /// <summary>
    /// <paramref name="chunker"/> itself, or, when it is a default chunker (<see cref="FixedSizeChunker()"/>,
    /// <see cref="SemanticChunker()"/>) and <paramref name="generator"/> offers its tokenizer and input limit, the same kind
    /// of chunker sized in that model's tokens.
    /// </summary>
    /// <param name="chunker">The configured chunker.</param>
    /// <param name="generator">The embedding generator the chunks go to.</param>
    /// <returns>The chunker to use.</returns>
    public static IChunker For(IChunker chunker, IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        ArgumentNullException.ThrowIfNull(chunker);
        ArgumentNullException.ThrowIfNull(generator);
        if (chunker is not (FixedSizeChunker { FollowsModel: true } or SemanticChunker { FollowsModel: true }))
            return chunker;
        if (generator.GetService(typeof(Tokenizer)) is not Tokenizer tokenizer
            || generator.GetService(typeof(int), MaxInputTokensKey) is not int maxTokens || maxTokens < 2)
            return chunker;
        return chunker is SemanticChunker ? SemanticChunker.ForModel(tokenizer, maxTokens) : FixedSizeChunker.ForModel(tokenizer, maxTokens);
    }
}
