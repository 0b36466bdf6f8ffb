using System.Globalization;
using System.IO.Hashing;

namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>
/// Makes the int8 version of a float32 ONNX model once and keeps it in a cache folder, named by a hash of the source
/// file's content, the quantizer's version and its settings: a changed source or quantizer makes a new file, an unchanged
/// one is found again at the cost of hashing the source (about 10 ms for the 90 MB MiniLM from the page cache).
/// </summary>
/// <remarks>
/// The file is written under a temporary name and renamed into place (<see cref="AtomicFile"/>), so concurrent processes
/// and crashes never leave half a model behind. Safe to call from several threads and processes.
/// </remarks>
internal static class QuantizedModelFiles
{
    /// <summary>Weight scales of the shipped int8 models: per column measured better than per tensor (docs/EMBEDDINGS.md).</summary>
    internal const WeightScales DefaultScales = WeightScales.PerColumn;

    /// <summary>The path of the int8 version of <paramref name="sourcePath"/>, quantizing it first if no cache folder has it.</summary>
    /// <exception cref="EmbeddingModelException">The source cannot be read or quantized, or no cache folder is writable.</exception>
    internal static string GetOrCreate(string sourcePath, string? cacheDirectory, WeightScales scales = DefaultScales)
    {
        var key = CacheKey(sourcePath, scales);
        var fileName = $"{Path.GetFileNameWithoutExtension(sourcePath)}-int8-{key}.onnx";
        var errors = new List<Exception>();
        foreach (var root in BundledModelFiles.CandidateRoots(cacheDirectory))
        {
            var path = Path.Combine(root, "int8", fileName);
            try
            {
                if (File.Exists(path))
                    return path;
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                Write(sourcePath, path, scales);
                return path;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not EmbeddingModelException)
            {
                errors.Add(e);
                if (cacheDirectory is not null)
                    break; // the caller chose the folder: do not silently write elsewhere
            }
        }

        throw new EmbeddingModelException(sourcePath,
            $"could not write its int8 version into a cache folder ({cacheDirectory ?? BundledModelFiles.DefaultRoot()}).", new AggregateException(errors));
    }

    /// <summary>Quantizes <paramref name="sourcePath"/> into <paramref name="path"/> (replacing it atomically).</summary>
    internal static void Write(string sourcePath, string path, WeightScales scales)
    {
        using var source = OpenSource(sourcePath);
        AtomicFile.Write(path, 1 << 20, target =>
        {
            try
            {
                if (DynamicInt8Quantizer.Quantize(source, target, scales) == 0)
                    throw new InvalidDataException("it has no MatMul or Gemm with a float32 weight matrix to quantize.");
            }
            catch (InvalidDataException e)
            {
                throw new EmbeddingModelException(sourcePath, $"cannot be quantized to int8: {e.Message}", e);
            }
        });
    }

    /// <summary>XxHash3 of the source's content plus the quantizer's version and settings, as 16 hex digits.</summary>
    internal static string CacheKey(string sourcePath, WeightScales scales)
    {
        var hash = new XxHash3();
        using (var source = OpenSource(sourcePath))
        {
            try
            {
                hash.Append(source);
            }
            catch (IOException e)
            {
                throw new EmbeddingModelException(sourcePath, $"it cannot be read ({e.Message}).", e);
            }
        }

        hash.Append(System.Text.Encoding.UTF8.GetBytes($"|{DynamicInt8Quantizer.FormatVersion}|{scales}"));
        return hash.GetCurrentHashAsUInt64().ToString("x16", CultureInfo.InvariantCulture);
    }

    private static FileStream OpenSource(string sourcePath)
    {
        try
        {
            return new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EmbeddingModelException(sourcePath, $"it cannot be read ({e.Message}).", e);
        }
    }
}
