using System.Diagnostics;
using System.Globalization;
using Werkly.VectorIndex.Clustering;
using Werkly.VectorIndex.Distance.Kernels;

namespace Werkly.VectorIndex.AnnBench;

/// <summary>
/// k-means training time, ours next to FAISS's (Debian python3-faiss), on the same base vectors with the same sample
/// size (lists × 256, as FAISS samples) and iterations, in one run. Medians of <c>repeats</c> runs each.
/// </summary>
internal static class TrainingComparison
{
    private const string FaissScript = """
        import sys, time, numpy as np, faiss
        path, k, niter, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        faiss.omp_set_num_threads(int(sys.argv[5]))
        raw = np.fromfile(path, dtype=np.int32); d = raw[0]
        x = raw.reshape(-1, d + 1)[:, 1:].view(np.float32).copy()
        times = []
        for r in range(repeats):
            km = faiss.Kmeans(int(d), k, niter=niter, spherical=True, seed=1234 + r, max_points_per_centroid=256, verbose=False)
            t0 = time.perf_counter(); km.train(x); times.append(time.perf_counter() - t0)
        print(" ".join(f"{t:.4f}" for t in times))
        """;

    public static int Run(string dataDir, int lists, int iterations, int repeats, int threads, TextWriter log)
    {
        var baseVectors = TexmexReader.ReadFvecs(Path.Combine(dataDir, "base.fvecs"));
        var n = baseVectors.Length;
        var dimensions = baseVectors[0].Length;
        var stride = BlockKernel.StrideFor(dimensions);
        var points = new float[(long)n * stride];
        for (var i = 0; i < n; i++) baseVectors[i].CopyTo(points.AsSpan(i * stride));

        var ours = new List<double>();
        for (var r = 0; r < repeats; r++)
        {
            var watch = Stopwatch.StartNew();
            KMeans.Train(points, n, stride, lists, new KMeansOptions { Iterations = iterations, Seed = 1234 + r, MaxDegreeOfParallelism = threads });
            ours.Add(watch.Elapsed.TotalSeconds);
        }

        var script = Path.Combine(Path.GetTempPath(), $"werkly-faiss-kmeans-{Environment.ProcessId}.py");
        File.WriteAllText(script, FaissScript.Replace("\n        ", "\n", StringComparison.Ordinal));
        try
        {
            var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { script, Path.Combine(dataDir, "base.fvecs"), lists.ToString(CultureInfo.InvariantCulture), iterations.ToString(CultureInfo.InvariantCulture), repeats.ToString(CultureInfo.InvariantCulture), threads.ToString(CultureInfo.InvariantCulture) })
                start.ArgumentList.Add(a);
            using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start /usr/bin/python3.");
            var output = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                log.WriteLine($"FAISS run failed (apt-get install python3-faiss python3-numpy): {error}");
                return 1;
            }
            var faiss = output.Trim().Split(' ').Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToList();
            var oursMedian = Median(ours);
            var faissMedian = Median(faiss);
            log.WriteLine($"k-means {n}x{dimensions} into {lists} lists, sample {Math.Min(n, lists * 256)}, {iterations} iterations, {threads} thread(s), {repeats} runs each");
            log.WriteLine($"  ours : median {oursMedian:F2}s  [{string.Join(", ", ours.Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))}]");
            log.WriteLine($"  faiss: median {faissMedian:F2}s  [{string.Join(", ", faiss.Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))}]");
            log.WriteLine($"  ratio ours/faiss: {oursMedian / faissMedian:F2} (target <= 1.0)");
            return 0;
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
