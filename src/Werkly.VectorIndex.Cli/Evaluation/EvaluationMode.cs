namespace Werkly.VectorIndex.Cli.Evaluation;

/// <summary>Which retriever <c>werkly eval</c> scores.</summary>
internal enum EvaluationMode
{
    /// <summary>BM25 over title and text as two fields (the keyword side alone).</summary>
    Bm25,

    /// <summary>Exact cosine search over embeddings of <c>title + " " + text</c> (the vector side alone).</summary>
    Vector,

    /// <summary>Both sides fused with <see cref="HybridDefaults.Fusion"/> (or the fusion given on the command line).</summary>
    Hybrid,
}
