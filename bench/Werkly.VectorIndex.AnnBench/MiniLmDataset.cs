using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Werkly.VectorIndex.Distance.Kernels;
using Werkly.VectorIndex.Embeddings.Onnx;

namespace Werkly.VectorIndex.AnnBench;

/// <summary>
/// Builds a real-embedding data set in texmex layout: all-MiniLM-L6-v2 (the bundled model) embeddings of documentation
/// text, with held-out queries (texts not in the base) and exact top-100 ground truth by inner product (= cosine, the
/// embeddings are unit length).
/// </summary>
/// <remarks>
/// The texts are the XML documentation of the .NET and ASP.NET Core reference packs that ship with the SDK (summaries,
/// remarks, parameter, return and exception descriptions of 40–600 characters, about 88,000 distinct ones): real
/// English technical prose with the near-duplicates company documents have, found offline on any machine with the SDK.
/// Distinct texts are sorted ordinally and shuffled with a fixed seed, so the same SDK gives the same set.
/// </remarks>
internal static partial class MiniLmDataset
{
    private static readonly string[] ReferencePacks = ["Microsoft.NETCore.App.Ref", "Microsoft.AspNetCore.App.Ref"];

    public static int Run(string outDir, int baseCount, int queryCount, TextWriter log)
    {
        var texts = CollectTexts(log);
        if (texts.Count < baseCount + queryCount)
            throw new InvalidOperationException($"Only {texts.Count} distinct texts were found; {baseCount + queryCount} are needed.");
        var random = new Random(42);
        var shuffled = texts.ToArray();
        random.Shuffle(shuffled);
        var baseTexts = shuffled[..baseCount];
        var queryTexts = shuffled[baseCount..(baseCount + queryCount)];

        var model = OnnxEmbeddingModel.AllMiniLmL6V2();
        using var generator = new OnnxEmbeddingGenerator(model);
        var watch = Stopwatch.StartNew();
        var baseVectors = Embed(generator, baseTexts, EmbeddingInputKind.Document, log);
        var queries = Embed(generator, queryTexts, EmbeddingInputKind.Query, log);
        log.WriteLine($"embedded {baseCount + queryCount} texts in {watch.Elapsed.TotalSeconds:F0} s");

        var groundTruth = ExactTopK(baseVectors, queries, 100);
        Directory.CreateDirectory(outDir);
        TexmexWriter.WriteFvecs(Path.Combine(outDir, "base.fvecs"), baseVectors);
        TexmexWriter.WriteFvecs(Path.Combine(outDir, "query.fvecs"), queries);
        TexmexWriter.WriteIvecs(Path.Combine(outDir, "gt.ivecs"), groundTruth);
        File.WriteAllLines(Path.Combine(outDir, "base.txt"), baseTexts.Select(t => t.ReplaceLineEndings(" ")));
        File.WriteAllLines(Path.Combine(outDir, "query.txt"), queryTexts.Select(t => t.ReplaceLineEndings(" ")));
        log.WriteLine($"wrote {baseCount} x {baseVectors[0].Length} base, {queryCount} held-out queries, top-100 ground truth to {outDir}");
        return 0;
    }

    private static SortedSet<string> CollectTexts(TextWriter log)
    {
        // .../shared/Microsoft.NETCore.App/<version>/ → .../packs/*.App.Ref/*/ref/net*/*.xml
        var runtimeDir = RuntimeEnvironment.GetRuntimeDirectory();
        var dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        var files = ReferencePacks
            .Select(p => Path.Combine(dotnetRoot, "packs", p))
            .Where(Directory.Exists)
            .SelectMany(p => Directory.EnumerateFiles(p, "*.xml", SearchOption.AllDirectories))
            .Where(f => f.Contains($"{Path.DirectorySeparatorChar}ref{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var texts = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var xml = File.ReadAllText(file);
            foreach (Match m in Element().Matches(xml))
            {
                var text = Reference().Replace(m.Groups[2].Value, r => r.Groups[1].Value.Split('(')[0].Split('.')[^1]);
                text = WebUtility.HtmlDecode(Whitespace().Replace(Tag().Replace(text, " "), " ")).Trim();
                if (text.Length is >= 40 and <= 600) texts.Add(text);
            }
        }
        log.WriteLine($"{texts.Count} distinct documentation texts from {files.Count} reference-pack files under {dotnetRoot}");
        return texts;
    }

    private static float[][] Embed(OnnxEmbeddingGenerator generator, string[] texts, EmbeddingInputKind kind, TextWriter log)
    {
        var result = new float[texts.Length][];
        const int Chunk = 2048;
        for (var start = 0; start < texts.Length; start += Chunk)
        {
            var batch = texts[start..Math.Min(texts.Length, start + Chunk)];
            var embeddings = generator.GenerateAsync(batch, kind).GetAwaiter().GetResult();
            for (var i = 0; i < batch.Length; i++) result[start + i] = embeddings[i].Vector.ToArray();
            if (start / Chunk % 5 == 0) log.WriteLine($"  {start + batch.Length} / {texts.Length}");
        }
        return result;
    }

    /// <summary>Exact top-<paramref name="k"/> row ids by inner product, best first (exactly equal scores in no particular order).</summary>
    internal static int[][] ExactTopK(float[][] baseVectors, float[][] queries, int k)
    {
        var n = baseVectors.Length;
        var stride = BlockKernel.StrideFor(baseVectors[0].Length);
        var block = new float[(long)n * stride];
        for (var i = 0; i < n; i++) baseVectors[i].CopyTo(block.AsSpan(i * stride));
        var result = new int[queries.Length][];
        Parallel.For(0, queries.Length, () => (Query: new float[stride], Scores: new float[n], Ids: new int[n]), (q, _, s) =>
        {
            queries[q].CopyTo(s.Query, 0);
            BlockKernel.Score<DotOperator>(s.Query, block, stride, s.Scores);
            for (var i = 0; i < n; i++)
            {
                s.Ids[i] = i;
                s.Scores[i] = -s.Scores[i];
            }
            Array.Sort(s.Scores, s.Ids);
            result[q] = s.Ids[..k];
            return s;
        }, _ => { });
        return result;
    }

    [GeneratedRegex(@"<(summary|remarks|returns|param|exception|value)\b[^>]*>(.*?)</\1>", RegexOptions.Singleline)]
    private static partial Regex Element();

    [GeneratedRegex(@"<see\b[^>]*?\b(?:cref|langword)=""(?:[A-Z]:)?([^""]*)""\s*/>")]
    private static partial Regex Reference();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
