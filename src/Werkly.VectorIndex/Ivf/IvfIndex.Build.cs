using System.Diagnostics;
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
    internal sealed record RetrainResult(CoarseQuantizer? Quantizer, ScalarQuantizer? Codes, MemorySegment Memory, Dictionary<string, (IvfSegment, int)> Map,
        int Probes, int RerankFactor, IvfSegment[] Replaced);

    /// <summary>
    /// Builds the index anew from its live records: trains new lists (or goes back to flat search below the threshold),
    /// trains the code ranges on the residuals when quantization is on, drops deleted rows, and recalibrates the default
    /// probes and the re-ranking factor. Only reads, so searches continue meanwhile (run it under the writer gate, then
    /// <see cref="InstallRetrain"/> under the write lock).
    /// </summary>
    public RetrainResult BuildRetrain(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var live = LiveRows(_segments);
        CoarseQuantizer? quantizer = null;
        if (live.Count >= Options.FlatSearchThreshold)
            quantizer = Train(live, progress, cancellationToken);
        var trained = Stopwatch.GetTimestamp();

        var assignment = Assign(live, quantizer, cancellationToken);
        var bits = CodeBitsOf(Options.Quantization);
        var codes = quantizer is null || bits == 0 ? null : TrainCodes(live, assignment, quantizer, bits);
        var (memory, map) = Rebuild(live, assignment, quantizer, codes, cancellationToken);
        var rebuilt = Stopwatch.GetTimestamp();
        if (quantizer is null) return new RetrainResult(null, null, memory, map, 1, _rerankFactor, _segments);

        var calibration = Options.Probes is null || (codes is not null && Options.RerankFactor is null)
            ? Sample(quantizer, memory, cancellationToken)
            : null;
        var probes = Math.Min(Options.Probes ?? ProbesFor(calibration!, quantizer.ListCount), quantizer.ListCount);
        var sampled = Stopwatch.GetTimestamp();
        var rerank = codes is null ? _rerankFactor : Options.RerankFactor ?? CalibrateRerank(calibration!, quantizer, codes, memory, probes, cancellationToken);
        LastRetrainProfile = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"k-means {Stopwatch.GetElapsedTime(start, trained).TotalSeconds:F2} s, assign + codes + lists {Stopwatch.GetElapsedTime(trained, rebuilt).TotalSeconds:F2} s, " +
            $"probe calibration {Stopwatch.GetElapsedTime(rebuilt, sampled).TotalSeconds:F2} s, re-rank calibration {Stopwatch.GetElapsedTime(sampled).TotalSeconds:F2} s");
        return new RetrainResult(quantizer, codes, memory, map, probes, rerank, _segments);
    }

    /// <summary>Where the last <see cref="BuildRetrain"/> spent its time (for benchmarks), or null.</summary>
    internal string? LastRetrainProfile { get; private set; }

    /// <summary>Swaps in a retrain built by <see cref="BuildRetrain"/> from the current segments. Runs under the write lock.</summary>
    public void InstallRetrain(RetrainResult result)
    {
        if (!ReferenceEquals(result.Replaced, _segments))
            throw new InvalidOperationException("The segments changed since the retrain was built.");
        OnSegmentsReplaced(_segments);
        _quantizer = result.Quantizer;
        _codes = result.Codes;
        _otherCodes = null;
        _memory = result.Memory;
        _segments = [result.Memory];
        AssignRowBases(_segments);
        _rowByKey = result.Map;
        _defaultProbes = result.Probes;
        _rerankFactor = result.RerankFactor;
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
            Scheduler = Storage.CommitThread.CurrentScheduler,
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

    /// <summary>How a build's parallel loops run: <see cref="WerklyIndexOptions.MaxDegreeOfParallelism"/> threads, on the
    /// lowered scheduler when the build runs on a lowered thread (a commit's merge, an automatic retrain below normal
    /// priority), whose pool threads would otherwise run it at normal priority.</summary>
    private ParallelOptions ParallelOptionsFor(CancellationToken cancellationToken) => new()
    {
        MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism,
        CancellationToken = cancellationToken,
        TaskScheduler = Storage.CommitThread.CurrentScheduler ?? TaskScheduler.Default,
    };

    /// <summary>Test hook: called on each thread that joins the assignment loop of a retrain or merge (where that thread
    /// runs, and at what priority, is what lowered work promises).</summary>
    internal static Action? ParallelWorkerProbe { get; set; }

    /// <summary>The list of each live row under <paramref name="quantizer"/> (all 0 without one).</summary>
    private int[] Assign(List<(IvfSegment Segment, int Row)> live, CoarseQuantizer? quantizer, CancellationToken cancellationToken)
    {
        var assignment = new int[live.Count];
        if (quantizer is null) return assignment;
        Parallel.For(0, live.Count, ParallelOptionsFor(cancellationToken),
            () =>
            {
                ParallelWorkerProbe?.Invoke();
                return new float[quantizer.ListCount];
            },
            (i, _, scratch) =>
            {
                assignment[i] = quantizer.Assign(live[i].Segment.GetVector(live[i].Row), scratch);
                return scratch;
            },
            _ => { });
        return assignment;
    }

    /// <summary>
    /// Code ranges trained on the residuals (row − its list's centroid) of a seeded sample of the live rows, clipped at
    /// the 0.0001 quantile (docs/BENCHMARKS.md, "What the range scheme and the query handling change"), at
    /// <paramref name="bits"/> bits per code.
    /// </summary>
    private ScalarQuantizer TrainCodes(List<(IvfSegment Segment, int Row)> live, int[] assignment, CoarseQuantizer quantizer, int bits)
    {
        var training = ScalarQuantizerTraining.Default with { Seed = Options.Seed };
        var sample = KMeans.SampleIndices(live.Count, Math.Min(live.Count, training.MaxSampleRows), new Random(training.Seed ^ 0x2545F491));
        var residuals = new float[sample.Length * Stride];
        for (var i = 0; i < sample.Length; i++)
        {
            var at = sample[i];
            var (segment, row) = live[at];
            System.Numerics.Tensors.TensorPrimitives.Subtract(segment.GetVector(row), quantizer.Centroids.Slice(assignment[at] * Stride, Stride),
                residuals.AsSpan(i * Stride, Stride));
        }
        return ScalarQuantizer.Train(residuals, sample.Length, Stride, Dimensions, training with { MaxSampleRows = sample.Length }).WithBits(bits);
    }

    /// <summary>One new memory segment holding exactly the live rows in their assigned lists, with their codes when
    /// <paramref name="codes"/> is given.</summary>
    private (MemorySegment Memory, Dictionary<string, (IvfSegment, int)> Map) Rebuild(List<(IvfSegment Segment, int Row)> live, int[] assignment,
        CoarseQuantizer? quantizer, ScalarQuantizer? codes, CancellationToken cancellationToken)
    {
        var n = live.Count;
        var listCount = quantizer?.ListCount ?? 1;
        var memory = NewMemorySegment(listCount, codes);
        var sizes = new int[listCount];
        foreach (var list in assignment) sizes[list]++;
        for (var list = 0; list < listCount; list++) memory.EnsureCapacity(list, sizes[list]);

        // Codes in parallel (the residual encoding costs about as much as a scan), appended in row order below.
        byte[] allCodes = [];
        float[] norms = [];
        var codeStride = codes?.CodeStride ?? 0;
        if (codes is not null)
        {
            allCodes = GC.AllocateUninitializedArray<byte>(checked(n * codeStride));
            norms = Metric == DistanceMetric.SquaredL2 ? new float[n] : [];
            Parallel.For(0, n, ParallelOptionsFor(cancellationToken), i =>
            {
                EncodeRow(codes, quantizer, assignment[i], live[i].Segment.GetVector(live[i].Row), allCodes.AsSpan(i * codeStride, codeStride), out var norm);
                if (norms.Length != 0) norms[i] = norm;
            });
        }

        var map = new Dictionary<string, (IvfSegment, int)>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            if ((i & 4095) == 0) cancellationToken.ThrowIfCancellationRequested();
            var (segment, old) = live[i];
            var key = segment.GetKey(old);
            var row = memory.Append(assignment[i], segment.GetVector(old), key, segment.GetMetadata(old),
                codes is null ? default : allCodes.AsSpan(i * codeStride, codeStride), norms.Length == 0 ? 0 : norms[i]);
            map[key] = (memory, row);
        }
        return (memory, map);
    }

    /// <summary>The exact neighbours of a sample of the company's own vectors, for calibrating probes and re-ranking.</summary>
    /// <param name="Queries">Sampled rows of the calibration segment (each excluded from its own neighbours).</param>
    /// <param name="Truth">Per query, its <see cref="CalibrationK"/> exact neighbours (rows), best first; -1 pads.</param>
    /// <param name="NeededProbes">Histogram: how many true neighbours are first found at probe count p.</param>
    private sealed record Calibration(int[] Queries, int[] Truth, int[] NeededProbes);

    /// <summary>
    /// One exact search per sample query over every row (each one's own row excluded), and the probe rank of the list
    /// holding each true neighbour: a true neighbour is found exactly when its list is probed, so this gives the recall
    /// of every probe count at once.
    /// </summary>
    private Calibration Sample(CoarseQuantizer quantizer, MemorySegment segment, CancellationToken cancellationToken)
    {
        var lists = segment.Lists;
        var n = segment.RowCount;
        var listCount = quantizer.ListCount;
        var queryCount = n <= CalibrationK + 1 || listCount == 1 ? 0 : (int)Math.Clamp(20_000_000L / n, 50, 200);
        queryCount = Math.Min(queryCount, n);
        var random = new Random(Options.Seed ^ 0x5bd1e995);
        var queries = new int[queryCount];
        for (var i = 0; i < queryCount; i++) queries[i] = random.Next(n);
        var truth = new int[queryCount * CalibrationK];
        Array.Fill(truth, -1);

        var neededProbes = new int[listCount + 1]; // histogram: neighbours first found at probe count p
        Parallel.For(0, queryCount, ParallelOptionsFor(cancellationToken),
            () => (Heap: new TopKHeap(), Scores: new float[Math.Max(listCount, 1024)], Keys: new float[listCount], Rank: new int[listCount], Order: new int[listCount],
                Found: new float[CalibrationK], Local: new int[listCount + 1]),
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
                var found = truth.AsSpan(qi * CalibrationK, CalibrationK);
                var m = s.Heap.Drain(s.Found, found);
                for (var j = 0; j < m; j++) s.Local[s.Rank[segment.ListOf(found[j])] + 1]++;
                return s;
            },
            s =>
            {
                lock (neededProbes)
                {
                    for (var p = 0; p <= listCount; p++) neededProbes[p] += s.Local[p];
                }
            });
        return new Calibration(queries, truth, neededProbes);
    }

    /// <summary>
    /// The smallest probe count whose recall@10 on the calibration sample reaches <see cref="WerklyIndexOptions.TargetRecall"/>.
    /// </summary>
    private int ProbesFor(Calibration calibration, int listCount)
    {
        var total = (double)calibration.NeededProbes.Sum();
        if (total == 0) return 1;
        // Stored vectors helped train the centroids they are measured against, so their recall runs ahead of new
        // queries' (measured: 0.95 on the sample gave 0.938 on fresh queries). Aim to halve the sample's miss rate.
        var target = 1 - (1 - Options.TargetRecall) / 2;
        var cumulative = 0;
        for (var p = 1; p <= listCount; p++)
        {
            cumulative += calibration.NeededProbes[p];
            if (cumulative / total >= target) return p;
        }
        return listCount;
    }

    /// <summary>Largest re-ranking factor calibration tries.</summary>
    internal const int MaxCalibratedRerankFactor = 16;

    /// <summary>
    /// The smallest re-ranking factor r ≥ 2 whose quantized search (codes scanned, the best 10 × r candidates re-ranked
    /// exactly) loses at most 0.001 recall@10 against the float32 search at <paramref name="probes"/> on the calibration
    /// sample: one code scan per sample query gives every r at once (the candidates of a smaller r are a prefix).
    /// </summary>
    private int CalibrateRerank(Calibration calibration, CoarseQuantizer quantizer, ScalarQuantizer codes, MemorySegment segment, int probes, CancellationToken cancellationToken)
    {
        var queryCount = calibration.Queries.Length;
        if (queryCount == 0) return DefaultRerankFactor;
        var lists = segment.Lists;
        var listCount = quantizer.ListCount;
        var capacity = CalibrationK * MaxCalibratedRerankFactor;
        var foundAt = new long[MaxCalibratedRerankFactor + 1];
        Parallel.For(0, queryCount, ParallelOptionsFor(cancellationToken),
            () => (Candidates: new CandidateHeap(), Scores: new float[Math.Max(listCount, ScanChunkRows)], Keys: new float[listCount], Order: new int[listCount],
                Sums: new int[ScanChunkRows], Approximate: new float[ScanChunkRows], QueryCode: new byte[codes.QueryStride], Drained: new float[capacity], Locations: new long[capacity],
                Exact: new float[capacity], Rows: new int[capacity], Best: new float[CalibrationK], Local: new long[MaxCalibratedRerankFactor + 1]),
            (qi, _, s) =>
            {
                var self = calibration.Queries[qi];
                var query = segment.GetVector(self);
                var qc = codes.EncodeQuery(query[..Dimensions], s.QueryCode);
                var querySquaredNorm = Metric == DistanceMetric.SquaredL2 ? VectorDistance.Dot(query, query) : 0;
                quantizer.Score(query, s.Scores);
                SortAll(s.Scores.AsSpan(0, listCount), s.Order, s.Keys);
                s.Candidates.Reset(capacity);
                for (var p = 0; p < probes; p++)
                {
                    var list = s.Order[p];
                    var ids = lists.GetRowIds(list);
                    var scan = new CodeScan(codes.Bits, qc, QueryDotCentroid(query, quantizer, list, s.Scores[list]), querySquaredNorm, Metric == DistanceMetric.SquaredL2);
                    for (var start = 0; start < ids.Length; start += ScanChunkRows)
                    {
                        var count = Math.Min(ScanChunkRows, ids.Length - start);
                        var approximate = s.Approximate.AsSpan(0, count);
                        scan.Score(lists, list, start, s.QueryCode, s.Sums, approximate);
                        for (var j = 0; j < count; j++)
                        {
                            if (ids[start + j] != self && s.Candidates.MayEnter(approximate[j]))
                                s.Candidates.TryAdd(approximate[j], ((long)list << 32) | (uint)(start + j));
                        }
                    }
                }
                var m = s.Candidates.Drain(s.Drained, s.Locations);
                for (var i = 0; i < m; i++)
                {
                    var list = (int)(s.Locations[i] >> 32);
                    var position = (int)s.Locations[i];
                    s.Rows[i] = lists.GetRowIds(list)[position];
                    ScoreBlock(query, lists.GetVector(list, position), s.Exact.AsSpan(i, 1));
                }
                var truth = calibration.Truth.AsSpan(qi * CalibrationK, CalibrationK);
                for (var r = 1; r <= MaxCalibratedRerankFactor; r++)
                {
                    // The exact top 10 of the first 10 × r candidates, counted against the true neighbours.
                    var take = Math.Min(m, CalibrationK * r);
                    var best = s.Best;
                    var kept = 0;
                    for (var i = 0; i < take; i++) Keep(best, s.Exact[i], ref kept);
                    var threshold = kept == CalibrationK ? best[CalibrationK - 1] : float.NegativeInfinity;
                    for (var i = 0; i < take; i++)
                    {
                        if (s.Exact[i] >= threshold && truth.Contains(s.Rows[i])) s.Local[r]++;
                    }
                }
                return s;
            },
            s =>
            {
                lock (foundAt)
                {
                    for (var r = 1; r <= MaxCalibratedRerankFactor; r++) foundAt[r] += s.Local[r];
                }
            });

        var floatFound = 0L;
        for (var p = 1; p <= probes; p++) floatFound += calibration.NeededProbes[p];
        var total = calibration.NeededProbes.Sum();
        for (var r = DefaultRerankFactor; r <= MaxCalibratedRerankFactor; r++)
        {
            if (floatFound - foundAt[r] <= 0.001 * total) return r;
        }
        return MaxCalibratedRerankFactor;
    }

    /// <summary>Keeps the <c>best.Length</c> largest values seen in descending order (insertion; the length is 10).</summary>
    private static void Keep(Span<float> best, float value, ref int kept)
    {
        if (kept == best.Length && value <= best[^1]) return;
        var i = kept < best.Length ? kept++ : best.Length - 1;
        while (i > 0 && best[i - 1] < value)
        {
            best[i] = best[i - 1];
            i--;
        }
        best[i] = value;
    }
}
