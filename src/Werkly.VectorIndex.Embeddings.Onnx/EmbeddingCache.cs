using System.Runtime.InteropServices;

namespace Werkly.VectorIndex.Embeddings.Onnx;

/// <summary>
/// Remembers embeddings by a 128-bit hash of the model settings and the exact text, so that a text already embedded is
/// never run through the model again. Least-recently-used entries are evicted once the vectors held exceed
/// <see cref="CapacityBytes"/>. The cache can be saved to a file (for example next to an index) and loaded again.
/// </summary>
/// <remarks>
/// <para>
/// An embedding is a pure function of the model and the text, so cached vectors never go stale. The key covers the model
/// id, its pooling, normalization, token limit and casing, the model file's size and the prefixed text; one cache can
/// serve several generators and models. Vectors are stored at the model's native size; shorter Matryoshka dimensions
/// are derived on the way out. Collisions of the 128-bit XxHash128 are not a practical concern.
/// </para>
/// <para>Thread safety: all members are safe to call concurrently; lookups and insertions take a short lock.</para>
/// </remarks>
public sealed partial class EmbeddingCache
{
    /// <summary>The accounted size of an entry besides its vector: key, list node, dictionary slot and array header.</summary>
    internal const int EntryOverheadBytes = 96;

    private readonly Dictionary<UInt128, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new();
    private readonly Lock _lock = new();
    private long _sizeBytes;
    private long _hits;
    private long _misses;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="capacityBytes">The most bytes of vectors (plus <c>96</c> bytes of bookkeeping per entry) to hold; at least 1 KiB. 64 MiB hold about 40,000 384-dimension vectors.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacityBytes"/> is below 1,024.</exception>
    public EmbeddingCache(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, 1024);
        CapacityBytes = capacityBytes;
    }

    /// <summary>The byte budget given at creation.</summary>
    public long CapacityBytes { get; }

    /// <summary>The accounted bytes held now (never more than <see cref="CapacityBytes"/>).</summary>
    public long SizeBytes
    {
        get
        {
            lock (_lock)
                return _sizeBytes;
        }
    }

    /// <summary>The number of embeddings held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _entries.Count;
        }
    }

    /// <summary>Lookups that found their embedding since creation.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Lookups that did not find their embedding since creation.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Removes every entry (statistics are kept).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
            _recency.Clear();
            _sizeBytes = 0;
        }
    }

    internal bool TryGet(UInt128 key, out float[] vector)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                _hits++;
                vector = node.Value.Vector;
                return true;
            }

            _misses++;
        }

        vector = [];
        return false;
    }

    internal void Add(UInt128 key, float[] vector)
    {
        var cost = CostBytes(vector);
        if (cost > CapacityBytes)
            return;
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                _recency.Remove(existing);
                _recency.AddFirst(existing);
                return;
            }

            while (_sizeBytes + cost > CapacityBytes && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Key);
                _sizeBytes -= CostBytes(oldest.Value.Vector);
            }

            _entries[key] = _recency.AddFirst(new Entry(key, vector));
            _sizeBytes += cost;
        }
    }

    /// <summary>A snapshot of the entries, most recently used first.</summary>
    internal List<Entry> Snapshot()
    {
        lock (_lock)
            return [.. _recency];
    }

    private static long CostBytes(float[] vector) => EntryOverheadBytes + ((long)vector.Length * sizeof(float));

    [StructLayout(LayoutKind.Auto)]
    internal readonly record struct Entry(UInt128 Key, float[] Vector);
}
