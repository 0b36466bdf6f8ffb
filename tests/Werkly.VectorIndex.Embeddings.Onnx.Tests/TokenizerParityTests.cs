using System.IO.Compression;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Embeddings.Onnx.Tests;

[Collection(DefaultModelGroup.Name)]
public sealed class TokenizerParityTests(DefaultModelFixture fixture, ITestOutputHelper output)
{
    private readonly BertWordPieceTokenizer _tokenizer = BertWordPieceTokenizer.Load(fixture.Generator.Model.VocabularyPath, lowerCase: true);

    [Fact]
    public void Matches_the_reference_tokenizer_on_at_least_99_9_percent_of_the_parity_set()
    {
        var cases = LoadParitySet();
        Assert.True(cases.Count > 1000, $"parity set has only {cases.Count} texts");
        var mismatches = new List<string>();
        foreach (var (text, expected) in cases)
        {
            var actual = _tokenizer.Encode(text, maxTokens: 1_000_000);
            if (!actual.AsSpan().SequenceEqual(expected))
                mismatches.Add(text.Length > 80 ? text[..80] : text);
        }

        var exact = (cases.Count - mismatches.Count) / (double)cases.Count;
        output.WriteLine($"{cases.Count - mismatches.Count} of {cases.Count} texts exact ({exact:P2}); differing: {string.Join(" | ", mismatches)}");
        Assert.True(exact >= 0.999, $"{mismatches.Count} of {cases.Count} texts differ ({exact:P3} exact); first: {string.Join(" | ", mismatches.Take(5))}");
    }

    [Theory]
    [InlineData("hello world", new[] { 101, 7592, 2088, 102 })]
    [InlineData("line one\nline two", new[] { 101, 2240, 2028, 2240, 2048, 102 })]
    [InlineData("", new[] { 101, 102 })]
    [InlineData(" \t\r\n ", new[] { 101, 102 })]
    public void Encodes_known_texts(string text, int[] expected) =>
        Assert.Equal(expected, _tokenizer.Encode(text, 256));

    [Theory]
    [InlineData("a + b = c", "+")]
    [InlineData("x < y > z | w ^ v ~ u $ 5", "$")]
    [InlineData("café", "cafe")]
    public void Keeps_symbols_and_strips_accents(string text, string expectedToken)
    {
        var ids = _tokenizer.Encode(text, 256);
        var expectedIds = _tokenizer.Encode(expectedToken, 256)[1..^1];
        Assert.True(ContainsSequence(ids, expectedIds), $"'{text}' → [{string.Join(", ", ids)}] lacks [{string.Join(", ", expectedIds)}]");
        Assert.DoesNotContain(100, ids); // [UNK]
    }

    [Fact]
    public void Truncates_to_max_tokens_keeping_cls_and_sep()
    {
        var text = string.Join(' ', Enumerable.Repeat("aerodynamics", 400));
        var ids = _tokenizer.Encode(text, 16);
        Assert.Equal(16, ids.Length);
        Assert.Equal(101, ids[0]);
        Assert.Equal(102, ids[^1]);
        var full = _tokenizer.Encode(text, 1_000_000);
        Assert.Equal(full[1..15], ids[1..15]); // the reference cuts inside a word, so do we
    }

    [Fact]
    public void Very_long_texts_are_cut_before_tokenizing_without_changing_the_result()
    {
        var words = Enumerable.Range(0, 60_000).Select(i => i % 7 == 0 ? "boundary-layer" : "flow");
        var text = string.Join(' ', words);
        var limited = _tokenizer.Encode(text, 512);
        Assert.Equal(512, limited.Length);
        Assert.Equal(_tokenizer.Encode(text[..20_000], 512), limited);
    }

    [Theory]
    [InlineData(' ', "26,000 spaces")]
    [InlineData('\u200B', "26,000 zero-width spaces (dropped)")]
    public void Long_runs_that_yield_few_tokens_do_not_cut_off_the_text_after_them(char filler, string what)
    {
        var text = new string(filler, 26_000) + " hello world";
        var ids = _tokenizer.Encode(text, 256);
        Assert.True(ContainsSequence(ids, [7592, 2088, 102]), $"{what}: [{string.Join(", ", ids)}] lost 'hello world'");
        Assert.Equal(Uncut(_tokenizer, text, 256), ids);
    }

    [Fact]
    public void A_30000_character_word_is_one_unknown_token_and_the_text_after_it_is_kept()
    {
        var text = new string('a', 30_000) + " hello world";
        var ids = _tokenizer.Encode(text, 256);
        Assert.Equal([101, 100, 7592, 2088, 102], ids);
        Assert.Equal(Uncut(_tokenizer, text, 256), ids);
    }

    [Fact]
    public void Long_texts_are_cut_after_max_tokens_pieces()
    {
        var words = string.Join(' ', Enumerable.Range(0, 60_000).Select(i => i % 7 == 0 ? "boundary-layer" : "flow"));
        var cut = BertWordPieceTokenizer.LimitLength(words, 512, stripAccents: true);
        Assert.InRange(cut.Length, 512, 5_000); // about 2,300 characters hold 512 pieces
        Assert.Same(words, BertWordPieceTokenizer.LimitLength(words, 1_000_000, stripAccents: true));
    }

    [Fact]
    public void Property_cutting_before_tokenizing_never_changes_the_first_tokens()
    {
        // Pieces that tokenize to fewer tokens than they seem (special tokens, dropped and joining characters, whitespace
        // the cleaning drops) mixed with ordinary ones, for the uncased tokenizer and a cased one on the same vocabulary.
        string[] parts =
        [
            " ", "  ", "\n", "\u000B", "\u0085", "\u00A0", "\u200B", "\u0000", "\uFFFD", "\uD800", "\uD83D\uDE00", "a", "flow",
            "boundary-layer", ",", "[", "]", "[CLS]", "[cls]", "[MASK]", "[un\u200Bk]", "\u0301", "\u0338", "<", "=", "e\u0301",
            "\u00E9", "\u1100", "\u1161", "\u4E2D", "\u037E", "\u1FEF", "\u0130", new string('x', 120),
        ];
        var cased = BertWordPieceTokenizer.Load(fixture.Generator.Model.VocabularyPath, lowerCase: false);
        Prop.ForAll(
            Gen.Choose(3, 12).SelectMany(max => Gen.ListOf(Gen.Elements(parts)).Select(list => (max, string.Concat(list)))).ToArbitrary(),
            input =>
            {
                var (max, text) = input;
                return _tokenizer.Encode(text, max).AsSpan().SequenceEqual(Uncut(_tokenizer, text, max))
                    && cased.Encode(text, max).AsSpan().SequenceEqual(Uncut(cased, text, max));
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Cutting_before_tokenizing_never_changes_the_first_tokens_of_the_parity_set()
    {
        foreach (var (text, _) in LoadParitySet())
        {
            foreach (var max in new[] { 3, 8, 16, 64 })
                Assert.Equal(Uncut(_tokenizer, text, max), _tokenizer.Encode(text, max));
        }
    }

    /// <summary>The tokens of the whole text, truncated to <paramref name="maxTokens"/> with <c>[SEP]</c> kept last.</summary>
    private static int[] Uncut(BertWordPieceTokenizer tokenizer, string text, int maxTokens)
    {
        Assert.Same(text, BertWordPieceTokenizer.LimitLength(text, 1_000_000, stripAccents: false)); // nothing is cut at a million
        var full = tokenizer.Encode(text, 1_000_000);
        return full.Length <= maxTokens ? full : [.. full[..(maxTokens - 1)], full[^1]];
    }

    private static bool ContainsSequence(int[] haystack, int[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
                return true;
        }

        return false;
    }

    internal static List<(string Text, int[] Ids)> LoadParitySet()
    {
        using var file = File.OpenRead(TestData.PathOf("tokenizer-parity", "all-MiniLM-L6-v2.jsonl.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var cases = new List<(string, int[])>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            using var document = JsonDocument.Parse(line);
            var text = document.RootElement.GetProperty("text").GetString()!;
            var ids = document.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            cases.Add((text, ids));
        }

        return cases;
    }
}
