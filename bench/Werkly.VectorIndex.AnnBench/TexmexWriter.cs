namespace Werkly.VectorIndex.AnnBench;

/// <summary>Writes the texmex .fvecs/.ivecs layout read by <see cref="TexmexReader"/> (and by FAISS's and the peers' scripts).</summary>
internal static class TexmexWriter
{
    public static void WriteFvecs(string path, IReadOnlyList<float[]> rows) => Write(path, rows, static (row, bytes) => Buffer.BlockCopy(row, 0, bytes, 4, row.Length * 4));

    public static void WriteIvecs(string path, IReadOnlyList<int[]> rows) => Write(path, rows, static (row, bytes) => Buffer.BlockCopy(row, 0, bytes, 4, row.Length * 4));

    private static void Write<T>(string path, IReadOnlyList<T[]> rows, Action<T[], byte[]> encode)
    {
        using var stream = File.Create(path);
        foreach (var row in rows)
        {
            var bytes = new byte[4 + 4 * row.Length];
            BitConverter.TryWriteBytes(bytes, row.Length);
            encode(row, bytes);
            stream.Write(bytes);
        }
    }
}
