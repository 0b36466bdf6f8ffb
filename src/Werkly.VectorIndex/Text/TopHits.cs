namespace Werkly.VectorIndex.Text;

/// <summary>A bounded min-heap of the best (score, document) pairs; ties rank the smaller key first.</summary>
/// <remarks>Not thread-safe; one per search. With a filter, a document enters only when the filter takes its key,
/// asked only once the document would otherwise be kept.</remarks>
internal sealed class TopHits(int capacity, string?[] keys, Func<string, bool>? accept = null)
{
    private readonly double[] _scores = new double[capacity];
    private readonly int[] _docs = new int[capacity];

    public int Count { get; private set; }

    public bool IsFull => Count == capacity;

    /// <summary>The weakest retained score; only meaningful when <see cref="IsFull"/>.</summary>
    public double MinScore => _scores[0];

    /// <summary>Offers a hit; it is kept when the heap has room or it beats the weakest retained hit.</summary>
    public void Offer(double score, int doc)
    {
        if (Count < capacity)
        {
            if (accept is not null && !accept(keys[doc]!)) return;
            var i = Count++;
            _scores[i] = score;
            _docs[i] = doc;
            SiftUp(i);
            return;
        }
        if (!Worse(_scores[0], _docs[0], score, doc)) return;
        if (accept is not null && !accept(keys[doc]!)) return;
        _scores[0] = score;
        _docs[0] = doc;
        SiftDown(0);
    }

    /// <summary>The hits, best first.</summary>
    public KeywordHit[] ToHits()
    {
        var hits = new KeywordHit[Count];
        var order = Enumerable.Range(0, Count).ToArray();
        Array.Sort(order, (a, b) => Worse(_scores[a], _docs[a], _scores[b], _docs[b]) ? 1 : Worse(_scores[b], _docs[b], _scores[a], _docs[a]) ? -1 : 0);
        for (var i = 0; i < Count; i++) hits[i] = new KeywordHit(keys[_docs[order[i]]]!, _scores[order[i]]);
        return hits;
    }

    /// <summary>Whether hit a ranks below hit b: lower score, or equal score and a larger key.</summary>
    private bool Worse(double scoreA, int docA, double scoreB, int docB) =>
        scoreA < scoreB || (scoreA == scoreB && string.CompareOrdinal(keys[docA], keys[docB]) > 0);

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Worse(_scores[i], _docs[i], _scores[parent], _docs[parent])) break;
            Swap(i, parent);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var left = 2 * i + 1;
            if (left >= Count) return;
            var worst = left;
            var right = left + 1;
            if (right < Count && Worse(_scores[right], _docs[right], _scores[left], _docs[left])) worst = right;
            if (!Worse(_scores[worst], _docs[worst], _scores[i], _docs[i])) return;
            Swap(i, worst);
            i = worst;
        }
    }

    private void Swap(int a, int b)
    {
        (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
        (_docs[a], _docs[b]) = (_docs[b], _docs[a]);
    }
}
