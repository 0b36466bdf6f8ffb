using Werkly.VectorIndex.Embeddings.Onnx;

namespace Werkly.VectorIndex.Cli;

/// <summary>The embedding model every command uses: the bundled all-MiniLM-L6-v2, loaded offline.</summary>
public static class EmbeddingModel
{
    /// <summary>Loads the bundled model (extracting it to the local model cache on first use).</summary>
    /// <returns>The generator; the caller disposes it.</returns>
    /// <exception cref="CommandFailedException">The model cannot be loaded (exit code <see cref="ExitCodes.Failure"/>).</exception>
    public static OnnxEmbeddingGenerator Create()
    {
        try
        {
            return OnnxEmbeddingGenerator.CreateDefault();
        }
        catch (EmbeddingModelException e)
        {
            throw new CommandFailedException(ExitCodes.Failure,
                $"{e.Message} The model ships inside the tool; reinstall it, or free disk space in the temp folder where it is extracted.", e);
        }
    }
}
