using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Werkly.VectorIndex.Text;

/// <summary>
/// The keyword index of one segment, as the payload of a segment file's <c>KWIX</c> block: which analysis produced it,
/// each row's field lengths, the segment's term dictionary and its postings by segment-local row.
/// </summary>
/// <remarks>
/// <para>Layout (little-endian; docs/FORMAT.md, "KWIX"): a 32-byte header (layout version, rows, terms, fingerprint
/// bytes, postings, term bytes), the analyzer fingerprint (UTF-8, zero-padded to 4 bytes), title lengths and body
/// lengths (i32 per row, −1 for a row without keyword text), term offsets (u32 × terms + 1, into the term bytes),
/// list starts (u32 × 2·terms + 1: list 2t + f holds term t in field f), the postings ((row, frequency) i32 pairs,
/// rows ascending within a list) and the terms' UTF-8 bytes.</para>
/// <para>A segment's keyword index holds only that segment's rows, deleted ones included: deletions stay the vector
/// side's business (tombstones), and a reader skips whatever the vector side says is gone.</para>
/// </remarks>
internal static class KeywordSegment
{
    /// <summary>The payload layout version this library writes and reads.</summary>
    public const uint LayoutVersion = 1;

    /// <summary>
    /// Bump whenever the analyzer's output for the same options changes (a stemmer fix, a new word-break rule): stored
    /// postings then no longer match what queries produce, and readers rebuild them from the stored text instead.
    /// </summary>
    public const int AnalyzerVersion = 1;

    public const int HeaderBytes = 32;

    /// <summary>Identifies the analysis that produced a keyword index: the analyzer's version and every option.</summary>
    public static string Fingerprint(TextAnalyzerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stop = options.StopWords is { Count: > 0 } words ? words.Order(StringComparer.Ordinal).ToArray() : [];
        var stopHash = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(string.Join('\n', stop)));
        return string.Create(CultureInfo.InvariantCulture,
            $"werkly-analyzer/{AnalyzerVersion};norm={options.Normalization};lower={options.LowerCase};possessives={options.RemovePossessives};" +
            $"stem={options.Stemming};urls={options.KeepUrlsAndEmails};maxlen={options.MaxTokenLength};stop={stop.Length}:{stopHash:x16}");
    }

    /// <summary>Builds the payload for a segment's rows.</summary>
    /// <param name="options">The analysis and scoring of the index the segment belongs to.</param>
    /// <param name="rowCount">The segment's rows.</param>
    /// <param name="rowText">A row's title and body, or null for a row without keyword text.</param>
    /// <param name="cancellationToken">Checked between rows.</param>
    public static byte[] Encode(KeywordIndexOptions options, int rowCount, Func<int, (string? Title, string? Body)?> rowText, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rowText);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        using var index = new InvertedIndex(options);
        var rowOfDoc = new List<int>();
        for (var row = 0; row < rowCount; row++)
        {
            if ((row & 255) == 0) cancellationToken.ThrowIfCancellationRequested();
            if (rowText(row) is not { } text) continue;
            // Synthetic keys: a segment may hold one key twice (replaced before the commit), and every row keeps its postings.
            index.Upsert(row.ToString(CultureInfo.InvariantCulture), text.Title, text.Body);
            rowOfDoc.Add(row);
        }
        return index.ExportSegment(rowCount, rowOfDoc);
    }

    /// <summary>The row count a payload declares, or −1 when it is too short to say.</summary>
    public static int RowCountOf(ReadOnlySpan<byte> payload) =>
        payload.Length < HeaderBytes ? -1 : (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]));

    /// <summary>The payload's sections, with every size and offset checked against the payload's length.</summary>
    /// <exception cref="InvalidDataException">The payload is inconsistent (the message names the problem and byte offset).</exception>
    public static Layout Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < HeaderBytes) throw Bad(0, $"the keyword index is {payload.Length} bytes, shorter than its header");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        if (version != LayoutVersion) throw Bad(0, $"unknown keyword index layout version {version}");
        var rows = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        var terms = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        var fingerprintBytes = BinaryPrimitives.ReadUInt32LittleEndian(payload[12..]);
        var postings = BinaryPrimitives.ReadUInt64LittleEndian(payload[16..]);
        var termBytes = BinaryPrimitives.ReadUInt64LittleEndian(payload[24..]);
        if (rows > int.MaxValue / 2 || terms > int.MaxValue / 4 || fingerprintBytes > 4096 || postings > int.MaxValue / 2 || termBytes > int.MaxValue)
            throw Bad(4, "the keyword index header holds impossible sizes");

        long offset = HeaderBytes;
        var layout = new Layout { RowCount = (int)rows, TermCount = (int)terms, PostingCount = (int)postings };
        layout.FingerprintOffset = (int)offset;
        layout.FingerprintLength = (int)fingerprintBytes;
        offset += (fingerprintBytes + 3) & ~3L;
        layout.TitleLengthsOffset = offset;
        offset += 4L * rows;
        layout.BodyLengthsOffset = offset;
        offset += 4L * rows;
        layout.TermOffsetsOffset = offset;
        offset += 4L * (terms + 1);
        layout.ListStartsOffset = offset;
        offset += 4L * (2L * terms + 1);
        layout.PostingsOffset = offset;
        offset += 8L * (long)postings;
        layout.TermBytesOffset = offset;
        offset += (long)termBytes;
        if (offset != payload.Length) throw Bad(0, $"the keyword index sections add up to {offset} bytes but the block holds {payload.Length}");

        uint previous = 0;
        for (var t = 0; t <= terms; t++)
        {
            var value = layout.TermOffset(payload, t);
            if ((t == 0 && value != 0) || value <= previous && t > 0 || value > termBytes || (t == terms && value != termBytes))
                throw Bad(layout.TermOffsetsOffset + 4L * t, "invalid term offset table (terms must be non-empty and in order)");
            previous = value;
        }
        previous = 0;
        for (var l = 0; l <= 2L * terms; l++)
        {
            var value = layout.ListStart(payload, l);
            if ((l == 0 && value != 0) || value < previous || value > postings || (l == 2L * terms && value != postings))
                throw Bad(layout.ListStartsOffset + 4L * l, "invalid posting list table");
            previous = value;
        }
        return layout;
    }

    /// <summary>The fingerprint stored in a payload.</summary>
    /// <exception cref="InvalidDataException">The payload is inconsistent.</exception>
    public static string FingerprintOf(ReadOnlySpan<byte> payload)
    {
        var layout = Parse(payload);
        try
        {
            return Strict.GetString(payload.Slice(layout.FingerprintOffset, layout.FingerprintLength));
        }
        catch (DecoderFallbackException)
        {
            throw Bad(layout.FingerprintOffset, "the analyzer fingerprint is not valid UTF-8");
        }
    }

    internal static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

    internal static InvalidDataException Bad(long offset, string problem) => new($"{problem} (keyword index byte {offset}).") { Data = { ["offset"] = offset } };

    /// <summary>Byte offsets of a payload's sections (see the type's remarks).</summary>
    internal struct Layout
    {
        public int RowCount, TermCount, PostingCount, FingerprintOffset, FingerprintLength;
        public long TitleLengthsOffset, BodyLengthsOffset, TermOffsetsOffset, ListStartsOffset, PostingsOffset, TermBytesOffset;

        public readonly int FieldLength(ReadOnlySpan<byte> payload, int field, int row) =>
            BinaryPrimitives.ReadInt32LittleEndian(payload[(int)((field == 0 ? TitleLengthsOffset : BodyLengthsOffset) + 4L * row)..]);

        public readonly uint TermOffset(ReadOnlySpan<byte> payload, long term) =>
            BinaryPrimitives.ReadUInt32LittleEndian(payload[(int)(TermOffsetsOffset + 4 * term)..]);

        public readonly uint ListStart(ReadOnlySpan<byte> payload, long list) =>
            BinaryPrimitives.ReadUInt32LittleEndian(payload[(int)(ListStartsOffset + 4 * list)..]);

        public readonly ReadOnlySpan<byte> Term(ReadOnlySpan<byte> payload, int term)
        {
            var start = TermOffset(payload, term);
            var end = TermOffset(payload, term + 1);
            return payload.Slice((int)(TermBytesOffset + start), (int)(end - start));
        }

        /// <summary>Posting <paramref name="index"/>: (row, frequency).</summary>
        public readonly (int Row, int Freq) Posting(ReadOnlySpan<byte> payload, int index)
        {
            var at = (int)(PostingsOffset + 8L * index);
            return (BinaryPrimitives.ReadInt32LittleEndian(payload[at..]), BinaryPrimitives.ReadInt32LittleEndian(payload[(at + 4)..]));
        }
    }
}
