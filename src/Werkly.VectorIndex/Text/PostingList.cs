namespace Werkly.VectorIndex.Text;

/// <summary>
/// The postings of one term in one field: (document id, term frequency) pairs interleaved in one flat array in
/// ascending document order, cut into blocks of <see cref="BlockSize"/>. Each completed block has a
/// (last document, largest term frequency, shortest field length) triple; the open last block keeps its two
/// maxima in fields until it completes. From a block's largest frequency and shortest length a score upper bound
/// follows under any BM25 parameters, which is what dynamic pruning skips by.
/// </summary>
/// <remarks>Two primitive arrays per list, so that a segment file can hold them verbatim, and so that appending a
/// posting touches two cache lines. Not thread-safe: the owning <see cref="InvertedIndex"/> serializes writers
/// against readers.</remarks>
internal sealed class PostingList
{
    public const int BlockShift = 7;
    public const int BlockSize = 1 << BlockShift;

    /// <summary>Posting p is (Postings[2p], Postings[2p + 1]) = (document id, term frequency).</summary>
    public int[] Postings;

    public int Count;

    /// <summary>Completed block b is (Blocks[3b], Blocks[3b + 1], Blocks[3b + 2]) = (last document, max frequency, min length).</summary>
    public int[] Blocks;

    private int _openMaxFreq;
    private int _openMinLength;

    /// <summary>Live documents holding the term (df for scoring); deleted documents are subtracted at once.</summary>
    public int LiveDocFreq;

    /// <summary>An empty list with room for <paramref name="capacity"/> postings (4 when not given).</summary>
    public PostingList(int capacity = 4)
    {
        Postings = new int[2 * Math.Max(4, capacity)];
        Blocks = new int[3 * Math.Max(1, capacity >> BlockShift)];
    }

    /// <summary>Makes room for <paramref name="additional"/> more postings without further growth.</summary>
    public void Reserve(int additional)
    {
        var needed = 2L * (Count + additional);
        if (needed > Postings.Length) Array.Resize(ref Postings, (int)Math.Min(Array.MaxLength, Math.Max(needed, Postings.Length)));
    }

    public int BlockCount => (Count + BlockSize - 1) >> BlockShift;

    public int DocAt(int position) => Postings[2 * position];

    public int FreqAt(int position) => Postings[2 * position + 1];

    private bool IsCompleted(int block) => (block + 1) << BlockShift <= Count;

    public int BlockLastDoc(int block) => IsCompleted(block) ? Blocks[3 * block] : Postings[2 * (Count - 1)];

    public int BlockMaxFreq(int block) => IsCompleted(block) ? Blocks[3 * block + 1] : _openMaxFreq;

    public int BlockMinLength(int block) => IsCompleted(block) ? Blocks[3 * block + 2] : _openMinLength;

    /// <summary>Appends a posting; <paramref name="doc"/> must exceed every document id already in the list.</summary>
    public void Add(int doc, int freq, int fieldLength)
    {
        if (2 * Count == Postings.Length) Array.Resize(ref Postings, Postings.Length * 2);
        Postings[2 * Count] = doc;
        Postings[2 * Count + 1] = freq;
        if ((Count & (BlockSize - 1)) == 0)
        {
            _openMaxFreq = freq;
            _openMinLength = fieldLength;
        }
        else
        {
            if (freq > _openMaxFreq) _openMaxFreq = freq;
            if (fieldLength < _openMinLength) _openMinLength = fieldLength;
        }
        Count++;
        LiveDocFreq++;
        if ((Count & (BlockSize - 1)) == 0)
        {
            var block = (Count >> BlockShift) - 1;
            if (3 * block + 3 > Blocks.Length) Array.Resize(ref Blocks, Math.Max(Blocks.Length * 2, 3 * block + 3));
            Blocks[3 * block] = doc;
            Blocks[3 * block + 1] = _openMaxFreq;
            Blocks[3 * block + 2] = _openMinLength;
        }
    }

    /// <summary>Position of the first posting at or after <paramref name="from"/> whose document is ≥
    /// <paramref name="target"/>, or <see cref="Count"/>.</summary>
    public int Advance(int from, int target)
    {
        if (from >= Count || Postings[2 * from] >= target) return from;
        var block = from >> BlockShift;
        var blocks = BlockCount;
        while (block < blocks && BlockLastDoc(block) < target) block++;
        if (block == blocks) return Count;
        var low = Math.Max(from, block << BlockShift);
        var high = Math.Min(Count, (block + 1) << BlockShift) - 1; // its document is ≥ target
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (Postings[2 * mid] < target) low = mid + 1;
            else high = mid;
        }
        return low;
    }
}
