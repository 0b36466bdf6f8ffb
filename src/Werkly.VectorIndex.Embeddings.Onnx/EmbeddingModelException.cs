namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>
/// An embedding model or its vocabulary could not be loaded or does not have the shape this package needs
/// (the inputs <c>input_ids</c>/<c>attention_mask</c>, a rank-3 <c>last_hidden_state</c> output, a WordPiece vocabulary).
/// A file that does not exist is reported as <see cref="FileNotFoundException"/> instead.
/// </summary>
public sealed class EmbeddingModelException : IOException
{
    /// <summary>Creates the exception naming the offending file and what is wrong with it.</summary>
    /// <param name="filePath">The model or vocabulary file.</param>
    /// <param name="problem">What is wrong, as a sentence.</param>
    /// <param name="innerException">The error of the underlying library, if any.</param>
    public EmbeddingModelException(string filePath, string problem, Exception? innerException = null)
        : base($"Embedding model file '{filePath}': {problem}", innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The model or vocabulary file that failed.</summary>
    public string FilePath { get; }
}
