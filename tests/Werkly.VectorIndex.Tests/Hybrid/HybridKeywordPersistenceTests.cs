using System.Buffers.Binary;
using Werkly.VectorIndex.Evaluation;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Storage;
using Werkly.VectorIndex.Tests.Storage;
using Werkly.VectorIndex.Tests.Text;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Tests.Hybrid;

/// <summary>The keyword index lives in the segment files: reopening loads the stored postings (nothing analyzed) and
/// gives exactly the BM25 results of an index that was never closed, across segments, deletes, updates and merges.</summary>
public class HybridKeywordPersistenceTests
{
    private const int Dimensions = 16;
    private const string Company = "cranfield";

    private static ReadOnlyMemory<float> Embed(string text)
    {
        var v = new float[Dimensions];
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            uint h = 2166136261;
            foreach (var c in word) h = (h ^ c) * 16777619;
            v[h % Dimensions] += 1;
        }
        v[0] += 0.01f;
        return v;
    }

    private static WerklyIndexOptions Options(KeywordOptions? keyword = null) =>
        new() { Dimensions = Dimensions, Keywords = keyword ?? new KeywordOptions() };

    private static VectorRecord Record(BeirDocument d, string? textOverride = null) =>
        new(d.Id, Embed(textOverride ?? d.Text)) { Title = d.Title, Text = textOverride ?? d.Text };

    private static SearchQuery Keyword(string text, int top = 10) => new() { Mode = SearchMode.Keyword, Text = text, Top = top, CandidatesPerSide = Math.Max(top, 100) };

    /// <summary>Cranfield in four commits (four segments), with deletes and updates that cross segments.</summary>
    private static void WriteHistory(WerklyIndex index, bool commit)
    {
        var corpus = Cranfield.Dataset.Corpus;
        for (var batch = 0; batch < 4; batch++)
        {
            var upserts = corpus.Skip(batch * 350).Take(350).Select(d => Record(d)).ToList();
            var deletes = new List<string>();
            if (batch > 0)
            {
                // Update 40 earlier documents (their new text is another document's) and delete 30 others.
                for (var i = 0; i < 40; i++) upserts.Add(Record(corpus[(batch - 1) * 350 + 7 * i], corpus[(batch * 350 + 11 * i) % corpus.Count].Text));
                for (var i = 0; i < 30; i++) deletes.Add(corpus[(batch - 1) * 350 + 7 * i + 3].Id);
            }
            index.Apply(Company, upserts, deletes);
            if (commit) index.Commit();
        }
    }

    private static List<IReadOnlyList<SearchResult>> KeywordResults(WerklyIndex index, int top = 100) =>
        [.. Cranfield.Dataset.JudgedQueries.Select(q => index.Search(Company, Keyword(q.Text, top)))];

    private static void AssertSameResults(List<IReadOnlyList<SearchResult>> expected, List<IReadOnlyList<SearchResult>> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var q = 0; q < expected.Count; q++)
        {
            Assert.Equal(expected[q].Select(h => h.Key), actual[q].Select(h => h.Key));
            Assert.Equal(expected[q].Select(h => h.Score), actual[q].Select(h => h.Score)); // bit for bit
        }
    }

    [Fact]
    public void Reopening_loads_the_stored_postings_and_ranks_exactly_like_an_index_never_closed()
    {
        using var memory = new WerklyIndex(Options());
        WriteHistory(memory, commit: false);
        var expected = KeywordResults(memory);

        using var temp = new TempDirectory("hybrid-kw");
        using (var index = WerklyIndex.Open(temp.Path, Options()))
        {
            WriteHistory(index, commit: true);
            AssertSameResults(expected, KeywordResults(index));
        }
        using (var index = WerklyIndex.Open(temp.Path, Options(), readOnly: true))
        {
            AssertSameResults(expected, KeywordResults(index));
            var load = index.KeywordLoadOf(Company)!.Value;
            Assert.Equal(4, load.SegmentsFromBlocks);
            Assert.Equal(0, load.SegmentsAnalyzed);
            Assert.Equal(memory.Count(Company), load.Documents);
        }
    }

    [Fact]
    public void Writes_after_reopening_and_a_merge_keep_the_results_exact()
    {
        using var memory = new WerklyIndex(Options());
        WriteHistory(memory, commit: false);
        var corpus = Cranfield.Dataset.Corpus;
        var late = corpus.Take(60).Select(d => Record(d, d.Text + " supersonic late edit")).ToList();
        var lateDeletes = corpus.Skip(1000).Take(25).Select(d => d.Id).ToList();
        memory.Apply(Company, late, lateDeletes);
        var expected = KeywordResults(memory);

        using var temp = new TempDirectory("hybrid-kw-merge");
        using (var index = WerklyIndex.Open(temp.Path, Options()))
        {
            WriteHistory(index, commit: true);
        }
        using (var index = WerklyIndex.Open(temp.Path, Options()))
        {
            index.Apply(Company, late, lateDeletes); // loads the partition, then writes on top of it
            AssertSameResults(expected, KeywordResults(index));
            index.Merge(Company); // the four committed segments become one, rewritten with its keyword block
            index.Commit();
            Assert.Equal(2, index.GetStatistics(Company).SegmentCount - 1); // the merged one and the late writes

        }
        using (var index = WerklyIndex.Open(temp.Path, Options()))
        {
            AssertSameResults(expected, KeywordResults(index));
            Assert.Equal(2, index.KeywordLoadOf(Company)!.Value.SegmentsFromBlocks);
            Assert.Equal(0, index.KeywordLoadOf(Company)!.Value.SegmentsAnalyzed);
        }
    }

    [Fact]
    public void Segments_without_a_keyword_block_or_from_other_analysis_are_analyzed_from_their_stored_texts()
    {
        var corpus = Cranfield.Dataset.Corpus;
        using var temp = new TempDirectory("hybrid-kw-mixed");
        using (var index = WerklyIndex.Open(temp.Path, Options()))
        {
            index.KeywordBlockTransform = static _ => []; // as a vector-only or version-1 writer would write it
            index.Apply(Company, [.. corpus.Take(700).Select(d => Record(d))], []);
            index.Commit();
            index.KeywordBlockTransform = null;
            index.Apply(Company, [.. corpus.Skip(700).Select(d => Record(d))], [corpus[5].Id]);
            index.Commit();
        }
        using var memory = new WerklyIndex(Options());
        memory.Apply(Company, [.. corpus.Where(d => d.Id != corpus[5].Id).Select(d => Record(d))], []);
        using (var index = WerklyIndex.Open(temp.Path, Options()))
        {
            AssertSameResults(KeywordResults(memory), KeywordResults(index));
            Assert.Equal((1, 1), (index.KeywordLoadOf(Company)!.Value.SegmentsFromBlocks, index.KeywordLoadOf(Company)!.Value.SegmentsAnalyzed));

            // The retrieval quality asserted for the in-memory index (BM25 nDCG@10 ≥ 0.37) holds for the reopened one.
            var scores = RetrievalMetrics.Evaluate(Cranfield.Dataset, q =>
                [.. index.Search(Company, Keyword(q.Text, 100)).Select(h => h.Key)]);
            Assert.True(scores.Ndcg10 >= 0.37, $"nDCG@10 {scores.Ndcg10:F4}");
        }

        // Other analysis options cannot use the stored postings: every segment is analyzed again, with the new options.
        var unstemmed = new KeywordOptions { Analysis = TextAnalyzerOptions.English with { Stemming = TextStemming.None } };
        using var memoryUnstemmed = new WerklyIndex(Options(unstemmed));
        memoryUnstemmed.Apply(Company, [.. corpus.Where(d => d.Id != corpus[5].Id).Select(d => Record(d))], []);
        using (var index = WerklyIndex.Open(temp.Path, Options(unstemmed)))
        {
            AssertSameResults(KeywordResults(memoryUnstemmed), KeywordResults(index));
            Assert.Equal((0, 2), (index.KeywordLoadOf(Company)!.Value.SegmentsFromBlocks, index.KeywordLoadOf(Company)!.Value.SegmentsAnalyzed));
        }
    }

    [Fact]
    public void Only_segments_with_a_keyword_block_use_record_version_2()
    {
        using var temp = new TempDirectory("hybrid-kw-version");
        var hybridDir = Path.Combine(temp.Path, "hybrid");
        var vectorDir = Path.Combine(temp.Path, "vector");
        using (var index = WerklyIndex.Open(hybridDir, Options()))
        {
            index.Apply(Company, [.. Cranfield.Dataset.Corpus.Take(10).Select(d => Record(d))], []);
            index.Commit();
        }
        using (var index = WerklyIndex.Open(vectorDir, new WerklyIndexOptions { Dimensions = Dimensions }))
        {
            index.Upsert(Company, "a", Embed("one two").Span); // no title or text: no keyword block
            index.Commit();
        }
        Assert.Equal(2, RecordVersion(Assert.Single(Directory.GetFiles(hybridDir, "seg-*"))));
        Assert.Equal(1, RecordVersion(Assert.Single(Directory.GetFiles(vectorDir, "seg-*"))));

        static int RecordVersion(string path) => BinaryPrimitives.ReadUInt16LittleEndian(File.ReadAllBytes(path).AsSpan(12));
    }

    [Fact]
    public void A_damaged_keyword_block_is_reported_as_corruption_of_its_segment_file()
    {
        using var temp = new TempDirectory("hybrid-kw-corrupt");
        using (var index = WerklyIndex.Open(temp.Path, Options()))
        {
            index.Apply(Company, [.. Cranfield.Dataset.Corpus.Take(200).Select(d => Record(d))], []);
            index.Commit();
        }
        var segmentFile = Assert.Single(Directory.GetFiles(temp.Path, "seg-*"));
        long payloadOffset;
        using (var segment = MappedSegment.Open(FileStorageDevice.Instance, segmentFile))
        {
            Assert.True(segment.HasKeywords);
            segment.GetKeywords(out payloadOffset);
        }
        var bytes = File.ReadAllBytes(segmentFile);
        bytes[payloadOffset + 100] ^= 0x10;
        File.WriteAllBytes(segmentFile, bytes);

        using var reopened = WerklyIndex.Open(temp.Path, Options());
        Assert.NotEmpty(reopened.Search(Company, Embed("flow").Span, 10)); // the vectors are intact
        var ex = Assert.Throws<IndexCorruptedException>(() => reopened.Search(Company, Keyword("flow")));
        Assert.Equal(segmentFile, ex.FilePath);
        Assert.Contains("KWIX", ex.Message);
    }

    [Fact]
    public void A_keyword_block_with_a_valid_checksum_but_inconsistent_content_is_corruption_at_its_offset()
    {
        using var temp = new TempDirectory("hybrid-kw-inconsistent");
        long lengthsOffset = 0;
        using (var index = WerklyIndex.Open(temp.Path, Options()))
        {
            index.KeywordBlockTransform = payload =>
            {
                Assert.True(KeywordSegment.TryParse(payload, out var layout));
                lengthsOffset = layout.TitleLengthsOffset;
                var title = payload.AsSpan((int)lengthsOffset);
                BinaryPrimitives.WriteInt32LittleEndian(title, BinaryPrimitives.ReadInt32LittleEndian(title) + 1); // row 0's title length
                return payload;
            };
            index.Apply(Company, [.. Cranfield.Dataset.Corpus.Take(50).Select(d => Record(d))], []);
            index.Commit();
        }
        var segmentFile = Assert.Single(Directory.GetFiles(temp.Path, "seg-*"));
        long payloadOffset;
        using (var segment = MappedSegment.Open(FileStorageDevice.Instance, segmentFile))
            segment.GetKeywords(out payloadOffset); // the block's checksum holds

        using var reopened = WerklyIndex.Open(temp.Path, Options());
        var ex = Assert.Throws<IndexCorruptedException>(() => reopened.Search(Company, Keyword("flow")));
        Assert.Equal(segmentFile, ex.FilePath);
        Assert.Equal(payloadOffset + lengthsOffset, ex.Offset);
        Assert.Contains("field length", ex.Message);
    }

    [Fact]
    public void Deleting_a_company_and_writing_it_again_starts_its_keyword_side_afresh()
    {
        var corpus = Cranfield.Dataset.Corpus;
        using var temp = new TempDirectory("hybrid-kw-delete-company");
        using (var index = WerklyIndex.Open(temp.Path, Options()))
        {
            WriteHistory(index, commit: true);
        }
        using var memory = new WerklyIndex(Options());
        memory.Apply(Company, [.. corpus.Skip(100).Take(200).Select(d => Record(d))], []);
        using (var index = WerklyIndex.Open(temp.Path, Options()))
        {
            Assert.NotEmpty(KeywordResults(index)[0]); // loaded
            Assert.True(index.DeleteCompany(Company));
            index.Apply(Company, [.. corpus.Skip(100).Take(200).Select(d => Record(d))], []);
            AssertSameResults(KeywordResults(memory), KeywordResults(index));
            index.Commit();
        }
        using (var index = WerklyIndex.Open(temp.Path, Options(), readOnly: true))
            AssertSameResults(KeywordResults(memory), KeywordResults(index));
    }

    [Fact]
    public async Task Searches_racing_the_first_load_a_writer_and_commits_see_consistent_results()
    {
        var corpus = Cranfield.Dataset.Corpus;
        using var temp = new TempDirectory("hybrid-kw-race");
        using (var index = WerklyIndex.Open(temp.Path, Options()))
        {
            WriteHistory(index, commit: true);
        }
        using (var index = WerklyIndex.Open(temp.Path, Options()))
        {
            var queries = Cranfield.Dataset.Queries.Take(40).Select(q => q.Text).ToArray();
            using var stop = new CancellationTokenSource();
            var readers = Enumerable.Range(0, 3).Select(r => Task.Run(() =>
            {
                var searches = 0;
                while (!stop.IsCancellationRequested || searches < 20)
                {
                    var hits = index.Search(Company, Keyword(queries[(r + searches++) % queries.Length], 20));
                    Assert.Equal(hits.Count, hits.Select(h => h.Key).Distinct().Count());
                }
                return searches;
            })).ToArray();
            for (var round = 0; round < 6; round++)
            {
                var upserts = corpus.Skip(round * 50).Take(50).Select(d => Record(d, d.Text + " hypersonic round " + round)).ToList();
                index.Apply(Company, upserts, [corpus[1300 + round].Id]);
                if (round % 2 == 1) index.Commit();
            }
            stop.Cancel();
            Assert.All(await Task.WhenAll(readers), n => Assert.True(n >= 20));
            index.Commit();

            using var memory = new WerklyIndex(Options());
            WriteHistory(memory, commit: false);
            for (var round = 0; round < 6; round++)
                memory.Apply(Company, [.. corpus.Skip(round * 50).Take(50).Select(d => Record(d, d.Text + " hypersonic round " + round))], [corpus[1300 + round].Id]);
            AssertSameResults(KeywordResults(memory), KeywordResults(index));
            using var reopened = WerklyIndex.Open(temp.Path, Options(), readOnly: true);
            AssertSameResults(KeywordResults(memory), KeywordResults(reopened));
        }
    }
}
