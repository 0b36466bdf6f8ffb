using System.Buffers.Binary;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Tests.Text;

/// <summary>The KWIX payload: encode, append into an index, and refuse damaged payloads without changing anything.</summary>
public class KeywordSegmentTests
{
    private static readonly KeywordOptions Options = new();

    private static (string? Title, string? Body)? Row(int row) =>
        row % 7 == 3 ? null : ((string? Title, string? Body)?)(row % 5 == 0 ? null : $"Title {row} wing", Cranfield.Dataset.Corpus[row].Text);

    private static string?[] Keys(int rows, Func<int, bool> live) =>
        [.. Enumerable.Range(0, rows).Select(r => live(r) ? $"doc-{r}" : null)];

    [Fact]
    public void Appended_segments_search_exactly_like_an_index_built_from_the_live_documents()
    {
        const int rows = 300;
        var first = KeywordSegment.Encode(Options, rows, Row, CancellationToken.None);
        var second = KeywordSegment.Encode(Options, rows, r => Row((r + 300) % 1400), CancellationToken.None);
        Func<int, bool> liveFirst = r => r % 11 != 0;
        Func<int, bool> liveSecond = r => r % 13 != 1;

        using var loaded = new InvertedIndex(Options);
        var firstDocs = loaded.AppendSegment(first, Keys(rows, liveFirst));
        var secondKeys = Keys(rows, liveSecond).Select(k => k is null ? null : "b" + k).ToArray();
        var secondDocs = loaded.AppendSegment(second, secondKeys);

        using var reference = new InvertedIndex(Options);
        for (var r = 0; r < rows; r++)
        {
            if (liveFirst(r) && Row(r) is { } text) reference.Upsert($"doc-{r}", text.Title, text.Body);
        }
        for (var r = 0; r < rows; r++)
        {
            if (liveSecond(r) && Row((r + 300) % 1400) is { } text) reference.Upsert($"bdoc-{r}", text.Title, text.Body);
        }
        Assert.Equal(reference.Count, loaded.Count);
        Assert.Equal(reference.Count, firstDocs + secondDocs);
        foreach (var query in Cranfield.Dataset.Queries.Take(60).Select(q => q.Text).Append("wing title"))
        {
            var expected = reference.Search(query, 50);
            var actual = loaded.Search(query, 50);
            Assert.Equal(expected.Select(h => h.Key), actual.Select(h => h.Key));
            Assert.Equal(expected.Select(h => h.Score), actual.Select(h => h.Score));
            Assert.Equal(actual, loaded.SearchExhaustive(query, 50)); // block maxima were rebuilt correctly
        }

        // Loaded documents behave like any other: deletes and replacements correct the statistics (through the forward
        // index the first write rebuilds from the postings), and a compaction keeps the results.
        var random = new Random(7);
        var loadedKeys = Enumerable.Range(0, rows).SelectMany(r => new[] { $"doc-{r}", $"bdoc-{r}" }).Where(loaded.Contains).ToList();
        // A new document first: it is added while the forward index is still stale, and must be in the rebuilt one.
        loaded.Upsert("fresh", "fresh wing", "a new wing flutter report");
        reference.Upsert("fresh", "fresh wing", "a new wing flutter report");
        loadedKeys.Add("fresh");
        for (var round = 0; round < 3; round++)
        {
            foreach (var key in loadedKeys.Where((_, i) => i % 3 == round))
            {
                if (random.Next(4) == 0)
                {
                    loaded.Upsert(key, "new", "supersonic wing flutter " + key);
                    reference.Upsert(key, "new", "supersonic wing flutter " + key);
                }
                else
                {
                    Assert.True(loaded.Delete(key));
                    Assert.True(reference.Delete(key));
                }
            }
            Assert.Equal(reference.Count, loaded.Count);
            foreach (var query in Cranfield.Dataset.Queries.Take(40).Select(q => q.Text).Append("wing flutter"))
            {
                var expected = reference.Search(query, 30);
                var actual = loaded.Search(query, 30);
                Assert.Equal(expected.Select(h => h.Key), actual.Select(h => h.Key));
                Assert.Equal(expected.Select(h => h.Score), actual.Select(h => h.Score));
            }
        }
        loaded.Compact();
        foreach (var query in Cranfield.Dataset.Queries.Take(40).Select(q => q.Text).Append("wing flutter"))
            Assert.Equal(reference.Search(query, 30), loaded.Search(query, 30));
    }

    [Fact]
    public void A_key_on_several_rows_of_one_segment_keeps_its_last_row_like_repeated_upserts()
    {
        const int rows = 60;
        var keys = Enumerable.Range(0, rows).Select(r => (string?)$"doc-{r % 25}").ToArray();
        using var loaded = new InvertedIndex(Options);
        loaded.AppendSegment(KeywordSegment.Encode(Options, rows, Row, CancellationToken.None), keys);
        using var reference = new InvertedIndex(Options);
        for (var r = 0; r < rows; r++)
        {
            if (Row(r) is { } text) reference.Upsert(keys[r]!, text.Title, text.Body);
            else reference.Delete(keys[r]!);
        }
        Assert.Equal(reference.Count, loaded.Count);
        foreach (var query in Cranfield.Dataset.Queries.Take(40).Select(q => q.Text).Append("wing title"))
            Assert.Equal(reference.Search(query, 30), loaded.Search(query, 30));
        Assert.True(loaded.Delete("doc-24"));
        Assert.False(loaded.Contains("doc-24"));
        Assert.DoesNotContain(loaded.Search("wing title", 100), h => h.Key == "doc-24");
    }

    [Fact]
    public void A_newer_layout_or_other_analysis_is_declined_without_changing_anything()
    {
        const int rows = 20;
        var payload = KeywordSegment.Encode(Options, rows, Row, CancellationToken.None);
        var keys = Keys(rows, _ => true);
        using var index = new InvertedIndex(Options);
        var unstemmed = KeywordSegment.Fingerprint(TextAnalyzerOptions.English with { Stemming = TextStemming.None });
        Assert.Equal(-1, index.AppendSegment(payload, keys, unstemmed));
        var newer = (byte[])payload.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(newer, KeywordSegment.LayoutVersion + 1);
        Assert.Equal(-1, index.AppendSegment(newer, keys, KeywordSegment.Fingerprint(Options.Analysis)));
        Assert.Equal((0, 0), (index.Count, index.TermCount));
        BinaryPrimitives.WriteUInt32LittleEndian(newer, 0);
        Assert.Throws<KeywordSegmentException>(() => index.AppendSegment(newer, keys));
        Assert.True(index.AppendSegment(payload, keys, KeywordSegment.Fingerprint(Options.Analysis)) > 0);
    }

    [Fact]
    public void Appending_keys_that_are_already_present_replaces_their_documents_like_an_upsert()
    {
        // Rows of the second append without keyword text remove the key's earlier document, as an upsert without text does.
        const int rows = 120;
        using var once = new InvertedIndex(Options);
        once.AppendSegment(KeywordSegment.Encode(Options, rows, Row, CancellationToken.None), Keys(rows, _ => true));
        using var twice = new InvertedIndex(Options);
        twice.AppendSegment(KeywordSegment.Encode(Options, rows, r => Row(r + 500), CancellationToken.None), Keys(rows, _ => true));
        twice.AppendSegment(KeywordSegment.Encode(Options, rows, Row, CancellationToken.None), Keys(rows, _ => true));
        Assert.Equal(once.Count, twice.Count);
        foreach (var query in Cranfield.Dataset.Queries.Take(30).Select(q => q.Text))
        {
            var expected = once.Search(query, 20);
            var actual = twice.Search(query, 20);
            Assert.Equal(expected.Select(h => h.Key), actual.Select(h => h.Key));
            Assert.Equal(expected.Select(h => h.Score), actual.Select(h => h.Score));
        }
    }

    [Fact]
    public void The_fingerprint_names_every_analysis_option()
    {
        var english = KeywordSegment.Fingerprint(TextAnalyzerOptions.English);
        Assert.True(KeywordSegment.TryParse(KeywordSegment.Encode(Options, 3, Row, CancellationToken.None), out var layout));
        Assert.Equal(english, layout.Fingerprint(KeywordSegment.Encode(Options, 3, Row, CancellationToken.None)));
        // How NFKC is done is part of it: postings from the runtime's tables and from the built-in fold differ.
        Assert.Contains(TextAnalyzer.RuntimeNormalizes ? "norm=Nfkc/icu;" : "norm=Nfkc/fold;", english);
        Assert.Contains("norm=None;", KeywordSegment.Fingerprint(TextAnalyzerOptions.English with { Normalization = TextNormalization.None }));
        Assert.NotEqual(english, KeywordSegment.Fingerprint(TextAnalyzerOptions.English with { Stemming = TextStemming.None }));
        Assert.NotEqual(english, KeywordSegment.Fingerprint(TextAnalyzerOptions.English with { StopWords = null }));
        Assert.NotEqual(english, KeywordSegment.Fingerprint(TextAnalyzerOptions.English with { StopWords = new HashSet<string> { "a" } }));
        Assert.NotEqual(english, KeywordSegment.Fingerprint(TextAnalyzerOptions.English with { MaxTokenLength = 100 }));
        Assert.NotEqual(english, KeywordSegment.Fingerprint(TextAnalyzerOptions.English with { LowerCase = false }));
        Assert.Equal(english, KeywordSegment.Fingerprint(TextAnalyzerOptions.English with { StopWords = new HashSet<string>(EnglishStopWords.Lucene) }));
    }

    [Fact]
    public void A_damaged_payload_throws_KeywordSegmentException_and_changes_nothing()
    {
        const int rows = 40;
        var payload = KeywordSegment.Encode(Options, rows, Row, CancellationToken.None);
        var keys = Keys(rows, _ => true);
        var random = new Random(20261129);
        int refused = 0, accepted = 0;
        for (var trial = 0; trial < 2000; trial++)
        {
            var damaged = (byte[])payload.Clone();
            switch (trial % 3)
            {
                case 0: damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8)); break;
                case 1: damaged = damaged[..random.Next(damaged.Length)]; break;
                default: BinaryPrimitives.WriteInt32LittleEndian(damaged.AsSpan(random.Next(damaged.Length / 4) * 4), random.Next(-2, 3000)); break;
            }
            using var index = new InvertedIndex(Options);
            try
            {
                index.AppendSegment(damaged, keys);
                accepted++; // a change that is still consistent (a term's letter, an unused byte): the load is well-formed
                Assert.InRange(index.Count, 0, rows);
            }
            catch (KeywordSegmentException ex)
            {
                refused++;
                Assert.Contains("keyword index byte", ex.Message);
                Assert.Equal(0, index.Count);
                Assert.Equal(0, index.TermCount);
            }
            catch (Exceptions.InvalidIdentifierException)
            {
                Assert.Fail("keys come from the caller and are valid");
            }
        }
        Assert.True(refused > 1000, $"{refused} refused, {accepted} accepted");
        Assert.Throws<KeywordSegmentException>(() => new InvertedIndex(Options).AppendSegment(payload, Keys(rows - 1, _ => true)));
    }
}
