using Werkly.VectorIndex.Clustering;
using Werkly.VectorIndex.Distance.Kernels;

namespace Werkly.VectorIndex.Tests.Clustering;

public class KMeansTests
{
    private static float[] Padded(float[][] rows, int stride)
    {
        var data = new float[rows.Length * stride];
        for (var i = 0; i < rows.Length; i++) rows[i].CopyTo(data.AsSpan(i * stride));
        return data;
    }

    [Fact]
    public void Same_seed_gives_identical_centroids()
    {
        var rows = TestData.Clustered(3000, 48, 20, 0.1f, seed: 3);
        var stride = BlockKernel.StrideFor(48);
        var data = Padded(rows, stride);
        var a = KMeans.Train(data, rows.Length, stride, 16, new KMeansOptions { Seed = 7 });
        var b = KMeans.Train(data, rows.Length, stride, 16, new KMeansOptions { Seed = 7, MaxDegreeOfParallelism = 1 });
        Assert.Equal(a, b);
        var c = KMeans.Train(data, rows.Length, stride, 16, new KMeansOptions { Seed = 8 });
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Recovers_well_separated_clusters()
    {
        // 8 tight clusters: every trained centroid should sit on one true centre, each centre claimed once.
        var random = new Random(1);
        var centres = Enumerable.Range(0, 8).Select(_ => TestData.Unit(TestData.Gaussian(random, 32))).ToArray();
        var rows = new float[4000][];
        for (var i = 0; i < rows.Length; i++)
        {
            var noise = TestData.Gaussian(random, 32);
            rows[i] = TestData.Unit(centres[i % 8].Select((x, d) => x + 0.01f * noise[d]).ToArray());
        }
        var stride = BlockKernel.StrideFor(32);
        var centroids = KMeans.Train(Padded(rows, stride), rows.Length, stride, 8, new KMeansOptions { Seed = 2 });
        var claimed = new HashSet<int>();
        for (var c = 0; c < 8; c++)
        {
            var centroid = centroids.AsSpan(c * stride, 32).ToArray();
            var best = Enumerable.Range(0, 8).MaxBy(t => TestData.Score(Werkly.VectorIndex.Distance.DistanceMetric.InnerProduct, centres[t], centroid));
            Assert.True(TestData.Score(Werkly.VectorIndex.Distance.DistanceMetric.Cosine, centres[best], centroid) > 0.99);
            claimed.Add(best);
        }
        Assert.Equal(8, claimed.Count);
    }

    [Fact]
    public void No_cluster_is_left_empty()
    {
        // 4 distinct points repeated: asking for 12 clusters forces empty clusters, which must be split off big ones,
        // so every centroid ends up distinct (left empty, a cluster would keep a copy of an already chosen point).
        var random = new Random(5);
        var distinct = Enumerable.Range(0, 4).Select(_ => TestData.Unit(TestData.Gaussian(random, 16))).ToArray();
        var rows = Enumerable.Range(0, 1200).Select(i => distinct[i % 4]).ToArray();
        var stride = BlockKernel.StrideFor(16);
        var centroids = KMeans.Train(Padded(rows, stride), rows.Length, stride, 12, new KMeansOptions { Seed = 3, Iterations = 5 });
        for (var a = 0; a < 12; a++)
        {
            for (var b = a + 1; b < 12; b++)
            {
                Assert.False(centroids.AsSpan(a * stride, stride).SequenceEqual(centroids.AsSpan(b * stride, stride)),
                    $"centroids {a} and {b} coincide");
            }
        }
    }

    [Fact]
    public void Reports_progress_and_honours_cancellation()
    {
        var rows = TestData.Clustered(2000, 16, 10, 0.1f, seed: 9);
        var stride = BlockKernel.StrideFor(16);
        var data = Padded(rows, stride);
        var reports = new List<TrainingProgress>();
        KMeans.Train(data, rows.Length, stride, 8, new KMeansOptions { Iterations = 4, Progress = new SyncProgress(reports) });
        Assert.Equal([0, 1, 2, 3, 4], reports.Select(r => r.Iteration));
        Assert.True(reports[^1].Objective >= reports[1].Objective - 1e-6);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => KMeans.Train(data, rows.Length, stride, 8, new KMeansOptions(), cts.Token));
    }

    private sealed class SyncProgress(List<TrainingProgress> sink) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => sink.Add(value);
    }
}
