namespace Werkly.VectorIndex.Text;

internal sealed partial class InvertedIndex
{
    /// <summary>Largest <c>top</c> a search accepts.</summary>
    public const int MaxTop = 100_000;

    // Upper bounds are inflated by this factor, and pruning compares against a threshold deflated by it, so that
    // floating-point rounding can never make pruning drop a document exhaustive scoring would return.
    private const double BoundSlack = 1e-9;

    /// <summary>One (term, field) clause of a query: its postings, its BM25 constants and its iteration state.</summary>
    private sealed class Clause
    {
        public required PostingList List;
        public required int[] Lengths;
        /// <summary>Position in the canonical clause order (query terms in first-occurrence order, title before body);
        /// scores are summed in this order on every path so that pruned and exhaustive scores agree bit for bit.</summary>
        public required int Order;
        /// <summary>field weight × query term frequency × idf × (k1 + 1).</summary>
        public double Weight;
        /// <summary>k1·(1 − b) and k1·b / avglen: tf / (tf + NormA + NormB·len).</summary>
        public double NormA, NormB;
        public double UpperBound;
        public int Position;
        public int Doc;
        public int Block = -1;
        public double BlockBound;

        public double Score(int position)
        {
            double tf = List.FreqAt(position);
            return Weight * tf / (tf + NormA + NormB * Lengths[List.DocAt(position)]);
        }

        public double BlockBoundOf(int block)
        {
            double tf = List.BlockMaxFreq(block);
            return Weight * tf / (tf + NormA + NormB * List.BlockMinLength(block)) * (1 + BoundSlack);
        }

        public void MoveTo(int target)
        {
            Position = List.Advance(Position, target);
            Doc = Position < List.Count ? List.DocAt(Position) : int.MaxValue;
        }

        /// <summary>The score bound of the block that holds the first posting at or after <paramref name="target"/>
        /// (0 when there is none), without moving to it.</summary>
        public double BoundAt(int target)
        {
            var block = Math.Max(Block, Position >> PostingList.BlockShift);
            var blocks = List.BlockCount;
            while (block < blocks && List.BlockLastDoc(block) < target) block++;
            if (block == blocks) return 0;
            if (block != Block)
            {
                Block = block;
                BlockBound = BlockBoundOf(block);
            }
            return BlockBound;
        }
    }

    /// <summary>Returns the <paramref name="top"/> best documents for <paramref name="query"/> by BM25, best first,
    /// ties broken by ordinal key order.</summary>
    /// <param name="query">Free text, analyzed like the documents; every term is an optional (OR) clause.</param>
    /// <param name="top">How many hits to return at most (1 to <see cref="MaxTop"/>).</param>
    /// <param name="scoring">Scoring for this call; null uses <see cref="KeywordOptions.Scoring"/>.</param>
    /// <param name="cancellationToken">Checked while postings are traversed.</param>
    /// <returns>The hits; fewer than <paramref name="top"/> when fewer documents match any query term.</returns>
    /// <remarks>Uses block-max MaxScore: clauses whose summed upper bounds cannot lift a document into the current
    /// top-k are only probed for documents found through the others, and blocks whose bound cannot make the cut are
    /// skipped. The result is identical to scoring every posting.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> or a scoring option is out of range.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public IReadOnlyList<KeywordHit> Search(string query, int top, Bm25Options? scoring = null, CancellationToken cancellationToken = default) =>
        Run(query, top, scoring, exhaustive: false, accept: null, cancellationToken);

    /// <summary>Like <see cref="Search(string, int, Bm25Options?, CancellationToken)"/>, returning only documents whose
    /// key <paramref name="accept"/> takes: the top hits among those, so a filter never leaves the page short while
    /// enough documents match. The filter runs only for documents whose score could enter the page.</summary>
    internal KeywordHit[] Search(string query, int top, Bm25Options? scoring, Func<string, bool>? accept, CancellationToken cancellationToken) =>
        Run(query, top, scoring, exhaustive: false, accept, cancellationToken);

    /// <summary>The reference: scores every posting of every clause (term-at-a-time) and keeps the top.</summary>
    internal KeywordHit[] SearchExhaustive(string query, int top, Bm25Options? scoring = null, Func<string, bool>? accept = null) =>
        Run(query, top, scoring, exhaustive: true, accept, CancellationToken.None);

    private KeywordHit[] Run(string query, int top, Bm25Options? scoring, bool exhaustive, Func<string, bool>? accept, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Run(QueryTerms(query), top, scoring, exhaustive, accept, cancellationToken);
    }

    private KeywordHit[] Run(List<(string Term, double Weight)> terms, int top, Bm25Options? scoring, bool exhaustive, Func<string, bool>? accept,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(top, MaxTop);
        scoring ??= Options.Scoring;
        scoring.Validate();
        EnterRead();
        try
        {
            if (_liveCount == 0 || terms.Count == 0) return [];
            var clauses = Clauses(terms, scoring);
            if (clauses.Length == 0) return [];
            var hits = new TopHits(Math.Min(top, _liveCount), _keys, accept);
            if (exhaustive) ScoreExhaustive(clauses, hits);
            else ScoreMaxScore(clauses, hits, cancellationToken);
            return hits.ToHits();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Distinct query terms in first-occurrence order, with their counts as weights.</summary>
    private List<(string Term, double Weight)> QueryTerms(string query)
    {
        var terms = new List<(string Term, double Weight)>();
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var term in _analyzer.Analyze(query))
        {
            if (positions.TryGetValue(term, out var index)) terms[index] = (term, terms[index].Weight + 1);
            else
            {
                positions.Add(term, terms.Count);
                terms.Add((term, 1));
            }
        }
        return terms;
    }

    private Clause[] Clauses(List<(string Term, double Weight)> terms, Bm25Options scoring)
    {
        var clauses = new List<Clause>();
        double n = _liveCount;
        foreach (var (term, count) in terms)
        {
            if (!_termIds.TryGetValue(term, out var id)) continue;
            for (var field = 0; field < FieldCount; field++)
            {
                var weight = scoring.FieldWeight(field);
                var list = _postings[field][id];
                if (weight == 0 || list is null || list.LiveDocFreq == 0) continue;
                double df = list.LiveDocFreq;
                var idf = Math.Log(1 + (n - df + 0.5) / (df + 0.5));
                var averageLength = _totalLength[field] / n;
                var clause = new Clause
                {
                    List = list,
                    Lengths = _fieldLengths[field],
                    Order = clauses.Count,
                    Weight = weight * count * idf * (scoring.K1 + 1),
                    NormA = scoring.K1 * (1 - scoring.B),
                    NormB = scoring.K1 * scoring.B / averageLength,
                };
                for (var b = 0; b < list.BlockCount; b++) clause.UpperBound = Math.Max(clause.UpperBound, clause.BlockBoundOf(b));
                clause.Doc = list.Count > 0 ? list.DocAt(0) : int.MaxValue;
                clauses.Add(clause);
            }
        }
        return [.. clauses];
    }

    private void ScoreExhaustive(Clause[] clauses, TopHits hits)
    {
        var scores = new double[_docCount];
        foreach (var clause in clauses)
        {
            for (var p = 0; p < clause.List.Count; p++) scores[clause.List.DocAt(p)] += clause.Score(p);
        }
        for (var doc = 0; doc < _docCount; doc++)
        {
            if (scores[doc] > 0 && !IsDeleted(doc)) hits.Offer(scores[doc], doc);
        }
    }

    private const int WindowShift = 12;
    private const int WindowSize = 1 << WindowShift;

    [ThreadStatic] private static double[]? t_window;
    [ThreadStatic] private static ulong[]? t_touched;

    /// <summary>
    /// Block-max MaxScore (Turtle and Flood 1995; block bounds after Ding and Suel 2011) over windows of document ids,
    /// as Lucene 9's MaxScoreBulkScorer does it.
    /// </summary>
    /// <remarks>
    /// Clauses are sorted by upper bound; the longest prefix whose bounds sum below the current threshold is
    /// non-essential: a document found only there cannot enter the top k. Per window of 4,096 ids the essential
    /// clauses add their scores into a flat accumulator (term-at-a-time, cache-resident); each touched document then
    /// needs its partial score plus the non-essential bounds to reach the threshold, and the non-essential clauses are
    /// probed in descending bound order, each one's bound first tightened to the bound of the block that would hold
    /// the document, stopping as soon as the threshold is out of reach. A document that survives is scored exactly,
    /// summing its clauses in canonical order, so pruned and exhaustive scores are bit-identical.
    /// </remarks>
    private void ScoreMaxScore(Clause[] byOrder, TopHits hits, CancellationToken cancellationToken)
    {
        var n = byOrder.Length;
        var clauses = byOrder.OrderBy(c => c.UpperBound).ThenBy(c => c.Order).ToArray();
        var prefix = new double[n];
        for (var i = 0; i < n; i++) prefix[i] = (i > 0 ? prefix[i - 1] : 0) + clauses[i].UpperBound;
        var probes = new int[n]; // per canonical clause: position of the exact-scoring cursor
        // Per-thread accumulators; every window leaves them zeroed again, and cancellation is only observed between windows.
        var window = t_window ??= new double[WindowSize];
        var touched = t_touched ??= new ulong[WindowSize >> 6];
        var firstEssential = 0;
        var threshold = double.NegativeInfinity; // scores below this cannot enter the heap (deflated by BoundSlack)

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var windowStart = int.MaxValue;
            for (var i = firstEssential; i < n; i++) windowStart = Math.Min(windowStart, clauses[i].Doc);
            if (windowStart == int.MaxValue) break;
            var windowEnd = (int)Math.Min((long)windowStart + WindowSize, int.MaxValue);
            var essentialFrom = firstEssential; // fixed for the window: these clauses have accumulated into it

            for (var i = essentialFrom; i < n; i++)
            {
                var clause = clauses[i];
                var list = clause.List;
                var postings = list.Postings;
                var lengths = clause.Lengths;
                var (weight, normA, normB) = (clause.Weight, clause.NormA, clause.NormB);
                var position = clause.Position;
                var count = list.Count;
                while (position < count)
                {
                    var doc = postings[2 * position];
                    if (doc >= windowEnd) break;
                    double tf = postings[2 * position + 1];
                    var local = doc - windowStart;
                    window[local] += weight * tf / (tf + normA + normB * lengths[doc]); // as Clause.Score
                    touched[local >> 6] |= 1UL << local;
                    position++;
                }
                clause.Position = position;
                clause.Doc = position < count ? postings[2 * position] : int.MaxValue;
            }

            var nonEssentialBound = essentialFrom > 0 ? prefix[essentialFrom - 1] : 0;
            for (var word = 0; word < touched.Length; word++)
            {
                var bits = touched[word];
                if (bits == 0) continue;
                touched[word] = 0;
                while (bits != 0)
                {
                    var local = (word << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    var partial = window[local];
                    window[local] = 0;
                    var doc = windowStart + local;
                    if (IsDeleted(doc)) continue;
                    var bound = partial + nonEssentialBound;
                    if (bound < threshold) continue;
                    if (!ReachesThreshold(clauses, essentialFrom, doc, bound, threshold)) continue;

                    hits.Offer(ExactScore(byOrder, probes, doc), doc);
                    if (hits.IsFull) threshold = hits.MinScore * (1 - BoundSlack);
                }
            }
            if (hits.IsFull)
            {
                while (firstEssential < n && prefix[firstEssential] < threshold) firstEssential++;
            }
        }
    }

    /// <summary>Probes the non-essential clauses (highest bound first) while the document can still reach the threshold.</summary>
    private static bool ReachesThreshold(Clause[] clauses, int essentialFrom, int doc, double bound, double threshold)
    {
        for (var i = essentialFrom - 1; i >= 0; i--)
        {
            var clause = clauses[i];
            var blockBound = clause.BoundAt(doc);
            bound += blockBound - clause.UpperBound;
            if (bound < threshold) return false;
            if (blockBound == 0) continue;
            clause.MoveTo(doc);
            bound += clause.Doc == doc ? clause.Score(clause.Position) - blockBound : -blockBound;
            if (bound < threshold) return false;
        }
        return true;
    }

    /// <summary>The document's score summed over all clauses in canonical order (as <see cref="ScoreExhaustive"/> sums).</summary>
    private static double ExactScore(Clause[] byOrder, int[] probes, int doc)
    {
        var total = 0.0;
        for (var k = 0; k < byOrder.Length; k++)
        {
            var clause = byOrder[k];
            var position = probes[k] = clause.List.Advance(probes[k], doc);
            if (position < clause.List.Count && clause.List.DocAt(position) == doc) total += clause.Score(position);
        }
        return total;
    }
}
