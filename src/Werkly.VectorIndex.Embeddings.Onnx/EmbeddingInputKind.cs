namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>
/// Whether a text is a search query or a document to be found. Asymmetric models (arctic-embed, E5, BGE) put a different
/// prefix in front of each; symmetric ones (all-MiniLM-L6-v2) treat both alike.
/// </summary>
public enum EmbeddingInputKind
{
    /// <summary>A passage to index: gets <see cref="OnnxEmbeddingModel.DocumentPrefix"/>. The default.</summary>
    Document = 0,

    /// <summary>A search query: gets <see cref="OnnxEmbeddingModel.QueryPrefix"/>.</summary>
    Query = 1,
}
