using System.Numerics.Tensors;
using Werkly.VectorIndex.Distance.Kernels;

namespace Werkly.VectorIndex.Clustering;

/// <summary>
/// k-means with k-means++ initialisation, spherical (inner product, normalised centroids) or plain (squared L2).
/// </summary>
/// <remarks>
/// Points and centroids are rows of <c>stride</c> floats (zero-padded), so assignment runs on the same block kernel
/// as search. Assignment is parallel over fixed chunks whose partial sums are merged in chunk order, so a fixed seed
/// gives bit-identical centroids whatever the thread timing. Empty clusters are split off the largest clusters
/// (a symmetric perturbation of a big centroid, as FAISS does) rather than left empty or re-seeded at random.
/// </remarks>
internal static class KMeans
{
    private const float SplitEpsilon = 1f / 1024;

    /// <summary>Trains <paramref name="k"/> centroids on <paramref name="count"/> rows of <paramref name="points"/>.</summary>
    /// <remarks><paramref name="points"/> is only read; when no sampling is needed it is trained on in place, not copied.</remarks>
    /// <returns>k rows of <paramref name="stride"/> floats.</returns>
    public static float[] Train(float[] points, int count, int stride, int k, KMeansOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (count < k) throw new ArgumentException($"k-means needs at least k = {k} points; got {count}.", nameof(count));
        if (points.Length < (long)count * stride) throw new ArgumentException("Too few floats for the given count and stride.", nameof(points));

        var random = new Random(options.Seed);
        var sample = Sample(points, count, stride, k * options.MaxPointsPerCentroid, random, out var n);
        var centroids = InitPlusPlus(sample, n, stride, k, options, random, cancellationToken);
        var assignment = new int[n];
        var chunks = ChunkCount(n);
        var sums = new float[chunks][]; // per-chunk partial sums, reused by every iteration
        var counts = new int[chunks][];
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            sums[chunk] = new float[k * stride];
            counts[chunk] = new int[k];
        }
        options.Progress?.Report(new TrainingProgress(0, options.Iterations, 0));

        for (var iteration = 1; iteration <= options.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var objective = Assign(sample, n, stride, centroids, k, options, assignment, cancellationToken);
            Update(sample, n, stride, centroids, k, options, assignment, sums, counts, random);
            options.Progress?.Report(new TrainingProgress(iteration, options.Iterations, objective));
        }
        return centroids;
    }

    /// <summary>Assigns every point to its best centroid; returns the summed best scores.</summary>
    public static double Assign(float[] points, int n, int stride, float[] centroids, int k, KMeansOptions options,
        int[] assignment, CancellationToken cancellationToken)
    {
        var chunks = ChunkCount(n);
        var partial = new double[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken, TaskScheduler = options.Scheduler ?? TaskScheduler.Default }, chunk =>
        {
            var (start, end) = ChunkRange(n, chunks, chunk);
            var scores = new float[k];
            double sum = 0;
            for (var i = start; i < end; i++)
            {
                var point = points.AsSpan(i * stride, stride);
                if (options.Spherical) BlockKernel.Score<DotOperator>(point, centroids, stride, scores);
                else BlockKernel.Score<SquaredDifferenceOperator>(point, centroids, stride, scores);
                var best = TensorPrimitives.IndexOfMax(scores);
                assignment[i] = best;
                sum += scores[best];
            }
            partial[chunk] = sum;
        });
        return partial.Sum();
    }

    /// <summary>Moves each centroid to the mean of its points, using (and first clearing) the per-chunk <paramref name="sums"/> and <paramref name="counts"/>.</summary>
    private static void Update(float[] points, int n, int stride, float[] centroids, int k, KMeansOptions options, int[] assignment,
        float[][] sums, int[][] counts, Random random)
    {
        var chunks = sums.Length;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, TaskScheduler = options.Scheduler ?? TaskScheduler.Default }, chunk =>
        {
            var (start, end) = ChunkRange(n, chunks, chunk);
            var s = sums[chunk];
            var c = counts[chunk];
            Array.Clear(s);
            Array.Clear(c);
            for (var i = start; i < end; i++)
            {
                var cluster = assignment[i];
                c[cluster]++;
                TensorPrimitives.Add(s.AsSpan(cluster * stride, stride), points.AsSpan(i * stride, stride), s.AsSpan(cluster * stride, stride));
            }
        });

        var total = sums[0];
        var sizes = counts[0];
        for (var chunk = 1; chunk < chunks; chunk++) // fixed merge order keeps results deterministic
        {
            TensorPrimitives.Add(total, sums[chunk], total);
            for (var c = 0; c < k; c++) sizes[c] += counts[chunk][c];
        }
        for (var c = 0; c < k; c++)
        {
            if (sizes[c] == 0) continue;
            var centroid = centroids.AsSpan(c * stride, stride);
            TensorPrimitives.Multiply(total.AsSpan(c * stride, stride), 1f / sizes[c], centroid);
        }
        SplitEmptyClusters(centroids, sizes, n, stride, k, random);
        if (options.Spherical)
        {
            for (var c = 0; c < k; c++)
            {
                var centroid = centroids.AsSpan(c * stride, stride);
                var norm = TensorPrimitives.Norm(centroid);
                if (norm > 0) TensorPrimitives.Multiply(centroid, 1f / norm, centroid);
            }
        }
    }

    /// <summary>Gives each empty cluster half of a big cluster: the big centroid nudged two opposite ways.</summary>
    private static void SplitEmptyClusters(float[] centroids, int[] sizes, int n, int stride, int k, Random random)
    {
        for (var empty = 0; empty < k; empty++)
        {
            if (sizes[empty] != 0) continue;
            // Pick a cluster with probability proportional to (size - 1), so singletons are never split.
            var donor = 0;
            var weightTotal = (double)(n - k);
            for (var attempt = 0; ; attempt = (attempt + 1) % k)
            {
                var p = (sizes[attempt] - 1) / weightTotal;
                if (p > 0 && random.NextDouble() < p) { donor = attempt; break; }
            }
            var source = centroids.AsSpan(donor * stride, stride);
            var target = centroids.AsSpan(empty * stride, stride);
            source.CopyTo(target);
            for (var d = 0; d < stride; d++)
            {
                var nudge = (d % 2 == 0 ? 1 : -1) * SplitEpsilon;
                target[d] *= 1 + nudge;
                source[d] *= 1 - nudge;
            }
            sizes[empty] = sizes[donor] / 2;
            sizes[donor] -= sizes[empty];
        }
    }

    /// <summary>k-means++: each next centroid is drawn with probability proportional to its distance to the chosen ones.</summary>
    private static float[] InitPlusPlus(float[] points, int n, int stride, int k, KMeansOptions options, Random random, CancellationToken cancellationToken)
    {
        var centroids = new float[k * stride];
        var distances = new double[n]; // squared L2 (for unit vectors 2 − 2·ip), to the nearest chosen centroid
        var first = random.Next(n);
        points.AsSpan(first * stride, stride).CopyTo(centroids);
        var chunks = ChunkCount(n);
        var partialSums = new double[chunks];
        var scores = new float[n];
        for (var c = 0; c < k - 1; c++) // distances to centroid c, then draw centroid c + 1
        {
            cancellationToken.ThrowIfCancellationRequested();
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, TaskScheduler = options.Scheduler ?? TaskScheduler.Default }, chunk =>
            {
                var (start, end) = ChunkRange(n, chunks, chunk);
                BlockKernel.Score<SquaredDifferenceOperator>(centroids.AsSpan(c * stride, stride), points.AsSpan(start * stride, (end - start) * stride), stride,
                    scores.AsSpan(start, end - start));
                double sum = 0;
                for (var i = start; i < end; i++)
                {
                    var d = -(double)scores[i];
                    if (c == 0 || d < distances[i]) distances[i] = d;
                    sum += distances[i];
                }
                partialSums[chunk] = sum;
            });
            var total = partialSums.Sum();
            int next;
            if (total <= 0)
            {
                next = random.Next(n); // every point coincides with a centroid: any choice is as good
            }
            else
            {
                var target = random.NextDouble() * total;
                next = n - 1;
                double running = 0;
                for (var i = 0; i < n; i++)
                {
                    running += distances[i];
                    if (running >= target) { next = i; break; }
                }
            }
            points.AsSpan(next * stride, stride).CopyTo(centroids.AsSpan((c + 1) * stride, stride));
        }
        return centroids;
    }

    private static float[] Sample(float[] points, int count, int stride, int maxSample, Random random, out int n)
    {
        if (count <= maxSample)
        {
            n = count;
            return points;
        }
        var indices = SampleIndices(count, maxSample, random);
        var sample = new float[maxSample * stride];
        for (var i = 0; i < maxSample; i++)
            points.AsSpan(indices[i] * stride, stride).CopyTo(sample.AsSpan(i * stride, stride));
        n = maxSample;
        return sample;
    }

    /// <summary>
    /// <c>min(count, max)</c> distinct indices below <paramref name="count"/>, drawn uniformly by a partial Fisher-Yates
    /// shuffle and returned ascending, so copying the rows walks memory forwards. Draws nothing when count &lt;= max.
    /// </summary>
    public static int[] SampleIndices(int count, int max, Random random)
    {
        var indices = new int[count];
        for (var i = 0; i < count; i++) indices[i] = i;
        if (count <= max) return indices;
        for (var i = 0; i < max; i++)
        {
            var j = random.Next(i, count);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
        Array.Resize(ref indices, max);
        Array.Sort(indices);
        return indices;
    }

    // Independent of the core count, so the merge order (and so the float sums) does not depend on core count or thread
    // timing. The kernels' SIMD width still sets the summation order: results repeat on the same instruction set only.
    private static int ChunkCount(int n) => Math.Clamp(n / 2048, 1, 64);

    private static (int Start, int End) ChunkRange(int n, int chunks, int chunk) =>
        ((int)((long)n * chunk / chunks), (int)((long)n * (chunk + 1) / chunks));
}
