using System.Diagnostics;
using Werkly.VectorIndex.Distance;

namespace Werkly.VectorIndex.Ivf;

internal sealed partial class IvfIndex
{
    private const int ScanChunkRows = 512;

    /// <summary>
    /// The best <c>destination.Length</c> records for <paramref name="query"/>, best first, ties broken by key.
    /// Allocation-free after the calling thread's first search. Runs under the read lock.
    /// </summary>
    /// <returns>How many hits were written (fewer than asked only when fewer records match).</returns>
    public int Search(ReadOnlySpan<float> query, Span<SearchHit> destination, SearchOptions? options) =>
        SearchCore(query, destination, options ?? SearchOptions.Default, trace: null);

    /// <summary>Searches like <see cref="Search"/> and reports what the search did.</summary>
    public SearchExplanation Explain(ReadOnlySpan<float> query, int k, SearchOptions? options)
    {
        var hits = new SearchHit[Math.Clamp(k, 1, Math.Max(1, LiveCount()))];
        var trace = new SearchTrace();
        var count = SearchCore(query, hits, options ?? SearchOptions.Default, trace);
        return new SearchExplanation
        {
            Hits = hits[..count],
            Exact = trace.Exact,
            ListCount = trace.ListCount,
            ProbedLists = trace.ProbedLists,
            VectorsScanned = trace.VectorsScanned,
            VectorsFilteredOut = trace.FilteredOut,
            QuantizerTime = Stopwatch.GetElapsedTime(trace.Start, trace.QuantizerDone),
            ScanTime = Stopwatch.GetElapsedTime(trace.QuantizerDone, trace.ScanDone),
            ResultTime = Stopwatch.GetElapsedTime(trace.ScanDone, trace.ResultDone),
        };
    }

    private int SearchCore(ReadOnlySpan<float> query, Span<SearchHit> destination, SearchOptions options, SearchTrace? trace)
    {
        if (destination.Length <= 0) throw new ArgumentOutOfRangeException(nameof(destination), destination.Length, "k must be at least 1.");
        if (options.Probes is < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Probes, "Probes must be at least 1.");
        VectorValidation.Validate(query, Dimensions, Metric, nameof(query));
        // More hits than live records cannot be found: never size buffers by a huge k.
        var k = Math.Min(destination.Length, LiveCount());
        if (k == 0) return 0;

        var scratch = SearchScratch.For(Stride, k);
        var padded = scratch.Query.AsSpan(0, Stride);
        Prepare(query, padded);
        if (trace is not null) trace.Start = Stopwatch.GetTimestamp();

        {
            var heap = scratch.Heap;
            heap.Reset(k, _keyOfRow);
            var filter = options.Filter;
            var quantizer = _quantizer;
            if (quantizer is null)
            {
                if (trace is not null)
                {
                    trace.Exact = true;
                    trace.ListCount = 1;
                    trace.QuantizerDone = Stopwatch.GetTimestamp();
                    trace.ProbedLists.Add(0);
                }
                ScanList(0, padded, heap, filter, scratch, trace);
            }
            else
            {
                var listCount = quantizer.ListCount;
                scratch.EnsureLists(listCount);
                var centroidScores = scratch.CentroidScores.AsSpan(0, listCount);
                quantizer.Score(padded, centroidScores);
                var probes = Math.Min(options.Probes ?? _defaultProbes, listCount);
                var order = scratch.ListOrder.AsSpan(0, listCount);
                // Unfiltered: only the best `probes` lists are needed. Filtered: lists are visited in full order until k pass.
                var ranked = filter is null ? SelectTop(centroidScores, order, probes) : SortAll(centroidScores, order, scratch.SortKeys);
                if (trace is not null)
                {
                    trace.ListCount = listCount;
                    trace.QuantizerDone = Stopwatch.GetTimestamp();
                }
                for (var i = 0; i < ranked; i++)
                {
                    if (i >= probes && heap.IsFull) break;
                    trace?.ProbedLists.Add(order[i]);
                    ScanList(order[i], padded, heap, filter, scratch, trace);
                }
                if (!heap.IsFull && ranked < listCount)
                {
                    // Deleted rows left the probed lists short of k: rescan in full centroid order until k are found.
                    heap.Reset(k, _keyOfRow);
                    trace?.ProbedLists.Clear();
                    SortAll(centroidScores, order, scratch.SortKeys);
                    for (var i = 0; i < listCount && !heap.IsFull; i++)
                    {
                        trace?.ProbedLists.Add(order[i]);
                        ScanList(order[i], padded, heap, filter, scratch, trace);
                    }
                }
            }
            if (trace is not null) trace.ScanDone = Stopwatch.GetTimestamp();

            var count = heap.Drain(scratch.ResultScores, scratch.ResultRows);
            for (var i = 0; i < count; i++)
            {
                var segment = SegmentOf(scratch.ResultRows[i]);
                var row = scratch.ResultRows[i] - segment.RowBase;
                destination[i] = new SearchHit(segment.GetKey(row), scratch.ResultScores[i], segment.GetMetadata(row));
            }
            if (trace is not null) trace.ResultDone = Stopwatch.GetTimestamp();
            return count;
        }
    }

    /// <summary>Scans list <paramref name="list"/> of every segment into the heap.</summary>
    private void ScanList(int list, ReadOnlySpan<float> query, TopKHeap heap, RecordFilter? filter, SearchScratch scratch, SearchTrace? trace)
    {
        foreach (var segment in _segments)
        {
            var lists = segment.Lists;
            if (list >= lists.ListCount || lists.GetCount(list) == 0) continue;
            var vectors = lists.GetVectors(list);
            var ids = lists.GetRowIds(list);
            var scores = scratch.RowScores.AsSpan();
            var deleted = segment.Deleted;
            var rowBase = segment.RowBase;
            for (var start = 0; start < ids.Length; start += ScanChunkRows)
            {
                var count = Math.Min(ScanChunkRows, ids.Length - start);
                ScoreBlock(query, vectors.Slice(start * Stride, count * Stride), scores[..count]);
                for (var j = 0; j < count; j++)
                {
                    var score = scores[j];
                    if (!heap.MayEnter(score)) continue;
                    var row = ids[start + j];
                    if (deleted.Contains(row)) continue;
                    if (filter is not null && !filter(segment.GetKey(row), segment.GetMetadata(row)))
                    {
                        if (trace is not null) trace.FilteredOut++;
                        continue;
                    }
                    heap.TryAdd(score, rowBase + row);
                }
            }
            if (trace is not null) trace.VectorsScanned += ids.Length;
        }
    }

    /// <summary>Puts the <paramref name="top"/> best lists, best first, at the front of <paramref name="order"/> by insertion (top is small).</summary>
    private static int SelectTop(ReadOnlySpan<float> scores, Span<int> order, int top)
    {
        var size = 0;
        for (var list = 0; list < scores.Length; list++)
        {
            var score = scores[list];
            if (size == top && score <= scores[order[size - 1]]) continue;
            var i = size < top ? size++ : size - 1;
            while (i > 0 && scores[order[i - 1]] < score)
            {
                order[i] = order[i - 1];
                i--;
            }
            order[i] = list;
        }
        return size;
    }

    /// <summary>Puts every list, best first, in <paramref name="order"/>; <paramref name="sortKeys"/> is scratch of at least as many floats.</summary>
    private static int SortAll(ReadOnlySpan<float> scores, Span<int> order, Span<float> sortKeys)
    {
        var keys = sortKeys[..scores.Length];
        for (var list = 0; list < scores.Length; list++)
        {
            keys[list] = -scores[list];
            order[list] = list;
        }
        keys.Sort(order);
        return scores.Length;
    }

    /// <summary>Per-thread buffers reused by every search on that thread.</summary>
    private sealed class SearchScratch
    {
        [ThreadStatic]
        private static SearchScratch? s_current;

        public float[] Query = [];
        public float[] CentroidScores = [];
        public float[] SortKeys = [];
        public int[] ListOrder = [];
        public readonly float[] RowScores = new float[ScanChunkRows];
        public float[] ResultScores = [];
        public int[] ResultRows = [];
        public readonly TopKHeap Heap = new();

        public static SearchScratch For(int stride, int k)
        {
            var s = s_current ??= new SearchScratch();
            if (s.Query.Length < stride) s.Query = new float[stride];
            if (s.ResultScores.Length < k)
            {
                s.ResultScores = new float[k];
                s.ResultRows = new int[k];
            }
            return s;
        }

        public void EnsureLists(int listCount)
        {
            if (CentroidScores.Length >= listCount) return;
            CentroidScores = new float[listCount];
            SortKeys = new float[listCount];
            ListOrder = new int[listCount];
        }
    }

    private sealed class SearchTrace
    {
        public long Start, QuantizerDone, ScanDone, ResultDone;
        public bool Exact;
        public int ListCount;
        public long VectorsScanned, FilteredOut;
        public List<int> ProbedLists { get; } = [];
    }
}
