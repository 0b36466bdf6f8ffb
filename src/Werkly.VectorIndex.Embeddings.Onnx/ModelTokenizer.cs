using System.Buffers;
using Microsoft.ML.Tokenizers;

namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>
/// The generator's WordPiece tokenization behind Microsoft.ML.Tokenizers' <see cref="Tokenizer"/> abstraction, so that
/// token-aware chunkers count exactly the tokens the model will see: the same cleaning and workarounds as inference,
/// no <c>[CLS]</c>/<c>[SEP]</c>, no prefix, no truncation.
/// </summary>
/// <remarks>Thread-safe (immutable). Offsets of <see cref="EncodeToTokens(string?, ReadOnlySpan{char}, EncodeSettings)"/>
/// refer to the cleaned text, which it returns as the normalized text.</remarks>
internal sealed class ModelTokenizer(BertWordPieceTokenizer tokenizer) : Tokenizer
{
    /// <inheritdoc />
    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings) =>
        tokenizer.EncodeToTokens(text ?? textSpan.ToString());

    /// <inheritdoc />
    protected override int CountTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings) =>
        tokenizer.CountTokens(text ?? textSpan.ToString());

    /// <inheritdoc />
    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten) =>
        tokenizer.Inner.Decode(ids, destination, out idsConsumed, out charsWritten);
}
