using System.Diagnostics;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Storage;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Partitions;

internal sealed partial class CompanyPartition
{
    /// <summary>
    /// Loads the keyword side once per opening (gate held): from the keyword blocks of the segment files (postings as
    /// stored, nothing analyzed), or, for a segment without a block or with one from other analysis options, from the
    /// title and text stored with each record. Deleted rows are skipped, so statistics cover the live records only.
    /// Searches continue meanwhile; the result is installed under the write lock.
    /// </summary>
    /// <exception cref="IndexCorruptedException">A keyword block is damaged.</exception>
    private void EnsureKeywordsGated()
    {
        if (_keywords is not null) return;
        EnsureKeyMapGated(); // resolves a key live in two segments before rows are read
        var keywords = new InvertedIndex(_settings.Options.Keywords);
        try
        {
            var statistics = LoadKeywords(keywords);
            Install(() =>
            {
                _keywords = keywords;
                KeywordLoad = statistics;
            });
        }
        catch
        {
            keywords.Dispose();
            throw;
        }
    }

    private KeywordLoadStatistics LoadKeywords(InvertedIndex keywords)
    {
        var watch = Stopwatch.StartNew();
        int fromBlocks = 0, analyzed = 0, documents = 0;
        foreach (var segment in _vectors.Segments)
        {
            if (segment.RowCount == 0) continue;
            var keys = new string?[segment.RowCount];
            for (var row = 0; row < keys.Length; row++)
            {
                if (!segment.Deleted.Contains(row)) keys[row] = segment.GetKey(row);
            }
            if (segment is MappedIvfSegment { Segment.HasKeywords: true } mapped)
            {
                var payload = mapped.Segment.GetKeywords(out var offset);
                int appended;
                try
                {
                    appended = keywords.AppendSegment(payload, keys, _settings.KeywordFingerprint);
                }
                catch (KeywordSegmentException ex)
                {
                    throw new IndexCorruptedException(mapped.Segment.Path, offset + ex.Offset, ex.Message, ex);
                }
                if (appended >= 0)
                {
                    documents += appended;
                    fromBlocks++;
                    continue;
                }
            }
            var texts = new List<(string?, string?)>();
            var textKeys = new List<string>();
            for (var row = 0; row < keys.Length; row++)
            {
                if (keys[row] is not { } key) continue;
                var metadata = segment.GetMetadata(row);
                var title = ReservedMetadata.Get(metadata, ReservedMetadata.Title);
                var body = ReservedMetadata.Get(metadata, ReservedMetadata.Text);
                if (title is null && body is null) continue;
                textKeys.Add(key);
                texts.Add((title, body));
            }
            keywords.Apply(AnalyzedBatch.Create(_settings.Analyzer, texts), textKeys, [], new KeywordUndo());
            documents += textKeys.Count;
            analyzed++;
        }
        return new KeywordLoadStatistics(watch.Elapsed, documents, fromBlocks, analyzed);
    }

    /// <summary>
    /// The keyword block of a segment about to be committed, from its rows' stored titles and texts, so a row's vector,
    /// text and postings are written, checksummed and retired together. Runs without locks (the segment is frozen).
    /// </summary>
    /// <returns>The block, or empty when no row has a title or text (the segment then keeps the vector-only record
    /// version that older readers open).</returns>
    internal byte[] EncodeKeywords(IReadOnlyList<IReadOnlyDictionary<string, MetadataValue>?> metadata, CancellationToken cancellationToken)
    {
        (string? Title, string? Body)? TextOf(int row)
        {
            var title = ReservedMetadata.Get(metadata[row], ReservedMetadata.Title);
            var body = ReservedMetadata.Get(metadata[row], ReservedMetadata.Text);
            return title is null && body is null ? null : (title, body);
        }
        var any = false;
        for (var row = 0; row < metadata.Count && !any; row++) any = TextOf(row) is not null;
        return any ? KeywordSegment.Encode(_settings.Options.Keywords, metadata.Count, TextOf, cancellationToken) : [];
    }
}
