namespace Werkly.VectorIndex.AnnBench;

/// <summary>Reads the texmex .fvecs/.ivecs layout: per row an int32 dimension, then that many 4-byte values.</summary>
internal static class TexmexReader
{
    public static float[][] ReadFvecs(string path) => Read(path, static (bytes, d) =>
    {
        var row = new float[d];
        Buffer.BlockCopy(bytes, 4, row, 0, d * 4);
        return row;
    });

    public static int[][] ReadIvecs(string path) => Read(path, static (bytes, d) =>
    {
        var row = new int[d];
        Buffer.BlockCopy(bytes, 4, row, 0, d * 4);
        return row;
    });

    private static T[][] Read<T>(string path, Func<byte[], int, T[]> decode)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        if (stream.Length < 4) throw new InvalidDataException($"'{path}' is empty.");
        var d = reader.ReadInt32();
        if (d <= 0 || d > 1 << 16) throw new InvalidDataException($"'{path}' starts with dimension {d}.");
        var rowBytes = 4 + 4 * (long)d;
        if (stream.Length % rowBytes != 0) throw new InvalidDataException($"'{path}' length {stream.Length} is not a multiple of the row size {rowBytes}.");
        var rows = new T[stream.Length / rowBytes][];
        stream.Position = 0;
        var buffer = new byte[rowBytes];
        for (var i = 0; i < rows.Length; i++)
        {
            stream.ReadExactly(buffer);
            if (BitConverter.ToInt32(buffer, 0) != d) throw new InvalidDataException($"'{path}' row {i} has a different dimension.");
            rows[i] = decode(buffer, d);
        }
        return rows;
    }
}
