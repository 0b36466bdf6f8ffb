using System.Diagnostics;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Distance.Kernels;

namespace Werkly.VectorIndex.Ivf;

internal sealed partial class IvfIndex
{
    private const int ScanChunkRows = 512;

    /// <summary>
    /// The best <c>destination.Length</c> records for <paramref name="query"/>, best first, ties broken by key.
    /// Allocation-free after the calling thread's first search. Runs under the read lock.
    /// </summary>
    /// <param name="query">The query vector.</param>
    /// <param name="destination">Where the hits go.</param>
    /// <param name="options">Probes, filter and re-rank factor, or null.</param>
    /// <param name="withMetadata">Whether hits carry their metadata. A mapped segment decodes it per hit (a record's title
    /// and text included), so callers that read it later for the results they keep pass false.</param>
    /// <returns>How many hits were written (fewer than asked only when fewer records match).</returns>
    public int Search(ReadOnlySpan<float> query, Span<SearchHit> destination, SearchOptions? options, bool withMetadata = true) =>
        SearchCore(query, destination, options ?? SearchOptions.Default, trace: null, withMetadata);

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
            CandidatesReranked = trace.Reranked,
        };
    }

    private int SearchCore(ReadOnlySpan<float> query, Span<SearchHit> destination, SearchOptions options, SearchTrace? trace, bool withMetadata = true)
    {
        if (destination.Length <= 0) throw new ArgumentOutOfRangeException(nameof(destination), destination.Length, "k must be at least 1.");
        if (options.Probes is < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Probes, "Probes must be at least 1.");
        if (options.RerankFactor is < 1 or > SearchOptions.MaxRerankFactor)
            throw new ArgumentOutOfRangeException(nameof(options), options.RerankFactor, $"RerankFactor must be between 1 and {SearchOptions.MaxRerankFactor}.");
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
            else if (UsesCodes())
            {
                SearchCodes(quantizer, padded, k, options, heap, scratch, trace);
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
                destination[i] = new SearchHit(segment.GetKey(row), scratch.ResultScores[i], withMetadata ? segment.GetMetadata(row) : null);
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

    /// <summary>Whether a search scans codes: the company has a code quantizer and at least one segment carries codes.</summary>
    private bool UsesCodes()
    {
        if (_codes is null || _segments.Length > MaxLocationSegments) return false;
        foreach (var segment in _segments)
        {
            if (segment.Lists.CodeBits != 0) return true;
        }
        return false;
    }

    /// <summary>Segments a candidate location can address (10 bits).</summary>
    private const int MaxLocationSegments = 1 << 10;

    /// <summary>The fewest candidates a quantized search re-ranks (fewer only when the company has fewer live rows).</summary>
    internal const int MinRerankCandidates = 16;

    /// <summary>(segment index, list, position) as one candidate location: 10, 22 and 32 bits (lists are at most 1,000,000).</summary>
    private static long Location(int segment, int list, int position) => ((long)segment << 54) | ((long)list << 32) | (uint)position;

    /// <summary>
    /// The quantized search: the probed lists' codes are scanned with an integer kernel (segments without codes in
    /// float32), the best <c>k × r</c> approximate scores kept — deleted and filtered-out rows never enter — and those
    /// candidates re-ranked with their exact float32 vectors into <paramref name="heap"/>, so the reported scores and
    /// their order are exactly a float32 search's over the same candidates.
    /// </summary>
    private void SearchCodes(CoarseQuantizer quantizer, ReadOnlySpan<float> padded, int k, SearchOptions options, TopKHeap heap, SearchScratch scratch, SearchTrace? trace)
    {
        var filter = options.Filter;
        var factor = options.RerankFactor ?? _rerankFactor;
        var candidates = scratch.Candidates;
        // A floor under k × r: a search for one or two results would otherwise re-rank two to four rows, too few for
        // 4-bit codes to hold even an exact-vector lookup; 16 extra exact scores cost about a microsecond.
        var capacity = (int)Math.Min(Math.Max((long)k * factor, MinRerankCandidates), Math.Max(k, LiveCount()));
        candidates.Reset(capacity);
        scratch.BeginQuery(Metric == DistanceMetric.SquaredL2 ? VectorDistance.Dot(padded, padded) : 0);

        var listCount = quantizer.ListCount;
        scratch.EnsureLists(listCount);
        var centroidScores = scratch.CentroidScores.AsSpan(0, listCount);
        quantizer.Score(padded, centroidScores);
        var probes = Math.Min(options.Probes ?? _defaultProbes, listCount);
        var order = scratch.ListOrder.AsSpan(0, listCount);
        var ranked = filter is null ? SelectTop(centroidScores, order, probes) : SortAll(centroidScores, order, scratch.SortKeys);
        if (trace is not null)
        {
            trace.ListCount = listCount;
            trace.QuantizerDone = Stopwatch.GetTimestamp();
        }
        for (var i = 0; i < ranked; i++)
        {
            if (i >= probes && candidates.Count >= k) break;
            trace?.ProbedLists.Add(order[i]);
            ScanListCodes(quantizer, order[i], centroidScores[order[i]], padded, candidates, filter, scratch, trace);
        }
        if (candidates.Count < k && ranked < listCount)
        {
            // Deleted rows left the probed lists short of k: rescan in full centroid order until k are found.
            candidates.Reset(capacity);
            trace?.ProbedLists.Clear();
            SortAll(centroidScores, order, scratch.SortKeys);
            for (var i = 0; i < listCount && candidates.Count < k; i++)
            {
                trace?.ProbedLists.Add(order[i]);
                ScanListCodes(quantizer, order[i], centroidScores[order[i]], padded, candidates, filter, scratch, trace);
            }
        }

        // Exact re-ranking: one row at a time through the block kernel, which scores a row exactly as a scan would.
        var m = scratch.DrainCandidates();
        var exact = scratch.RowScores.AsSpan(0, 1);
        for (var i = 0; i < m; i++)
        {
            var location = scratch.CandidateLocations[i];
            var segment = _segments[(int)(location >> 54)];
            var list = (int)(location >> 32) & 0x3F_FFFF;
            var position = (int)location;
            var lists = segment.Lists;
            ScoreBlock(padded, lists.GetVector(list, position), exact);
            if (heap.MayEnter(exact[0])) heap.TryAdd(exact[0], segment.RowBase + lists.GetRowIds(list)[position]);
        }
        if (trace is not null) trace.Reranked = m;
    }

    /// <summary>Scans list <paramref name="list"/> of every segment into the candidate heap: codes where a segment has them, float32 otherwise.</summary>
    private void ScanListCodes(CoarseQuantizer quantizer, int list, float centroidScore, ReadOnlySpan<float> padded, CandidateHeap candidates, RecordFilter? filter,
        SearchScratch scratch, SearchTrace? trace)
    {
        var squaredL2 = Metric == DistanceMetric.SquaredL2;
        float? queryDotCentroid = null;
        var segments = _segments;
        for (var s = 0; s < segments.Length; s++)
        {
            var segment = segments[s];
            var lists = segment.Lists;
            if (list >= lists.ListCount || lists.GetCount(list) == 0) continue;
            var ids = lists.GetRowIds(list);
            var deleted = segment.Deleted;
            var scores = scratch.Approximate.AsSpan();
            CodeScan scan = default;
            byte[] queryCode = [];
            var bits = lists.CodeBits;
            if (bits != 0)
            {
                (queryCode, var query) = scratch.QueryCodeFor(CodesFor(bits), padded[..Dimensions]);
                queryDotCentroid ??= QueryDotCentroid(padded, quantizer, list, centroidScore);
                scan = new CodeScan(bits, query, queryDotCentroid.Value, scratch.QuerySquaredNorm, squaredL2);
            }
            for (var start = 0; start < ids.Length; start += ScanChunkRows)
            {
                var count = Math.Min(ScanChunkRows, ids.Length - start);
                if (bits != 0) scan.Score(lists, list, start, queryCode, scratch.Sums, scores[..count]);
                else ScoreBlock(padded, lists.GetVectors(list).Slice(start * Stride, count * Stride), scores[..count]);
                for (var j = 0; j < count; j++)
                {
                    var score = scores[j];
                    if (!candidates.MayEnter(score)) continue;
                    var row = ids[start + j];
                    if (deleted.Contains(row)) continue;
                    if (filter is not null && !filter(segment.GetKey(row), segment.GetMetadata(row)))
                    {
                        if (trace is not null) trace.FilteredOut++;
                        continue;
                    }
                    candidates.TryAdd(score, Location(s, list, start + j));
                }
            }
            if (trace is not null) trace.VectorsScanned += ids.Length;
        }
    }

    /// <summary>q · centroid of a list: its centroid score under cosine and inner product; computed under squared L2.</summary>
    private float QueryDotCentroid(ReadOnlySpan<float> query, CoarseQuantizer quantizer, int list, float centroidScore) =>
        Metric == DistanceMetric.SquaredL2 ? VectorDistance.Dot(query, quantizer.Centroids.Slice(list * Stride, Stride)) : centroidScore;

    private ScalarQuantizer? _otherCodes;

    /// <summary>The company's code quantizer at <paramref name="bits"/> (segments written under another quantization
    /// setting keep their width; the ranges are the same).</summary>
    private ScalarQuantizer CodesFor(int bits)
    {
        var codes = _codes!;
        if (codes.Bits == bits) return codes;
        var other = _otherCodes; // reset whenever _codes changes (InstallRetrain)
        if (other is null || other.Bits != bits) _otherCodes = other = codes.WithBits(bits);
        return other;
    }

    /// <summary>How one list's integer code sums become approximate scores for one query.</summary>
    /// <remarks>Residual codes: <c>q·x ≈ q·c + Offset + Scale · sum</c>, where <c>q·c</c> is the list's centroid score.
    /// Squared L2 ranks by <c>−‖q‖² + 2 q·x̂ − ‖x‖²</c> with the stored exact norm, so the scores of coded rows compare with
    /// exact ones of segments scanned in float32.</remarks>
    private readonly struct CodeScan(int bits, QueryCode query, float queryDotCentroid, float querySquaredNorm, bool squaredL2)
    {
        /// <summary>Approximate scores of rows [start, start + scores.Length) of the list.</summary>
        public void Score(IInvertedLists lists, int list, int start, ReadOnlySpan<byte> queryCode, Span<int> sums, Span<float> scores)
        {
            var count = scores.Length;
            var stride = lists.CodeStride;
            var codes = lists.GetCodes(list).Slice(start * stride, count * stride);
            var s = sums[..count];
            if (bits == 8) CodeBlockKernel.Score<CodeDotOperator>(queryCode, codes, stride, s);
            else NibbleBlockKernel.Score<NibbleDotOperator>(queryCode, codes, stride, s);
            var offset = query.Offset + queryDotCentroid;
            var scale = query.Scale;
            if (!squaredL2)
            {
                for (var j = 0; j < count; j++) scores[j] = MathF.FusedMultiplyAdd(scale, s[j], offset);
                return;
            }
            var norms = lists.GetNorms(list).Slice(start, count);
            for (var j = 0; j < count; j++) scores[j] = 2 * MathF.FusedMultiplyAdd(scale, s[j], offset) - norms[j] - querySquaredNorm;
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
        public readonly CandidateHeap Candidates = new();
        public float[] CandidateScores = [];
        public long[] CandidateLocations = [];
        public readonly float[] Approximate = new float[ScanChunkRows];
        public readonly int[] Sums = new int[ScanChunkRows];
        private byte[] _queryCode8 = [], _queryCode4 = [];
        private QueryCode _query8, _query4;
        private bool _encoded8, _encoded4;

        public float QuerySquaredNorm { get; private set; }

        /// <summary>Starts a quantized search: no query code is encoded yet.</summary>
        public void BeginQuery(float querySquaredNorm)
        {
            QuerySquaredNorm = querySquaredNorm;
            _encoded8 = _encoded4 = false;
        }

        /// <summary>The query quantized for <paramref name="codes"/>'s width, encoded on first use in this search.</summary>
        public (byte[] Code, QueryCode Query) QueryCodeFor(ScalarQuantizer codes, ReadOnlySpan<float> query)
        {
            if (codes.Bits == 8)
            {
                if (!_encoded8)
                {
                    if (_queryCode8.Length < codes.QueryStride) _queryCode8 = new byte[codes.QueryStride];
                    _query8 = codes.EncodeQuery(query, _queryCode8);
                    _encoded8 = true;
                }
                return (_queryCode8, _query8);
            }
            if (!_encoded4)
            {
                if (_queryCode4.Length < codes.QueryStride) _queryCode4 = new byte[codes.QueryStride];
                _query4 = codes.EncodeQuery(query, _queryCode4);
                _encoded4 = true;
            }
            return (_queryCode4, _query4);
        }

        /// <summary>Drains the candidate heap, best first, into <see cref="CandidateScores"/>/<see cref="CandidateLocations"/>.</summary>
        public int DrainCandidates()
        {
            if (CandidateScores.Length < Candidates.Count)
            {
                CandidateScores = new float[Candidates.Capacity];
                CandidateLocations = new long[Candidates.Capacity];
            }
            return Candidates.Drain(CandidateScores, CandidateLocations);
        }

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
        public int Reranked;
        public List<int> ProbedLists { get; } = [];
    }
}
