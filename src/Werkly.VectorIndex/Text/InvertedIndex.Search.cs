namespace Werkly.VectorIndex.Text;

public sealed partial class InvertedIndex
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
            double tf = List.Freqs[position];
            return Weight * tf / (tf + NormA + NormB * Lengths[List.Docs[position]]);
        }

        public double BlockBoundOf(int block)
        {
            double tf = List.BlockMaxFreq[block];
            return Weight * tf / (tf + NormA + NormB * List.BlockMinLength[block]) * (1 + BoundSlack);
        }

        /// <summary>Steps to the next posting (the cursor is on the current candidate).</summary>
        public void Next()
        {
            var position = ++Position;
            Doc = position < List.Count ? List.Docs[position] : int.MaxValue;
        }

        public void MoveTo(int target)
        {
            Position = List.Advance(Position, target);
            Doc = Position < List.Count ? List.Docs[Position] : int.MaxValue;
        }

        /// <summary>The score bound of the block that holds the first posting at or after <paramref name="target"/>
        /// (0 when there is none), without moving to it.</summary>
        public double BoundAt(int target)
        {
            var block = Math.Max(Block, Position >> PostingList.BlockShift);
            var blocks = List.BlockCount;
            while (block < blocks && List.BlockLastDoc[block] < target) block++;
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
    /// <param name="scoring">Scoring for this call; null uses <see cref="KeywordIndexOptions.Scoring"/>.</param>
    /// <param name="cancellationToken">Checked while postings are traversed.</param>
    /// <returns>The hits; fewer than <paramref name="top"/> when fewer documents match any query term.</returns>
    /// <remarks>Uses block-max MaxScore: clauses whose summed upper bounds cannot lift a document into the current
    /// top-k are only probed for documents found through the others, and blocks whose bound cannot make the cut are
    /// skipped. The result is identical to scoring every posting.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> or a scoring option is out of range.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public IReadOnlyList<KeywordHit> Search(string query, int top, Bm25Options? scoring = null, CancellationToken cancellationToken = default) =>
        Run(query, top, scoring, exhaustive: false, cancellationToken);

    /// <summary>The reference: scores every posting of every clause (term-at-a-time) and keeps the top.</summary>
    internal KeywordHit[] SearchExhaustive(string query, int top, Bm25Options? scoring = null) =>
        Run(query, top, scoring, exhaustive: true, CancellationToken.None);

    private KeywordHit[] Run(string query, int top, Bm25Options? scoring, bool exhaustive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(top, MaxTop);
        scoring ??= Options.Scoring;
        scoring.Validate();
        var terms = QueryTerms(query);
        EnterRead();
        try
        {
            if (_liveCount == 0 || terms.Count == 0) return [];
            var clauses = Clauses(terms, scoring);
            if (clauses.Length == 0) return [];
            var hits = new TopHits(Math.Min(top, _liveCount), _keys);
            if (exhaustive) ScoreExhaustive(clauses, hits);
            else ScoreMaxScore(clauses, hits, cancellationToken);
            return hits.ToHits();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Distinct query terms in first-occurrence order, with their counts.</summary>
    private List<(string Term, int Count)> QueryTerms(string query)
    {
        var terms = new List<(string Term, int Count)>();
        foreach (var term in _analyzer.Analyze(query))
        {
            var index = terms.FindIndex(t => t.Term == term);
            if (index >= 0) terms[index] = (term, terms[index].Count + 1);
            else terms.Add((term, 1));
        }
        return terms;
    }

    private Clause[] Clauses(List<(string Term, int Count)> terms, Bm25Options scoring)
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
                clause.Doc = list.Count > 0 ? list.Docs[0] : int.MaxValue;
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
            for (var p = 0; p < clause.List.Count; p++) scores[clause.List.Docs[p]] += clause.Score(p);
        }
        for (var doc = 0; doc < _docCount; doc++)
        {
            if (scores[doc] > 0 && !IsDeleted(doc)) hits.Offer(scores[doc], doc);
        }
    }

    /// <summary>Document-at-a-time block-max MaxScore (Turtle and Flood 1995; Ding and Suel 2011 for block bounds).</summary>
    private void ScoreMaxScore(Clause[] byOrder, TopHits hits, CancellationToken cancellationToken)
    {
        var n = byOrder.Length;
        // Ascending upper bound: a prefix whose bounds sum below the threshold is "non-essential".
        var clauses = byOrder.OrderBy(c => c.UpperBound).ThenBy(c => c.Order).ToArray();
        var prefix = new double[n];
        for (var i = 0; i < n; i++) prefix[i] = (i > 0 ? prefix[i - 1] : 0) + clauses[i].UpperBound;
        var contributions = new double[n];
        var firstEssential = 0;
        var threshold = double.NegativeInfinity; // scores below this cannot enter the heap (deflated by BoundSlack)
        var steps = 0;

        while (true)
        {
            if ((++steps & 0x3FF) == 0) cancellationToken.ThrowIfCancellationRequested();
            var doc = int.MaxValue;
            for (var i = firstEssential; i < n; i++)
            {
                if (clauses[i].Doc < doc) doc = clauses[i].Doc;
            }
            if (doc == int.MaxValue) break;

            if (IsDeleted(doc))
            {
                for (var i = firstEssential; i < n; i++)
                {
                    if (clauses[i].Doc == doc) clauses[i].Next();
                }
                continue;
            }

            var bound = firstEssential > 0 ? prefix[firstEssential - 1] : 0;
            for (var i = firstEssential; i < n; i++)
            {
                var clause = clauses[i];
                if (clause.Doc != doc) continue;
                var score = clause.Score(clause.Position);
                contributions[clause.Order] = score;
                bound += score;
                clause.Next();
            }

            var pruned = bound < threshold;
            for (var i = firstEssential - 1; i >= 0 && !pruned; i--)
            {
                var clause = clauses[i];
                var blockBound = clause.BoundAt(doc);
                bound += blockBound - clause.UpperBound;
                if (bound < threshold)
                {
                    pruned = true;
                    break;
                }
                if (blockBound == 0) continue;
                clause.MoveTo(doc);
                if (clause.Doc == doc)
                {
                    var score = clause.Score(clause.Position);
                    contributions[clause.Order] = score;
                    bound += score - blockBound;
                }
                else
                {
                    bound -= blockBound;
                }
                pruned = bound < threshold;
            }

            if (!pruned)
            {
                var total = 0.0;
                for (var k = 0; k < n; k++) total += contributions[k];
                hits.Offer(total, doc);
                if (hits.IsFull)
                {
                    threshold = hits.MinScore * (1 - BoundSlack);
                    while (firstEssential < n && prefix[firstEssential] < threshold) firstEssential++;
                }
            }
            Array.Clear(contributions);
        }
    }
}
