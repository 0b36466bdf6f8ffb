namespace Werkly.VectorIndex.Storage;

/// <summary>Four-character block tags (ASCII, stored as a little-endian <see cref="uint"/>).</summary>
/// <remarks>Keep in sync with docs/FORMAT.md: section "Block header" and the block lists of sections "Segment file",
/// "Centroids file", "Tombstone file" and "Manifest".</remarks>
internal static class BlockTag
{
    /// <summary>"TOC ": table of contents, the last block of every file.</summary>
    public const uint TableOfContents = 'T' | ('O' << 8) | ('C' << 16) | (' ' << 24);

    /// <summary>"MANI": the manifest body (MessagePack).</summary>
    public const uint Manifest = 'M' | ('A' << 8) | ('N' << 16) | ('I' << 24);

    /// <summary>"SEGI": segment info (dimensions, stride, list count, row count, segment id, company id).</summary>
    public const uint SegmentInfo = 'S' | ('E' << 8) | ('G' << 16) | ('I' << 24);

    /// <summary>"LIST": one inverted list: its vectors, then its row ids. The block index is the list number.</summary>
    public const uint List = 'L' | ('I' << 8) | ('S' << 16) | ('T' << 24);

    /// <summary>"KEYS": row id → key (offset table + UTF-8).</summary>
    public const uint Keys = 'K' | ('E' << 8) | ('Y' << 16) | ('S' << 24);

    /// <summary>"META": row id → metadata map (offset table + MessagePack).</summary>
    public const uint Metadata = 'M' | ('E' << 8) | ('T' << 16) | ('A' << 24);

    /// <summary>"CENI": centroid info (dimensions, stride, list count, metric, training version, company id).</summary>
    public const uint CentroidInfo = 'C' | ('E' << 8) | ('N' << 16) | ('I' << 24);

    /// <summary>"CVEC": the centroid vectors.</summary>
    public const uint CentroidVectors = 'C' | ('V' << 8) | ('E' << 16) | ('C' << 24);

    /// <summary>"TOMB": sorted deleted row ids of one segment.</summary>
    public const uint Tombstones = 'T' | ('O' << 8) | ('M' << 16) | ('B' << 24);

    /// <summary>"KWIX": a segment's keyword index (analyzer fingerprint, field lengths, term dictionary, postings);
    /// segment record version 2 and later, optional, always the last block before the TOC.</summary>
    public const uint KeywordIndex = 'K' | ('W' << 8) | ('I' << 16) | ('X' << 24);

    /// <summary>"QINF": a quantized segment's code info (bits, dimensions, code stride, list count, flags, ranges
    /// checksum); segment record version 3 and later, optional, followed by one QLST block per list.</summary>
    public const uint QuantizerInfo = 'Q' | ('I' << 8) | ('N' << 16) | ('F' << 24);

    /// <summary>"QLST": one list's codes, row ids, optional squared norms and per-row vector checksums. The block index is
    /// the list number.</summary>
    public const uint QuantizedList = 'Q' | ('L' << 8) | ('S' << 16) | ('T' << 24);

    /// <summary>"SQRG": a company's code ranges (per-dimension minimum and 8-bit step); centroids record version 2,
    /// optional, after CVEC.</summary>
    public const uint CodeRanges = 'S' | ('Q' << 8) | ('R' << 16) | ('G' << 24);

    /// <summary>The tag as its four characters, for messages.</summary>
    public static string ToText(uint tag)
    {
        Span<char> chars = stackalloc char[4];
        for (int i = 0; i < 4; i++)
        {
            char c = (char)((tag >> (8 * i)) & 0xFF);
            chars[i] = c is >= ' ' and <= '~' ? c : '?';
        }
        return new string(chars);
    }
}
