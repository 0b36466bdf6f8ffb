namespace Werkly.VectorIndex;

/// <summary>
/// How a caller tells an embedding generator whether its texts are search queries or documents, through the
/// <c>AdditionalProperties</c> of Microsoft.Extensions.AI's <c>EmbeddingGenerationOptions</c>: the key
/// <see cref="Key"/> with the value <see cref="Query"/> or <see cref="Document"/>. Asymmetric models embed the two
/// differently (a query prefix, for example); generators that do not know the key ignore it.
/// </summary>
/// <remarks>Shared by the packages that set the key (document search) and those that read it (the ONNX generator), so
/// neither needs a reference to the other.</remarks>
public static class EmbeddingInputKindProperty
{
    /// <summary>The <c>AdditionalProperties</c> key that names the input kind: <c>"werkly.input_kind"</c>. Absent means a document.</summary>
    public const string Key = "werkly.input_kind";

    /// <summary>The value of <see cref="Key"/> for search queries: <c>"query"</c>.</summary>
    public const string Query = "query";

    /// <summary>The value of <see cref="Key"/> for documents (the default): <c>"document"</c>.</summary>
    public const string Document = "document";
}
