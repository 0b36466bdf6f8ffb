using Werkly.VectorIndex.Distance;

namespace Werkly.VectorIndex.Tests;

/// <summary>Deterministic synthetic vectors, shaped like make_vectors.py: unit vectors around random unit centres.</summary>
internal static class TestData
{
    public static float[][] Clustered(int n, int dimensions, int clusters, float spread, int seed)
    {
        var random = new Random(seed);
        var centres = new float[clusters][];
        for (var c = 0; c < clusters; c++) centres[c] = Unit(Gaussian(random, dimensions));
        var result = new float[n][];
        for (var i = 0; i < n; i++)
        {
            var centre = centres[random.Next(clusters)];
            var v = Gaussian(random, dimensions);
            for (var d = 0; d < dimensions; d++) v[d] = centre[d] + v[d] * spread;
            result[i] = Unit(v);
        }
        return result;
    }

    public static float[] Gaussian(Random random, int dimensions)
    {
        var v = new float[dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            // Box-Muller
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            v[d] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return v;
    }

    public static float[] Unit(float[] v)
    {
        double s = 0;
        foreach (var x in v) s += x * x;
        var inv = (float)(1 / Math.Sqrt(s));
        for (var i = 0; i < v.Length; i++) v[i] *= inv;
        return v;
    }

    /// <summary>Exact top-k keys by the metric's score, ties by key, in double precision.</summary>
    public static string[] BruteForce(IReadOnlyDictionary<string, float[]> records, float[] query, int k, DistanceMetric metric)
    {
        return records
            .Select(r => (r.Key, Score: Score(metric, r.Value, query)))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Take(k).Select(x => x.Key).ToArray();
    }

    public static double Score(DistanceMetric metric, float[] x, float[] y)
    {
        double dot = 0, xx = 0, yy = 0, l2 = 0;
        for (var i = 0; i < x.Length; i++)
        {
            dot += (double)x[i] * y[i];
            xx += (double)x[i] * x[i];
            yy += (double)y[i] * y[i];
            l2 += ((double)x[i] - y[i]) * ((double)x[i] - y[i]);
        }
        return metric switch
        {
            DistanceMetric.Cosine => dot / Math.Sqrt(xx * yy),
            DistanceMetric.InnerProduct => dot,
            _ => -l2,
        };
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Werkly.VectorIndex.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Repository root (Werkly.VectorIndex.sln) not found above " + AppContext.BaseDirectory);
    }
}
