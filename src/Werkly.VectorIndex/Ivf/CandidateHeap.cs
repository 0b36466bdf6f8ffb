namespace Werkly.VectorIndex.Ivf;

/// <summary>
/// Bounded min-heap of the best (approximate score, location) pairs a quantized scan has seen: the candidates that go on
/// to exact re-ranking. The root is the worst kept entry: the lowest score, and among equal scores the largest location,
/// so the kept set is deterministic for a given index layout.
/// </summary>
/// <remarks>A location packs where the row lives (segment, list, position in the list), so re-ranking reads its vector
/// directly. Reused across searches on one thread (no allocation after warm-up). Not thread-safe.</remarks>
internal sealed class CandidateHeap
{
    private float[] _scores = new float[32];
    private long[] _locations = new long[32];

    public int Count { get; private set; }

    public int Capacity { get; private set; }

    public void Reset(int capacity)
    {
        if (_scores.Length < capacity)
        {
            _scores = new float[capacity];
            _locations = new long[capacity];
        }
        Capacity = capacity;
        Count = 0;
    }

    /// <summary>Whether a candidate with <paramref name="score"/> could enter.</summary>
    public bool MayEnter(float score) => Count < Capacity || score >= _scores[0];

    /// <summary>Keeps (score, location) if the heap has room or it ranks above the worst kept entry, which it then replaces.</summary>
    public void TryAdd(float score, long location)
    {
        if (Count < Capacity)
        {
            var i = Count++;
            _scores[i] = score;
            _locations[i] = location;
            SiftUp(i);
            return;
        }
        if (Capacity == 0 || !IsWorse(_scores[0], _locations[0], score, location)) return;
        _scores[0] = score;
        _locations[0] = location;
        SiftDown(0);
    }

    /// <summary>Empties the heap into <paramref name="scores"/>/<paramref name="locations"/> best first; returns the count.</summary>
    public int Drain(Span<float> scores, Span<long> locations)
    {
        var n = Count;
        for (var i = n - 1; i >= 0; i--)
        {
            scores[i] = _scores[0];
            locations[i] = _locations[0];
            Count--;
            if (Count > 0)
            {
                _scores[0] = _scores[Count];
                _locations[0] = _locations[Count];
                SiftDown(0);
            }
        }
        return n;
    }

    /// <summary>True when (s1, l1) ranks below (s2, l2).</summary>
    private static bool IsWorse(float s1, long l1, float s2, long l2) => s1 < s2 || (s1 == s2 && l1 > l2);

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!IsWorse(_scores[i], _locations[i], _scores[parent], _locations[parent])) break;
            (_scores[i], _scores[parent]) = (_scores[parent], _scores[i]);
            (_locations[i], _locations[parent]) = (_locations[parent], _locations[i]);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            int left = 2 * i + 1, right = left + 1, worst = i;
            if (left < Count && IsWorse(_scores[left], _locations[left], _scores[worst], _locations[worst])) worst = left;
            if (right < Count && IsWorse(_scores[right], _locations[right], _scores[worst], _locations[worst])) worst = right;
            if (worst == i) return;
            (_scores[i], _scores[worst]) = (_scores[worst], _scores[i]);
            (_locations[i], _locations[worst]) = (_locations[worst], _locations[i]);
            i = worst;
        }
    }
}
