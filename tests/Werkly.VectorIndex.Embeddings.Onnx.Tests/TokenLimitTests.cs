using Microsoft.ML.Tokenizers;

namespace Werkly.VectorIndex.Embeddings.Onnx.Tests;

/// <summary>The tokenizer and limit the generator offers to token-aware chunkers, and the truncations it reports.</summary>
[Collection(DefaultModelGroup.Name)]
public sealed class TokenLimitTests(DefaultModelFixture fixture)
{
    private readonly OnnxEmbeddingGenerator _generator = fixture.Generator;

    [Fact]
    public void The_offered_tokenizer_counts_exactly_the_tokens_inference_runs()
    {
        var inference = BertWordPieceTokenizer.Load(_generator.Model.VocabularyPath, _generator.Model.LowerCase);
        foreach (var text in QuantizationTests.ParityTexts().Concat(["", "   ", "a\nb\tc", "naïve café 東京 😀 x=1;", new string('z', 500)]))
            Assert.Equal(inference.Encode(text, 1 << 20).Length - 2, _generator.Tokenizer.CountTokens(text));
    }

    [Fact]
    public void The_limit_and_tokenizer_are_offered_as_services()
    {
        Assert.Equal(254, _generator.MaxInputTokens);
        Assert.Same(_generator.Tokenizer, _generator.GetService(typeof(Tokenizer)));
        Assert.Equal(254, _generator.GetService(typeof(int), OnnxEmbeddingGenerator.MaxInputTokensKey));
        Assert.Null(_generator.GetService(typeof(int), "something else"));
        Assert.Null(_generator.GetService(typeof(int)));
    }

    [Fact]
    public async Task Truncated_texts_are_counted_in_the_usage()
    {
        var fits = string.Join(' ', Enumerable.Repeat("word", 254));
        var overflows = string.Join(' ', Enumerable.Repeat("word", 255));
        var result = await _generator.GenerateAsync([fits, overflows, "short", overflows + " again"]);
        Assert.Equal(2, result.Usage!.AdditionalCounts![OnnxEmbeddingGenerator.TruncatedInputsKey]);
        Assert.Equal(256 * 3 + 3, result.Usage.InputTokenCount);
    }

    [Fact]
    public void A_document_prefix_comes_off_the_limit()
    {
        var model = _generator.Model with { DocumentPrefix = "passage: " };
        using var prefixed = new OnnxEmbeddingGenerator(model);
        Assert.Equal(254 - 2, prefixed.MaxInputTokens); // "passage" and ":"
    }
}
