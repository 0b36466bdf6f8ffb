using System.Text;
using Werkly.VectorIndex.Documents.Exceptions;
using Werkly.VectorIndex.Documents.Extraction;

namespace Werkly.VectorIndex.Documents.Tests.Extraction;

/// <summary>Issue 15, defects 2 and 3: how the bytes of a text file become text, and which bytes are refused as binary.</summary>
public class TextDecodingTests
{
    private static readonly DocumentTextExtractor Extractor = DocumentTextExtractor.Default;

    private static Task<ExtractedDocument> Extract(string fileName, byte[] bytes) =>
        Extractor.ExtractAsync(SourceDocument.FromBytes(fileName, fileName, bytes)).AsTask();

    /// <summary>The reproduction: <c>printf 'Le café est naïve. 日本語. stray \xff end.\n'</c>. One stray byte turned
    /// the whole file into Latin-1 mojibake ("Le cafÃ© est naÃ¯ve"), silently.</summary>
    [Theory]
    [InlineData("mixed.txt")]
    [InlineData("mixed.md")]
    [InlineData("mixed.html")]
    public async Task Utf8_with_a_stray_byte_stays_utf8_with_a_replacement_character_and_a_warning(string fileName)
    {
        var bytes = Encoding.UTF8.GetBytes("Le café est naïve. 日本語. stray ").Concat(new byte[] { 0xFF }).Concat(" end.\n"u8.ToArray()).ToArray();
        var d = await Extract(fileName, bytes);
        Assert.Contains("Le café est naïve. 日本語. stray \uFFFD end.", d.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Ã", d.Text, StringComparison.Ordinal);
        var warning = Assert.Single(d.Warnings);
        Assert.Contains("UTF-8", warning, StringComparison.Ordinal);
        Assert.Contains("1 invalid byte sequence", warning, StringComparison.Ordinal);
        Assert.Contains("byte 38", warning, StringComparison.Ordinal); // where the stray byte is
    }

    [Fact]
    public async Task Valid_utf8_and_ascii_read_without_warnings()
    {
        Assert.Empty((await Extract("a.txt", Encoding.UTF8.GetBytes("Grüße, 日本語, emoji 🙂, and a literal \uFFFD."))).Warnings);
        Assert.Empty((await Extract("b.md", "# Plain ASCII\n\nNothing to see."u8.ToArray())).Warnings);
    }

    [Fact]
    public async Task Legacy_single_byte_text_is_read_as_windows_1252_with_a_warning()
    {
        // 0x93/0x94 are Windows-1252's curly quotes; 0xE9 is é in both Latin-1 and Windows-1252. No valid multi-byte
        // UTF-8 sequence occurs, so the detector settles on the legacy code page.
        byte[] bytes = [.. Encoding.Latin1.GetBytes("Café crème, "), 0x93, .. "quoted"u8.ToArray(), 0x94, (byte)'.'];
        var d = await Extract("legacy.txt", bytes);
        Assert.Equal("Café crème, \u201Cquoted\u201D.", d.Text);
        Assert.Contains("Windows-1252", Assert.Single(d.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_byte_order_mark_decides_and_bad_sequences_after_it_are_replaced_with_a_warning()
    {
        var utf16 = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("Grüße aus Köln")).ToArray();
        var d = await Extract("a.txt", utf16);
        Assert.Equal("Grüße aus Köln", d.Text);
        Assert.Empty(d.Warnings);

        byte[] badUtf8 = [0xEF, 0xBB, 0xBF, .. "ok "u8.ToArray(), 0xC3, (byte)'x'];
        var bad = await Extract("b.txt", badUtf8);
        Assert.Equal("ok \uFFFDx", bad.Text);
        Assert.Contains("byte-order mark", Assert.Single(bad.Warnings), StringComparison.Ordinal);
    }

    /// <summary>The PNG renamed image.html became 20+ chunks of '�PNG IHDR…'. Every text format now sniffs.</summary>
    [Theory]
    [InlineData("image.html")]
    [InlineData("image.htm")]
    [InlineData("image.md")]
    [InlineData("image.txt")]
    public async Task A_png_under_a_text_extension_is_rejected_naming_the_format(string fileName)
    {
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, (byte)'I', (byte)'H', (byte)'D', (byte)'R', .. new byte[200]];
        var e = await Assert.ThrowsAsync<DocumentExtractionException>(() => Extract(fileName, png));
        Assert.Contains(fileName, e.Message, StringComparison.Ordinal);
        Assert.Contains("PNG image", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'P', (byte)'K', 3, 4, 20, 0, 6, 0 }, "ZIP archive")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, (byte)'J', (byte)'F' }, "JPEG image")]
    [InlineData(new byte[] { 0x1F, 0x8B, 8, 0, 0, 0, 0, 0 }, "gzip archive")]
    [InlineData(new byte[] { (byte)'%', (byte)'P', (byte)'D', (byte)'F', (byte)'-', (byte)'1', (byte)'.', (byte)'7' }, "PDF document")]
    public async Task Known_binary_signatures_are_rejected_in_html_too(byte[] signature, string name)
    {
        byte[] bytes = [.. signature, .. Encoding.ASCII.GetBytes(new string('a', 100))];
        var e = await Assert.ThrowsAsync<DocumentExtractionException>(() => Extract("page.html", bytes));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Control_characters_without_a_nul_byte_are_rejected_as_binary()
    {
        var random = new Random(7);
        var bytes = new byte[4096];
        random.NextBytes(bytes);
        for (var i = 0; i < bytes.Length; i++)
            bytes[i] = bytes[i] == 0 ? (byte)1 : bytes[i]; // no NUL: only the control-character ratio can catch it
        var e = await Assert.ThrowsAsync<DocumentExtractionException>(() => Extract("noise.md", bytes));
        Assert.Contains("control characters", e.Message, StringComparison.Ordinal);

        // Text with a few form feeds, escapes (ANSI colours) and tabs is still text.
        var text = "Page one\f\u001b[1mbold\u001b[0m\tcolumn\n" + string.Concat(Enumerable.Repeat("Some ordinary prose. ", 50));
        Assert.Contains("ordinary prose", (await Extract("report.txt", Encoding.UTF8.GetBytes(text))).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Html_with_a_declared_charset_is_decoded_as_declared()
    {
        var html = "<html><head><meta charset=\"windows-1252\"></head><body><p>Caf\u00e9 \u201Cquoted\u201D</p></body></html>";
        var d = await Extract("declared.html", Windows1252(html));
        Assert.Contains("Café “quoted”", d.Text, StringComparison.Ordinal);
        Assert.Empty(d.Warnings);
    }

    private static byte[] Windows1252(string text) =>
        CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes(text);
}
