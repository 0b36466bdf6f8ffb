namespace Werkly.VectorIndex.Text;

/// <summary>
/// The postings of one term in one field: parallel flat arrays of ascending document ids and term frequencies, cut
/// into blocks of <see cref="BlockSize"/> with, per block, its last document id, its largest term frequency and its
/// shortest field length. From the last two a score upper bound for the block follows under any BM25 parameters,
/// which is what dynamic pruning skips by.
/// </summary>
/// <remarks>The layout is a handful of primitive arrays so that a segment file can hold it verbatim. Not thread-safe:
/// the owning <see cref="InvertedIndex"/> serializes writers against readers.</remarks>
internal sealed class PostingList
{
    public const int BlockShift = 7;
    public const int BlockSize = 1 << BlockShift;

    public int[] Docs = new int[4];
    public int[] Freqs = new int[4];
    public int Count;
    public int[] BlockLastDoc = new int[1];
    public int[] BlockMaxFreq = new int[1];
    public int[] BlockMinLength = new int[1];

    /// <summary>Live documents holding the term (df for scoring); deleted documents are subtracted at once.</summary>
    public int LiveDocFreq;

    public int BlockCount => (Count + BlockSize - 1) >> BlockShift;

    /// <summary>Appends a posting; <paramref name="doc"/> must exceed every document id already in the list.</summary>
    public void Add(int doc, int freq, int fieldLength)
    {
        if (Count == Docs.Length)
        {
            var capacity = Docs.Length * 2;
            Array.Resize(ref Docs, capacity);
            Array.Resize(ref Freqs, capacity);
        }
        var block = Count >> BlockShift;
        if ((Count & (BlockSize - 1)) == 0)
        {
            if (block == BlockLastDoc.Length)
            {
                Array.Resize(ref BlockLastDoc, block * 2);
                Array.Resize(ref BlockMaxFreq, block * 2);
                Array.Resize(ref BlockMinLength, block * 2);
            }
            BlockMaxFreq[block] = freq;
            BlockMinLength[block] = fieldLength;
        }
        else
        {
            if (freq > BlockMaxFreq[block]) BlockMaxFreq[block] = freq;
            if (fieldLength < BlockMinLength[block]) BlockMinLength[block] = fieldLength;
        }
        BlockLastDoc[block] = doc;
        Docs[Count] = doc;
        Freqs[Count] = freq;
        Count++;
        LiveDocFreq++;
    }

    /// <summary>Position of the first posting at or after <paramref name="from"/> whose document is ≥
    /// <paramref name="target"/>, or <see cref="Count"/>.</summary>
    public int Advance(int from, int target)
    {
        if (from >= Count || Docs[from] >= target) return from;
        var block = from >> BlockShift;
        var blocks = BlockCount;
        while (block < blocks && BlockLastDoc[block] < target) block++;
        if (block == blocks) return Count;
        var start = Math.Max(from, block << BlockShift);
        var end = Math.Min(Count, (block + 1) << BlockShift);
        var index = Docs.AsSpan(start, end - start).BinarySearch(target);
        return start + (index >= 0 ? index : ~index);
    }
}
