using Werkly.VectorIndex.Documents.Indexing;
using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Cli.Commands;

/// <summary>Opens the document index a command works on, turning every way that can fail into a
/// <see cref="CommandFailedException"/> that says what to do.</summary>
internal static class IndexLocation
{
    /// <summary>The file every committed index holds (the storage layer's manifest; see docs/FORMAT.md).</summary>
    public const string ManifestFileName = "MANIFEST";

    /// <summary>Opens an existing index at the dimensions it holds, whatever the model makes: an index whose vectors the
    /// model cannot make (a 512-dimension import, say) opens for reading, and only embedding through it fails, with
    /// <see cref="ExitCodes.ModelMismatch"/> (see <see cref="EnsureModelMatches(DocumentIndex, IEmbeddingGenerator{string, Embedding{float}})"/> to fail before any work).</summary>
    /// <param name="directory">The index folder (full path).</param>
    /// <param name="generator">The embedding model.</param>
    /// <param name="readOnly">True for commands that only read (they then run next to a writer).</param>
    /// <returns>The index; the caller disposes it.</returns>
    /// <exception cref="CommandFailedException">There is no index there (<see cref="ExitCodes.IndexNotFound"/>), or it is
    /// damaged, too new or locked (<see cref="ExitCodes.IndexUnusable"/>).</exception>
    public static DocumentIndex OpenExisting(string directory, IEmbeddingGenerator<string, Embedding<float>> generator, bool readOnly)
    {
        ArgumentNullException.ThrowIfNull(generator);
        CheckExists(directory);
        var model = generator.GetService<EmbeddingGeneratorMetadata>();
        if (StoredDimensions(directory) is var (dimensions, metric) && model?.DefaultModelDimensions is { } modelDimensions && modelDimensions != dimensions)
        {
            var options = new DocumentIndexOptions { Index = new WerklyIndexOptions { Dimensions = dimensions, Metric = metric } };
            return Open(directory, new MismatchedModel(ModelMismatch(directory, dimensions, model)), readOnly, options);
        }
        return Open(directory, generator, readOnly);
    }

    /// <summary>Throws unless <paramref name="generator"/> makes vectors of <paramref name="index"/>'s dimensions: the
    /// check of a command that embeds text, before it does any work.</summary>
    /// <exception cref="CommandFailedException">The dimensions differ (<see cref="ExitCodes.ModelMismatch"/>; the message names both).</exception>
    public static void EnsureModelMatches(DocumentIndex index, IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(generator);
        var model = generator.GetService<EmbeddingGeneratorMetadata>();
        if (model?.DefaultModelDimensions is { } modelDimensions && modelDimensions != index.Dimensions)
            throw ModelMismatch(index.DirectoryPath ?? "", index.Dimensions, model);
    }

    /// <summary>Throws when an index exists in <paramref name="directory"/> with other dimensions than
    /// <paramref name="modelDimensions"/> (the check of a command that will embed into it).</summary>
    /// <exception cref="CommandFailedException">The dimensions differ (<see cref="ExitCodes.ModelMismatch"/>).</exception>
    public static void EnsureModelMatches(string directory, int modelDimensions, string modelName)
    {
        if (StoredDimensions(directory) is var (dimensions, _) && dimensions != modelDimensions)
            throw ModelMismatch(directory, dimensions, new EmbeddingGeneratorMetadata(null, null, modelName, modelDimensions));
    }

    /// <summary>The dimensions and metric the index in <paramref name="directory"/> holds, or null (no index, or never committed).</summary>
    /// <exception cref="CommandFailedException">The manifest is damaged or too new (<see cref="ExitCodes.IndexUnusable"/>).</exception>
    public static (int Dimensions, Distance.DistanceMetric Metric)? StoredDimensions(string directory)
    {
        try
        {
            return WerklyIndex.TryReadDimensions(directory, out var dimensions, out var metric) ? (dimensions, metric) : null;
        }
        catch (IndexCorruptedException e)
        {
            throw new CommandFailedException(ExitCodes.IndexUnusable,
                $"The index at '{directory}' is damaged: {e.Message} Delete the folder and ingest again, or restore it from a backup.", e);
        }
        catch (IncompatibleFormatException e)
        {
            throw new CommandFailedException(ExitCodes.IndexUnusable,
                $"The index at '{directory}' was written by a newer version: {e.Message} Update werkly, or ingest again into a new folder.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CommandFailedException(ExitCodes.IndexUnusable, $"The index folder '{directory}' is not readable ({e.Message}). Check its permissions.", e);
        }
    }

    private static CommandFailedException ModelMismatch(string directory, int indexDimensions, EmbeddingGeneratorMetadata? model) =>
        new(ExitCodes.ModelMismatch,
            $"The index at '{directory}' holds {indexDimensions}-dimension vectors, but the model {model?.DefaultModelId ?? "in use"} makes {model?.DefaultModelDimensions}-dimension vectors, " +
            $"so text cannot be embedded for it. Use --mode keyword to search it, or a model that makes {indexDimensions}-dimension vectors (--model), or ingest into another --index.");

    private static void CheckExists(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (File.Exists(directory))
            throw new CommandFailedException(ExitCodes.IndexNotFound,
                $"--index '{directory}' is a file, not an index folder. Pass the folder 'werkly ingest' created (default ./{IndexSettings.DefaultIndexDirectory}).");
        if (!Directory.Exists(directory))
            throw new CommandFailedException(ExitCodes.IndexNotFound,
                $"No index at '{directory}'. Run 'werkly ingest PATH --company ID' first (it creates the index), or pass --index DIR.");
        if (!File.Exists(Path.Combine(directory, ManifestFileName)))
            throw new CommandFailedException(ExitCodes.IndexNotFound,
                $"'{directory}' holds no werkly index (no {ManifestFileName} file). Run 'werkly ingest PATH --company ID --index {directory}' to create one, or pass the right --index DIR.");
    }

    /// <summary>Opens the index for writing, creating it when the folder is missing or empty.</summary>
    /// <exception cref="CommandFailedException">The path is a file or a non-empty folder that is not an index (<see cref="ExitCodes.Usage"/>), or the index is damaged, too new or locked.</exception>
    public static DocumentIndex OpenOrCreate(string directory, IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (File.Exists(directory))
            throw new CommandFailedException(ExitCodes.Usage, $"--index '{directory}' is a file; give a folder (it is created if missing).");
        if (Directory.Exists(directory) && !File.Exists(Path.Combine(directory, ManifestFileName)) && Directory.EnumerateFileSystemEntries(directory).Any())
            throw new CommandFailedException(ExitCodes.Usage,
                $"--index '{directory}' is a folder with other files in it and no werkly index; an index is created only in a new or empty folder, so nothing of yours is mixed with index files. Pick another --index.");
        if (generator.GetService<EmbeddingGeneratorMetadata>() is { DefaultModelDimensions: { } modelDimensions } model)
            EnsureModelMatches(directory, modelDimensions, model.DefaultModelId ?? "in use");
        return Open(directory, generator, readOnly: false);
    }

    private static DocumentIndex Open(string directory, IEmbeddingGenerator<string, Embedding<float>> generator, bool readOnly, DocumentIndexOptions? options = null)
    {
        try
        {
            return DocumentIndex.Open(directory, generator, options, readOnly: readOnly);
        }
        catch (IndexLockedException e) when (e.InnerException is UnauthorizedAccessException)
        {
            throw new CommandFailedException(ExitCodes.IndexUnusable, CommandRunner.NotWritable(e.InnerException), e);
        }
        catch (IndexLockedException e)
        {
            throw new CommandFailedException(ExitCodes.IndexUnusable, $"{e.Message} Wait for the other 'werkly ingest' or 'werkly delete' to finish.", e);
        }
        catch (IndexCorruptedException e)
        {
            throw new CommandFailedException(ExitCodes.IndexUnusable,
                $"The index at '{directory}' is damaged: {e.Message} Delete the folder and ingest again, or restore it from a backup.", e);
        }
        catch (IncompatibleFormatException e)
        {
            throw new CommandFailedException(ExitCodes.IndexUnusable,
                $"The index at '{directory}' was written by a newer version: {e.Message} Update werkly, or ingest again into a new folder.", e);
        }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            throw new CommandFailedException(ExitCodes.IndexUnusable,
                $"The index at '{directory}' was built with another embedding model or dimensions ({e.Message}). Ingest again into a new folder.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CommandFailedException(ExitCodes.IndexUnusable, readOnly
                ? $"The index folder '{directory}' is not readable ({e.Message}). Check its permissions."
                : CommandRunner.NotWritable(e), e);
        }
        catch (IOException e) when (!readOnly && CommandRunner.IsNotWritable(e))
        {
            throw new CommandFailedException(ExitCodes.IndexUnusable, CommandRunner.NotWritable(e), e);
        }
    }
}

/// <summary>Stands in for a model whose dimensions differ from the index's: it reports no dimensions (the index keeps its
/// own) and fails every embedding call with the mismatch.</summary>
/// <param name="mismatch">What an embedding call throws.</param>
internal sealed class MismatchedModel(CommandFailedException mismatch) : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default) => Task.FromException<GeneratedEmbeddings<Embedding<float>>>(mismatch);

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    /// <inheritdoc />
    public void Dispose() { }
}
