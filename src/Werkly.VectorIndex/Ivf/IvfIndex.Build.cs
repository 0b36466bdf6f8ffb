using Werkly.VectorIndex.Clustering;
using Werkly.VectorIndex.Distance;

namespace Werkly.VectorIndex.Ivf;

internal sealed partial class IvfIndex
{
    private const int CalibrationK = 10;

    /// <summary>The default list count for <paramref name="rows"/> live vectors: rows/1000 up to 1M rows, √rows beyond.</summary>
    public static int DefaultListCount(long rows) =>
        rows <= 1_000_000 ? (int)Math.Max(1, rows / 1000) : (int)Math.Round(Math.Sqrt(rows));

    /// <summary>A retrain built from the live rows, ready to be installed.</summary>
    internal sealed record RetrainResult(CoarseQuantizer? Quantizer, MemorySegment Memory, Dictionary<string, (IvfSegment, int)> Map, int Probes, IvfSegment[] Replaced);

    /// <summary>
    /// Builds the index anew from its live records: trains new lists (or goes back to flat search below the threshold),
    /// drops deleted rows, and recalibrates the default probes. Only reads, so searches continue meanwhile (run it
    /// under the upgradeable read lock, then <see cref="InstallRetrain"/> under the write lock).
    /// </summary>
    public RetrainResult BuildRetrain(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var live = LiveRows(_segments);
        CoarseQuantizer? quantizer = null;
        if (live.Count >= Options.FlatSearchThreshold)
            quantizer = Train(live, progress, cancellationToken);

        var (memory, map) = Rebuild(live, quantizer, cancellationToken);
        var probes = quantizer is null ? 1 : Options.Probes ?? CalibrateProbes(quantizer, memory, cancellationToken);
        return new RetrainResult(quantizer, memory, map, Math.Min(probes, quantizer?.ListCount ?? 1), _segments);
    }

    /// <summary>Swaps in a retrain built by <see cref="BuildRetrain"/> from the current segments. Runs under the write lock.</summary>
    public void InstallRetrain(RetrainResult result)
    {
        if (!ReferenceEquals(result.Replaced, _segments))
            throw new InvalidOperationException("The segments changed since the retrain was built.");
        OnSegmentsReplaced(_segments);
        _quantizer = result.Quantizer;
        _memory = result.Memory;
        _segments = [result.Memory];
        AssignRowBases(_segments);
        _rowByKey = result.Map;
        _defaultProbes = result.Probes;
    }

    private CoarseQuantizer Train(List<(IvfSegment Segment, int Row)> live, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var n = live.Count;
        var listCount = Options.Lists ?? DefaultListCount(n);
        listCount = Math.Clamp(listCount, 1, n);
        var kmeans = new KMeansOptions
        {
            Iterations = Options.TrainingIterations,
            Seed = Options.Seed,
            Spherical = Metric != DistanceMetric.SquaredL2,
            MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism,
            Progress = progress,
        };

        // Sample rows here rather than in k-means, so only the sample is copied out of the lists (k-means trains on it as is).
        var sampleSize = (int)Math.Min(n, (long)listCount * kmeans.MaxPointsPerCentroid);
        var chosen = KMeans.SampleIndices(n, sampleSize, new Random(Options.Seed));
        var sample = new float[sampleSize * Stride];
        for (var i = 0; i < sampleSize; i++)
        {
            var (segment, row) = live[chosen[i]];
            segment.GetVector(row).CopyTo(sample.AsSpan(i * Stride, Stride));
        }

        var centroids = KMeans.Train(sample, sampleSize, Stride, listCount, kmeans, cancellationToken);
        return new CoarseQuantizer(centroids, listCount, Stride, Metric, n);
    }

    /// <summary>One new memory segment holding exactly the live rows, assigned to <paramref name="quantizer"/>'s lists.</summary>
    private (MemorySegment Memory, Dictionary<string, (IvfSegment, int)> Map) Rebuild(List<(IvfSegment Segment, int Row)> live, CoarseQuantizer? quantizer, CancellationToken cancellationToken)
    {
        var n = live.Count;
        var assignment = new int[n];
        if (quantizer is not null)
        {
            Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism, CancellationToken = cancellationToken },
                () => new float[quantizer.ListCount],
                (i, _, scratch) =>
                {
                    assignment[i] = quantizer.Assign(live[i].Segment.GetVector(live[i].Row), scratch);
                    return scratch;
                },
                _ => { });
        }

        var listCount = quantizer?.ListCount ?? 1;
        var memory = new MemorySegment(listCount, Stride);
        var sizes = new int[listCount];
        foreach (var list in assignment) sizes[list]++;
        for (var list = 0; list < listCount; list++) memory.EnsureCapacity(list, sizes[list]);

        var map = new Dictionary<string, (IvfSegment, int)>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (segment, old) = live[i];
            var key = segment.GetKey(old);
            var row = memory.Append(assignment[i], segment.GetVector(old), key, segment.GetMetadata(old));
            map[key] = (memory, row);
        }
        return (memory, map);
    }

    /// <summary>
    /// The smallest probe count whose recall@10 on a sample of the company's own vectors (each one's own row excluded)
    /// reaches <see cref="WerklyIndexOptions.TargetRecall"/>. A true neighbour is found exactly when its list is probed,
    /// so one exact search per sample query gives the recall of every probe count at once.
    /// </summary>
    private int CalibrateProbes(CoarseQuantizer quantizer, MemorySegment segment, CancellationToken cancellationToken)
    {
        var lists = segment.Lists;
        var n = segment.RowCount;
        var listCount = quantizer.ListCount;
        if (n <= CalibrationK + 1 || listCount == 1) return 1;
        var queryCount = (int)Math.Clamp(20_000_000L / n, 50, 200);
        queryCount = Math.Min(queryCount, n);
        var random = new Random(Options.Seed ^ 0x5bd1e995);
        var queries = new int[queryCount];
        for (var i = 0; i < queryCount; i++) queries[i] = random.Next(n);

        var neededProbes = new int[listCount + 1]; // histogram: neighbours first found at probe count p
        Parallel.For(0, queryCount, new ParallelOptions { MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism, CancellationToken = cancellationToken },
            () => (Heap: new TopKHeap(), Scores: new float[Math.Max(listCount, 1024)], Keys: new float[listCount], Rank: new int[listCount], Order: new int[listCount],
                Found: new float[CalibrationK], FoundRows: new int[CalibrationK], Local: new int[listCount + 1]),
            (qi, _, s) =>
            {
                var self = queries[qi];
                var query = segment.GetVector(self);
                s.Heap.Reset(CalibrationK, segment.GetKey);
                for (var list = 0; list < listCount; list++)
                {
                    var vectors = lists.GetVectors(list);
                    var ids = lists.GetRowIds(list);
                    for (var start = 0; start < ids.Length; start += 1024)
                    {
                        var count = Math.Min(1024, ids.Length - start);
                        ScoreBlock(query, vectors.Slice(start * Stride, count * Stride), s.Scores.AsSpan(0, count));
                        for (var j = 0; j < count; j++)
                        {
                            if (ids[start + j] != self && s.Heap.MayEnter(s.Scores[j])) s.Heap.TryAdd(s.Scores[j], ids[start + j]);
                        }
                    }
                }
                quantizer.Score(query, s.Scores);
                SortAll(s.Scores.AsSpan(0, listCount), s.Order, s.Keys); // lists best first, as a search ranks them
                for (var r = 0; r < listCount; r++) s.Rank[s.Order[r]] = r;
                var m = s.Heap.Drain(s.Found, s.FoundRows);
                for (var j = 0; j < m; j++) s.Local[s.Rank[segment.ListOf(s.FoundRows[j])] + 1]++;
                return s;
            },
            s =>
            {
                lock (neededProbes)
                {
                    for (var p = 0; p <= listCount; p++) neededProbes[p] += s.Local[p];
                }
            });

        // Stored vectors helped train the centroids they are measured against, so their recall runs ahead of new
        // queries' (measured: 0.95 on the sample gave 0.938 on fresh queries). Aim to halve the sample's miss rate.
        var target = 1 - (1 - Options.TargetRecall) / 2;
        var total = (double)neededProbes.Sum();
        var cumulative = 0;
        for (var p = 1; p <= listCount; p++)
        {
            cumulative += neededProbes[p];
            if (cumulative / total >= target) return p;
        }
        return listCount;
    }
}
