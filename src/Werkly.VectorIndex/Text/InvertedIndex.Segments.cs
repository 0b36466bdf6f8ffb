using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Werkly.VectorIndex.Text;

internal sealed partial class InvertedIndex
{
    /// <summary>
    /// Writes this index as a segment's keyword index payload (<see cref="KeywordSegment"/>): document d becomes row
    /// <paramref name="rowOfDoc"/>[d]. Requires an index without deletions (as <see cref="KeywordSegment.Encode"/> builds).
    /// </summary>
    internal byte[] ExportSegment(int rowCount, IReadOnlyList<int> rowOfDoc)
    {
        EnterRead();
        try
        {
            if (_liveCount != _docCount || rowOfDoc.Count != _docCount)
                throw new InvalidOperationException("Only an index without deletions, with one row per document, can be exported.");
            var fingerprint = Encoding.UTF8.GetBytes(KeywordSegment.Fingerprint(Options.Analysis));
            var termBytes = new ArrayBufferWriter<byte>(Math.Max(256, _terms.Count * 8));
            var postingBytes = new ArrayBufferWriter<byte>(Math.Max(256, _docCount * 64));
            var termOffsets = new uint[_terms.Count + 1];
            var listCounts = new uint[2 * _terms.Count];
            var listOffsets = new uint[2 * _terms.Count + 1];
            long postings = 0;
            for (var t = 0; t < _terms.Count; t++)
            {
                Encoding.UTF8.GetBytes(_terms[t], termBytes);
                termOffsets[t + 1] = checked((uint)termBytes.WrittenCount);
                for (var field = 0; field < FieldCount; field++)
                {
                    if (_postings[field][t] is { } list)
                    {
                        var previous = -1;
                        for (var i = 0; i < list.Count; i++)
                        {
                            var row = rowOfDoc[list.DocAt(i)];
                            KeywordSegment.WriteVarint(postingBytes, row - previous - 1);
                            KeywordSegment.WriteVarint(postingBytes, list.FreqAt(i) - 1);
                            previous = row;
                        }
                        listCounts[2 * t + field] = (uint)list.Count;
                        postings += list.Count;
                    }
                    listOffsets[2 * t + field + 1] = checked((uint)postingBytes.WrittenCount);
                }
            }

            var size = KeywordSegment.HeaderBytes + ((fingerprint.Length + 3) & ~3) + 8L * rowCount + 4L * termOffsets.Length
                + 4L * listCounts.Length + 4L * listOffsets.Length + termBytes.WrittenCount + postingBytes.WrittenCount;
            if (size > int.MaxValue) throw new InvalidOperationException("A segment's keyword index would exceed 2 GiB; commit more often.");
            var payload = new byte[size];
            var span = payload.AsSpan();
            BinaryPrimitives.WriteUInt32LittleEndian(span, KeywordSegment.LayoutVersion);
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)rowCount);
            BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)_terms.Count);
            BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)fingerprint.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(span[16..], (ulong)postings);
            BinaryPrimitives.WriteUInt64LittleEndian(span[24..], (ulong)termBytes.WrittenCount);
            BinaryPrimitives.WriteUInt64LittleEndian(span[32..], (ulong)postingBytes.WrittenCount);
            var at = KeywordSegment.HeaderBytes;
            fingerprint.CopyTo(span[at..]);
            at += (fingerprint.Length + 3) & ~3;

            var lengths = MemoryMarshal.Cast<byte, int>(span.Slice(at, 8 * rowCount));
            lengths.Fill(-1);
            for (var doc = 0; doc < _docCount; doc++)
            {
                lengths[rowOfDoc[doc]] = _fieldLengths[TitleField][doc];
                lengths[rowCount + rowOfDoc[doc]] = _fieldLengths[BodyField][doc];
            }
            at += 8 * rowCount;
            foreach (var table in (uint[][])[termOffsets, listCounts, listOffsets])
            {
                MemoryMarshal.AsBytes(table.AsSpan()).CopyTo(span[at..]);
                at += 4 * table.Length;
            }
            termBytes.WrittenSpan.CopyTo(span[at..]);
            at += termBytes.WrittenCount;
            postingBytes.WrittenSpan.CopyTo(span[at..]);
            return payload;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Appends a segment's keyword index: every row with keyword text whose <paramref name="keyOfRow"/> entry is not
    /// null (null marks a row the vector side deleted) becomes a document, numbered after every existing one and in row
    /// order, with the stored postings — nothing is analyzed. A key already present, or repeated in the segment, is
    /// replaced as an upsert would replace it (the last row wins). The payload is checked completely before anything
    /// changes.
    /// </summary>
    /// <param name="payload">The segment's keyword index.</param>
    /// <param name="keyOfRow">The key of each live row of the segment, null for a deleted row.</param>
    /// <param name="requiredFingerprint">The analysis the payload must come from, or null to accept any.</param>
    /// <returns>The documents added, or −1 when the payload is usable by no reader of this version (a newer layout) or
    /// comes from other analysis: nothing is changed, and the caller analyzes the stored texts instead.</returns>
    /// <exception cref="KeywordSegmentException">The payload is inconsistent (the message names the problem and offset).</exception>
    internal int AppendSegment(ReadOnlySpan<byte> payload, IReadOnlyList<string?> keyOfRow, string? requiredFingerprint = null)
    {
        if (!KeywordSegment.TryParse(payload, out var layout)) return -1;
        if (requiredFingerprint is not null && layout.Fingerprint(payload) != requiredFingerprint) return -1;
        var rows = layout.RowCount;
        if (rows != keyOfRow.Count) throw KeywordSegment.Bad(4, $"the keyword index describes {rows} rows but the segment has {keyOfRow.Count}");
        var lengths = MemoryMarshal.Cast<byte, int>(payload.Slice((int)layout.TitleLengthsOffset, 8 * rows));

        // Check everything first, decoding the postings once: a damaged payload must not leave half a segment behind.
        for (var row = 0; row < rows; row++)
        {
            if ((lengths[row] < 0) != (lengths[rows + row] < 0))
                throw KeywordSegment.Bad(layout.TitleLengthsOffset + 4L * row, $"row {row} has a length in one field only");
        }
        var postingRows = new int[layout.PostingCount];
        var postingFreqs = new int[layout.PostingCount];
        var sums = new int[2 * rows];
        var next = 0;
        for (var list = 0; list < 2 * layout.TermCount; list++)
        {
            var field = list & 1;
            var bytes = layout.ListBytes(payload, list);
            var count = (int)layout.ListCount(payload, list);
            long listOffset = layout.PostingsOffset + layout.ListOffset(payload, list);
            int position = 0, row = -1;
            for (var p = 0; p < count; p++)
            {
                var gap = KeywordSegment.ReadVarint(bytes, ref position);
                var freq = KeywordSegment.ReadVarint(bytes, ref position) + 1;
                if (gap < 0 || freq < 1 || (long)row + gap + 1 >= rows)
                    throw KeywordSegment.Bad(listOffset + position, $"posting {p} of list {list} cannot be decoded or lies beyond the last row");
                row += gap + 1;
                var at = field * rows + row;
                if (lengths[at] < 0 || (sums[at] += freq) > lengths[at])
                    throw KeywordSegment.Bad(listOffset + position, $"posting {p} of list {list} (row {row}, frequency {freq}) exceeds its row's field length");
                postingRows[next] = row;
                postingFreqs[next++] = freq;
            }
            if (position != bytes.Length)
                throw KeywordSegment.Bad(listOffset + position, $"list {list} has bytes after its {count} postings");
        }
        for (var i = 0; i < 2 * rows; i++)
        {
            if (lengths[i] >= 0 && sums[i] != lengths[i])
                throw KeywordSegment.Bad(layout.TitleLengthsOffset + 4L * i, $"row {i % rows}'s field length {lengths[i]} differs from its postings' {sums[i]}");
        }
        var terms = new string[layout.TermCount];
        var unique = new HashSet<string>(terms.Length, StringComparer.Ordinal);
        for (var t = 0; t < terms.Length; t++)
        {
            try
            {
                terms[t] = KeywordSegment.Strict.GetString(layout.Term(payload, t));
            }
            catch (DecoderFallbackException)
            {
                throw KeywordSegment.Bad(layout.TermBytesOffset + layout.TermOffset(payload, t), $"term {t} is not valid UTF-8");
            }
            if (!unique.Add(terms[t])) throw KeywordSegment.Bad(layout.TermBytesOffset + layout.TermOffset(payload, t), $"term '{terms[t]}' appears twice");
        }

        // The caller's keys: validated, and for a key on several rows only the last row counts.
        var lastRowOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var row = 0; row < rows; row++)
        {
            if (keyOfRow[row] is not { } key) continue;
            Identifiers.ValidateKey(key);
            lastRowOfKey[key] = row;
        }

        EnterWrite();
        try
        {
            foreach (var key in lastRowOfKey.Keys)
            {
                if (_docIds.TryGetValue(key, out var previous)) DeleteDocument(previous);
            }
            var docBase = _docCount;
            var remap = new int[rows];
            var added = 0;
            for (var row = 0; row < rows; row++)
            {
                if (keyOfRow[row] is not { } key || lengths[row] < 0 || lastRowOfKey[key] != row)
                {
                    remap[row] = -1;
                    continue;
                }
                var doc = docBase + added++;
                EnsureDocCapacity(doc + 1);
                remap[row] = doc;
                _keys[doc] = key;
                _docIds[key] = doc;
                for (var field = 0; field < FieldCount; field++)
                {
                    var length = lengths[field * rows + row];
                    _fieldLengths[field][doc] = length;
                    _totalLength[field] += length;
                }
            }

            // The postings, appended in document order; the forward index is left stale until a delete needs it.
            var p = 0;
            for (var t = 0; t < terms.Length; t++)
            {
                var id = -1;
                for (var field = 0; field < FieldCount; field++)
                {
                    var count = (int)layout.ListCount(payload, 2 * t + field);
                    PostingList? postings = null;
                    for (var end = p + count; p < end; p++)
                    {
                        var doc = remap[postingRows[p]];
                        if (doc < 0) continue;
                        if (postings is null)
                        {
                            if (id < 0) id = TermId(terms[t]);
                            postings = _postings[field][id];
                            if (postings is null) postings = _postings[field][id] = new PostingList(count);
                            else postings.Reserve(count);
                        }
                        postings.Add(doc, postingFreqs[p], _fieldLengths[field][doc]);
                    }
                }
            }
            if (added > 0) _forwardStale = true;
            _docCount += added;
            _liveCount += added;
            return added;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }
}
