namespace Werkly.VectorIndex.Ivf;

/// <summary>
/// Bounded min-heap of the best k (score, row) pairs seen so far. The root is the worst kept entry: the lowest score,
/// and among equal scores the largest key, so results break ties by key in ordinal order.
/// </summary>
/// <remarks>Reused across searches on one thread (no allocation after warm-up). Not thread-safe.</remarks>
internal sealed class TopKHeap
{
    private float[] _scores = new float[16];
    private int[] _rows = new int[16];
    private Func<int, string> _keyOf = static _ => "";

    public int Count { get; private set; }

    public int Capacity { get; private set; }

    public bool IsFull => Count == Capacity;

    public void Reset(int capacity, Func<int, string> keyOf)
    {
        if (_scores.Length < capacity)
        {
            _scores = new float[capacity];
            _rows = new int[capacity];
        }
        Capacity = capacity;
        Count = 0;
        _keyOf = keyOf;
    }

    /// <summary>Whether a candidate with <paramref name="score"/> could enter (ties still need the key check in <see cref="TryAdd"/>).</summary>
    public bool MayEnter(float score) => Count < Capacity || score >= _scores[0];

    /// <summary>Keeps (score, row) if the heap has room or it ranks above the worst kept entry, which it then replaces.</summary>
    public void TryAdd(float score, int row)
    {
        if (Count < Capacity)
        {
            var i = Count++;
            _scores[i] = score;
            _rows[i] = row;
            SiftUp(i);
            return;
        }
        if (!IsWorse(_scores[0], _rows[0], score, row)) return;
        _scores[0] = score;
        _rows[0] = row;
        SiftDown(0);
    }

    /// <summary>Empties the heap into <paramref name="scores"/>/<paramref name="rows"/> best first; returns the count.</summary>
    public int Drain(Span<float> scores, Span<int> rows)
    {
        var n = Count;
        for (var i = n - 1; i >= 0; i--)
        {
            scores[i] = _scores[0];
            rows[i] = _rows[0];
            Count--;
            if (Count > 0)
            {
                _scores[0] = _scores[Count];
                _rows[0] = _rows[Count];
                SiftDown(0);
            }
        }
        return n;
    }

    /// <summary>True when (s1, r1) ranks below (s2, r2).</summary>
    private bool IsWorse(float s1, int r1, float s2, int r2) =>
        s1 < s2 || (s1 == s2 && r1 != r2 && string.CompareOrdinal(_keyOf(r1), _keyOf(r2)) > 0);

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!IsWorse(_scores[i], _rows[i], _scores[parent], _rows[parent])) break;
            Swap(i, parent);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            int left = 2 * i + 1, right = left + 1, worst = i;
            if (left < Count && IsWorse(_scores[left], _rows[left], _scores[worst], _rows[worst])) worst = left;
            if (right < Count && IsWorse(_scores[right], _rows[right], _scores[worst], _rows[worst])) worst = right;
            if (worst == i) return;
            Swap(i, worst);
            i = worst;
        }
    }

    private void Swap(int a, int b)
    {
        (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
        (_rows[a], _rows[b]) = (_rows[b], _rows[a]);
    }
}
