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
/// <para>Layout (little-endian; docs/FORMAT.md, "KWIX"): a 40-byte header (layout version, rows, terms, fingerprint
/// bytes, postings, term bytes, posting bytes), the analyzer fingerprint (UTF-8, zero-padded to 4 bytes), title lengths
/// and body lengths (i32 per row, −1 for a row without keyword text), term offsets (u32 × terms + 1, into the term
/// bytes), list counts (u32 × 2·terms: list 2t + f holds term t in field f), list offsets (u32 × 2·terms + 1, into
/// the posting bytes), the terms' UTF-8 bytes, and the postings: per list, for each posting the row gap minus one and
/// the frequency minus one as unsigned LEB128 varints.</para>
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

    public const int HeaderBytes = 40;

    /// <summary>Identifies the analysis that produced a keyword index: the analyzer's version, every option, and
    /// whether NFKC came from the runtime's Unicode tables or the built-in fold (globalization-invariant mode).</summary>
    public static string Fingerprint(TextAnalyzerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stop = options.StopWords is { Count: > 0 } words ? words.Order(StringComparer.Ordinal).ToArray() : [];
        var stopHash = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(string.Join('\n', stop)));
        return string.Create(CultureInfo.InvariantCulture,
            $"werkly-analyzer/{AnalyzerVersion};norm={options.Normalization}{(options.Normalization == TextNormalization.None ? "" : TextAnalyzer.RuntimeNormalizes ? "/icu" : "/fold")};lower={options.LowerCase};possessives={options.RemovePossessives};" +
            $"stem={options.Stemming};urls={options.KeepUrlsAndEmails};maxlen={options.MaxTokenLength};stop={stop.Length}:{stopHash:x16}");
    }

    /// <summary>Builds the payload for a segment's rows.</summary>
    /// <param name="options">The analysis and scoring of the index the segment belongs to.</param>
    /// <param name="rowCount">The segment's rows.</param>
    /// <param name="rowText">A row's title and body, or null for a row without keyword text.</param>
    /// <param name="cancellationToken">Checked between rows.</param>
    public static byte[] Encode(KeywordOptions options, int rowCount, Func<int, (string? Title, string? Body)?> rowText, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rowText);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        using var index = new InvertedIndex(options);
        index.DeferForwardIndex(); // only appended to, never deleted from
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

    /// <summary>The payload's sections, with every size and offset checked against the payload's length (the
    /// postings themselves are checked by the reader that decodes them).</summary>
    /// <returns>False for a layout version newer than <see cref="LayoutVersion"/>: a newer writer's block, which this
    /// reader cannot use (it analyzes the stored texts instead) but which is not damage.</returns>
    /// <exception cref="KeywordSegmentException">The payload is inconsistent (the message names the problem and byte offset).</exception>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Layout layout)
    {
        layout = default;
        if (payload.Length < HeaderBytes) throw Bad(0, $"the keyword index is {payload.Length} bytes, shorter than its header");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        if (version > LayoutVersion) return false;
        if (version != LayoutVersion) throw Bad(0, $"invalid keyword index layout version {version}");
        var rows = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        var terms = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        var fingerprintBytes = BinaryPrimitives.ReadUInt32LittleEndian(payload[12..]);
        var postings = BinaryPrimitives.ReadUInt64LittleEndian(payload[16..]);
        var termBytes = BinaryPrimitives.ReadUInt64LittleEndian(payload[24..]);
        var postingBytes = BinaryPrimitives.ReadUInt64LittleEndian(payload[32..]);
        if (rows > int.MaxValue / 2 || terms > int.MaxValue / 8 || fingerprintBytes > 4096 || postings > int.MaxValue / 2 || termBytes > int.MaxValue
            || postingBytes > int.MaxValue || postingBytes < 2 * postings)
            throw Bad(4, "the keyword index header holds impossible sizes");

        long offset = HeaderBytes;
        layout = new Layout { RowCount = (int)rows, TermCount = (int)terms, PostingCount = (int)postings };
        layout.FingerprintOffset = (int)offset;
        layout.FingerprintLength = (int)fingerprintBytes;
        offset += (fingerprintBytes + 3) & ~3L;
        layout.TitleLengthsOffset = offset;
        offset += 4L * rows;
        layout.BodyLengthsOffset = offset;
        offset += 4L * rows;
        layout.TermOffsetsOffset = offset;
        offset += 4L * (terms + 1);
        layout.ListCountsOffset = offset;
        offset += 4L * (2L * terms);
        layout.ListOffsetsOffset = offset;
        offset += 4L * (2L * terms + 1);
        layout.TermBytesOffset = offset;
        offset += (long)termBytes;
        layout.PostingsOffset = offset;
        offset += (long)postingBytes;
        if (offset != payload.Length) throw Bad(0, $"the keyword index sections add up to {offset} bytes but the block holds {payload.Length}");

        uint previous = 0;
        for (var t = 0; t <= terms; t++)
        {
            var value = layout.TermOffset(payload, t);
            if ((t == 0 && value != 0) || (t > 0 && value <= previous) || value > termBytes || (t == terms && value != termBytes))
                throw Bad(layout.TermOffsetsOffset + 4L * t, "invalid term offset table (terms must be non-empty and in order)");
            previous = value;
        }
        previous = 0;
        ulong counted = 0;
        for (var l = 0; l <= 2L * terms; l++)
        {
            var value = layout.ListOffset(payload, l);
            if ((l == 0 && value != 0) || value < previous || value > postingBytes || (l == 2L * terms && value != postingBytes))
                throw Bad(layout.ListOffsetsOffset + 4L * l, "invalid posting list offset table");
            if (l < 2L * terms)
            {
                var count = layout.ListCount(payload, l);
                var next = layout.ListOffset(payload, l + 1);
                counted += count;
                // Each posting takes at least two bytes; a smaller next offset is reported on the next iteration.
                if (next >= value && 2UL * count > next - value)
                    throw Bad(layout.ListCountsOffset + 4L * l, "a posting list holds fewer bytes than its postings need");
            }
            previous = value;
        }
        if (counted != postings) throw Bad(16, $"the lists hold {counted} postings, not {postings}");
        return true;
    }

    /// <summary>Reads an unsigned LEB128 varint of at most 31 bits at <paramref name="position"/>, advancing it.</summary>
    /// <returns>The value, or −1 when the bytes end first or the value does not fit.</returns>
    public static int ReadVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        var value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if ((uint)position >= (uint)bytes.Length) return -1;
            int b = bytes[position++];
            if (shift == 28 && b > 0x07) return -1; // more than 31 bits
            value |= (b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        return -1;
    }

    /// <summary>Appends <paramref name="value"/> (≥ 0) as an unsigned LEB128 varint.</summary>
    public static void WriteVarint(System.Buffers.IBufferWriter<byte> writer, int value)
    {
        var span = writer.GetSpan(5);
        var n = 0;
        var v = (uint)value;
        while (v >= 0x80)
        {
            span[n++] = (byte)(v | 0x80);
            v >>= 7;
        }
        span[n++] = (byte)v;
        writer.Advance(n);
    }

    internal static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

    internal static KeywordSegmentException Bad(long offset, string problem) => new(problem, offset);

    /// <summary>Byte offsets of a payload's sections (see the type's remarks).</summary>
    internal struct Layout
    {
        public int RowCount, TermCount, PostingCount, FingerprintOffset, FingerprintLength;
        public long TitleLengthsOffset, BodyLengthsOffset, TermOffsetsOffset, ListCountsOffset, ListOffsetsOffset, TermBytesOffset, PostingsOffset;

        /// <summary>The analyzer fingerprint the payload was built with.</summary>
        /// <exception cref="KeywordSegmentException">It is not valid UTF-8.</exception>
        public readonly string Fingerprint(ReadOnlySpan<byte> payload)
        {
            try
            {
                return Strict.GetString(payload.Slice(FingerprintOffset, FingerprintLength));
            }
            catch (DecoderFallbackException)
            {
                throw Bad(FingerprintOffset, "the analyzer fingerprint is not valid UTF-8");
            }
        }

        public readonly uint TermOffset(ReadOnlySpan<byte> payload, long term) =>
            BinaryPrimitives.ReadUInt32LittleEndian(payload[(int)(TermOffsetsOffset + 4 * term)..]);

        public readonly uint ListOffset(ReadOnlySpan<byte> payload, long list) =>
            BinaryPrimitives.ReadUInt32LittleEndian(payload[(int)(ListOffsetsOffset + 4 * list)..]);

        public readonly uint ListCount(ReadOnlySpan<byte> payload, long list) =>
            BinaryPrimitives.ReadUInt32LittleEndian(payload[(int)(ListCountsOffset + 4 * list)..]);

        /// <summary>The encoded postings of list <paramref name="list"/> (term t, field f is list 2t + f).</summary>
        public readonly ReadOnlySpan<byte> ListBytes(ReadOnlySpan<byte> payload, int list)
        {
            var start = ListOffset(payload, list);
            return payload.Slice((int)(PostingsOffset + start), (int)(ListOffset(payload, list + 1) - start));
        }

        public readonly ReadOnlySpan<byte> Term(ReadOnlySpan<byte> payload, int term)
        {
            var start = TermOffset(payload, term);
            var end = TermOffset(payload, term + 1);
            return payload.Slice((int)(TermBytesOffset + start), (int)(end - start));
        }
    }
}

/// <summary>A keyword index payload is inconsistent; <see cref="Offset"/> is the byte within the payload.</summary>
/// <remarks>Internal: readers turn it into an <see cref="Exceptions.IndexCorruptedException"/> naming the file.</remarks>
internal sealed class KeywordSegmentException(string problem, long offset)
    : Exception($"{problem} (keyword index byte {offset}).")
{
    /// <summary>Where in the payload the problem was found.</summary>
    public long Offset { get; } = offset;
}
