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

    /// <summary>Opens an existing index.</summary>
    /// <param name="directory">The index folder (full path).</param>
    /// <param name="generator">The embedding model.</param>
    /// <param name="readOnly">True for commands that only read (they then run next to a writer).</param>
    /// <returns>The index; the caller disposes it.</returns>
    /// <exception cref="CommandFailedException">There is no index there (<see cref="ExitCodes.IndexNotFound"/>), or it is
    /// damaged, too new or locked (<see cref="ExitCodes.IndexUnusable"/>).</exception>
    public static DocumentIndex OpenExisting(string directory, IEmbeddingGenerator<string, Embedding<float>> generator, bool readOnly)
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
        return Open(directory, generator, readOnly);
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
        return Open(directory, generator, readOnly: false);
    }

    private static DocumentIndex Open(string directory, IEmbeddingGenerator<string, Embedding<float>> generator, bool readOnly)
    {
        try
        {
            return DocumentIndex.Open(directory, generator, readOnly: readOnly);
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
