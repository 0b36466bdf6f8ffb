namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>How the per-token outputs of a BERT-family model (<c>last_hidden_state</c>) become one sentence vector.</summary>
public enum PoolingMode
{
    /// <summary>The average of the token vectors under the attention mask (sentence-transformers' default; all-MiniLM-L6-v2).</summary>
    Mean = 0,

    /// <summary>The vector of the first token, <c>[CLS]</c> (Snowflake arctic-embed, BGE).</summary>
    Cls = 1,
}
