namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>
/// Replaces a file only once its new content is complete: written to a temporary file next to it, flushed to disk, then
/// renamed over it. Readers, concurrent writers and crashes see either the old file or the whole new one.
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> with <paramref name="write"/>. If <paramref name="write"/> throws, the temporary file
    /// is deleted and <paramref name="path"/> is left untouched.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="bufferSize">The write buffer of the temporary file's stream.</param>
    /// <param name="write">Writes the whole content to the stream; flushing is done here.</param>
    /// <exception cref="IOException">The file cannot be written or renamed.</exception>
    internal static void Write(string path, int bufferSize, Action<FileStream> write)
    {
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }
}
