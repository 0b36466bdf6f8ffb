using System.Text;
using Werkly.VectorIndex.Documents.Exceptions;
using Werkly.VectorIndex.Documents.Extraction;

namespace Werkly.VectorIndex.Documents.Tests.Extraction;

public class DocumentTextExtractorTests
{
    private static readonly DocumentTextExtractor Extractor = DocumentTextExtractor.Default;

    private static string BlockText(ExtractedDocument d, TextBlock b) => d.Text[b.Start..b.End];

    private static void AssertWellFormed(ExtractedDocument d)
    {
        var previousEnd = 0;
        foreach (var b in d.Blocks)
        {
            Assert.True(b.Start >= previousEnd && b.End > b.Start && b.End <= d.Text.Length);
            Assert.False(char.IsWhiteSpace(d.Text[b.Start]));
            Assert.False(char.IsWhiteSpace(d.Text[b.End - 1]));
            previousEnd = b.End;
        }
        Assert.DoesNotContain('\r', d.Text);
    }

    [Fact]
    public async Task Markdown_finds_atx_and_setext_headings_and_ignores_hashes_in_code()
    {
        var d = await Extractor.ExtractAsync(SourceDocument.FromFile(Path.Combine(RepositoryPaths.Documents, "sample.md")));
        AssertWellFormed(d);
        var headings = d.Blocks.Where(b => b.Kind == TextBlockKind.Heading).Select(b => (b.HeadingLevel, b.HeadingText)).ToArray();
        Assert.Equal([(1, "Travel policy"), (2, "Booking"), (2, "Setext heading"), (3, "Hotels")], headings);
        var code = Assert.Single(d.Blocks, b => BlockText(d, b).StartsWith("```", StringComparison.Ordinal));
        Assert.Equal(TextBlockKind.Paragraph, code.Kind);
        Assert.Contains("# this is a comment", BlockText(d, code));
        Assert.EndsWith("```", BlockText(d, code));
        // Markdown text is kept as is, so ranges point straight into the file.
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Documents, "sample.md")).Replace("\r\n", "\n"), d.Text);
        Assert.Equal("Hotels up to 180 EUR per night are approved automatically.", BlockText(d, d.Blocks[^1]));
    }

    [Fact]
    public async Task Plain_text_splits_paragraphs_on_blank_lines_and_normalizes_line_endings()
    {
        var d = await Extractor.ExtractAsync(SourceDocument.FromText("notes.txt", "  First line\r\nsecond line\r\n\r\n\r\n# not a heading in txt\rlast\n"));
        AssertWellFormed(d);
        Assert.Equal(2, d.Blocks.Count);
        Assert.All(d.Blocks, b => Assert.Equal(TextBlockKind.Paragraph, b.Kind));
        Assert.Equal("First line\nsecond line", BlockText(d, d.Blocks[0]));
        Assert.Equal("# not a heading in txt\nlast", BlockText(d, d.Blocks[1]));
    }

    [Fact]
    public async Task Text_encodings_are_detected_and_binary_is_rejected()
    {
        var utf16 = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("Grüße aus Köln")).ToArray();
        Assert.Equal("Grüße aus Köln", (await Extractor.ExtractAsync(SourceDocument.FromBytes("a", "a.txt", utf16))).Text);
        var latin1 = Encoding.Latin1.GetBytes("Café crème");
        Assert.Equal("Café crème", (await Extractor.ExtractAsync(SourceDocument.FromBytes("b", "b.txt", latin1))).Text);
        var binary = new byte[] { 0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00 };
        var e = await Assert.ThrowsAsync<DocumentExtractionException>(() => Extractor.ExtractAsync(SourceDocument.FromBytes("c", "program.txt", binary)).AsTask());
        Assert.Contains("program.txt", e.Message);
        Assert.Contains("binary", e.Message);
    }

    [Fact]
    public async Task Html_strips_tags_drops_scripts_and_styles_and_decodes_entities()
    {
        var d = await Extractor.ExtractAsync(SourceDocument.FromFile(Path.Combine(RepositoryPaths.Documents, "sample.html")));
        AssertWellFormed(d);
        Assert.DoesNotContain("SHOULD_NOT_APPEAR", d.Text);
        Assert.DoesNotContain("ALSO_NOT_APPEARING", d.Text);
        Assert.DoesNotContain("font-family", d.Text);
        Assert.DoesNotContain("JavaScript is off", d.Text);
        Assert.DoesNotContain("Security handbook", d.Text); // <title> lives in <head>
        Assert.DoesNotContain("<", d.Text);
        Assert.DoesNotContain("&", d.Text.Replace("Security & privacy", "", StringComparison.Ordinal));
        var headings = d.Blocks.Where(b => b.Kind == TextBlockKind.Heading).Select(b => (b.HeadingLevel, b.HeadingText)).ToArray();
        Assert.Equal([(1, "Security & privacy"), (2, "Caf\u00e9 Wi\u2011Fi")], headings);
        Assert.Contains("Lock your screen when you leave your desk \u2014 even for a coffee. Passwords must be at least 14 characters.", d.Text);
        Assert.Contains("Use the VPN on public networks, such as the caf\u00e9 downstairs.", d.Text);
        Assert.Contains("Device | Owner", d.Text);
        Assert.Contains("Laptop | IT", d.Text);
        Assert.Contains("line one\n    indented line two", d.Text);
        Assert.Contains(d.Blocks, b => BlockText(d, b) == "First item");
        Assert.Contains(d.Blocks, b => BlockText(d, b) == "Second item");
    }

    [Fact]
    public async Task Html_title_becomes_the_top_heading_only_when_there_is_no_h1()
    {
        var noH1 = await Extractor.ExtractAsync(SourceDocument.FromText("a.html", "<html><head><title>Remote work</title></head><body><h2>Anchor days</h2><p>Tuesdays.</p></body></html>"));
        Assert.Equal([(1, "Remote work"), (2, "Anchor days")], noH1.Blocks.Where(b => b.Kind == TextBlockKind.Heading).Select(b => (b.HeadingLevel, b.HeadingText)));
        var withH1 = await Extractor.ExtractAsync(SourceDocument.FromText("b.html", "<html><head><title>Site | Page</title></head><body><h1>Page</h1><p>Text.</p></body></html>"));
        Assert.DoesNotContain("Site", withH1.Text);
    }

    [Fact]
    public async Task Pdf_text_is_extracted_page_by_page()
    {
        var pdf = Fixtures.Pdf(
            ["Expense reports are due monthly.", "Receipts above 25 EUR are required."],
            ["Second page about mileage allowance."]);
        var d = await Extractor.ExtractAsync(SourceDocument.FromBytes("policy", "policy.pdf", pdf));
        AssertWellFormed(d);
        Assert.Contains("Expense reports are due monthly.", d.Text);
        Assert.Contains("Receipts above 25 EUR are required.", d.Text);
        Assert.Contains("Second page about mileage allowance.", d.Text);
        Assert.True(d.Text.IndexOf("Expense", StringComparison.Ordinal) < d.Text.IndexOf("mileage", StringComparison.Ordinal));
        // Pages are separate blocks.
        Assert.True(d.Blocks.Count >= 2);
        Assert.All(d.Blocks, b => Assert.Equal(TextBlockKind.Paragraph, b.Kind));
    }

    [Fact]
    public async Task Docx_paragraphs_headings_tabs_and_tables_are_extracted()
    {
        var docx = Fixtures.Docx(
            ("Title", "Onboarding"),
            (null, "Welcome to the team."),
            ("Heading2", "First week"),
            (null, "Day 1:\tmeet your buddy."),
            ("TABLE", "Laptop|Monday|Badge|Tuesday"));
        var d = await Extractor.ExtractAsync(SourceDocument.FromBytes("onboarding", "onboarding.docx", docx));
        AssertWellFormed(d);
        var headings = d.Blocks.Where(b => b.Kind == TextBlockKind.Heading).Select(b => (b.HeadingLevel, b.HeadingText)).ToArray();
        Assert.Equal([(1, "Onboarding"), (2, "First week")], headings);
        Assert.Contains(d.Blocks, b => BlockText(d, b) == "Welcome to the team.");
        Assert.Contains(d.Blocks, b => BlockText(d, b) == "Day 1: meet your buddy.");
        foreach (var cell in new[] { "Laptop", "Monday", "Badge", "Tuesday" })
            Assert.Contains(d.Blocks, b => BlockText(d, b) == cell);
    }

    [Theory]
    [InlineData("report.pdf")]
    [InlineData("report.docx")]
    public async Task Corrupt_pdf_and_docx_throw_a_typed_exception_naming_the_file(string fileName)
    {
        var garbage = Encoding.ASCII.GetBytes("this is not a real " + fileName + " file at all, just some words");
        var e = await Assert.ThrowsAsync<DocumentExtractionException>(() => Extractor.ExtractAsync(SourceDocument.FromBytes("r", fileName, garbage)).AsTask());
        Assert.Equal(fileName, e.FileName);
        Assert.Contains(fileName, e.Message);
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public async Task Truncated_docx_throws_a_typed_exception()
    {
        var docx = Fixtures.Docx((null, "Some text that will be cut off."));
        var e = await Assert.ThrowsAsync<DocumentExtractionException>(() => Extractor.ExtractAsync(SourceDocument.FromBytes("t", "t.docx", docx.AsMemory(0, docx.Length / 2))).AsTask());
        Assert.Contains("t.docx", e.Message);
    }

    [Theory]
    [InlineData("budget.xlsx", ".xlsx")]
    [InlineData("Makefile", "no file extension")]
    public async Task Unsupported_formats_throw_naming_the_file_and_the_supported_list(string fileName, string expected)
    {
        var e = await Assert.ThrowsAsync<UnsupportedDocumentFormatException>(() => Extractor.ExtractAsync(SourceDocument.FromBytes("x", fileName, new byte[] { 1, 2, 3 })).AsTask());
        Assert.Contains(fileName, e.Message);
        Assert.Contains(expected, e.Message);
        foreach (var ext in new[] { ".md", ".txt", ".html", ".pdf", ".docx" })
        {
            Assert.Contains(ext, e.SupportedExtensions);
            Assert.Contains(ext, e.Message);
        }
    }

    [Fact]
    public async Task Documents_over_the_size_limit_are_rejected_before_they_are_parsed()
    {
        var extractor = DocumentTextExtractor.CreateDefault(maxDocumentSizeBytes: 10);
        Assert.Equal("0123456789", (await extractor.ExtractAsync(SourceDocument.FromText("ok.txt", "0123456789"))).Text);
        var seekable = await Assert.ThrowsAsync<DocumentExtractionException>(() => extractor.ExtractAsync(SourceDocument.FromText("big.txt", "0123456789A")).AsTask());
        Assert.Contains("big.txt", seekable.Message);
        Assert.Contains("limit of 10 bytes", seekable.Message);
        var streamed = SourceDocument.FromStream("s.md", "s.md", _ => ValueTask.FromResult<Stream>(new NonSeekableStream(new byte[100])));
        var e = await Assert.ThrowsAsync<DocumentExtractionException>(() => extractor.ExtractAsync(streamed).AsTask());
        Assert.Contains("limit of 10 bytes", e.Message);
    }

    private sealed class NonSeekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }

    [Fact]
    public async Task Missing_file_throws_a_typed_exception_naming_it()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "gone.md");
        var e = await Assert.ThrowsAsync<DocumentExtractionException>(() => Extractor.ExtractAsync(SourceDocument.FromFile(path)).AsTask());
        Assert.Contains(path, e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void Document_ids_are_checked()
    {
        Assert.Throws<ArgumentException>(() => SourceDocument.FromText("", "x"));
        Assert.Throws<ArgumentException>(() => SourceDocument.FromText("a\nb", "x"));
        Assert.Throws<ArgumentException>(() => SourceDocument.FromText(new string('a', SourceDocument.MaxIdLength + 1), "x"));
        Assert.Equal(SourceDocument.MaxIdLength, SourceDocument.FromText(new string('a', SourceDocument.MaxIdLength), "x").Id.Length);
    }

    [Fact]
    public void FromDirectory_uses_relative_ids_in_order_and_skips_hidden_and_unsupported_files()
    {
        using var temp = new TempFolder();
        temp.Write("b.md", "b");
        temp.Write("a/z.txt", "z");
        temp.Write("a/y.html", "<p>y</p>");
        temp.Write("image.png", "png");
        temp.Write(".hidden.md", "h");
        temp.Write(".git/config.txt", "g");
        var ids = SourceDocument.FromDirectory(temp.Path).Select(d => d.Id).ToArray();
        Assert.Equal(["a/y.html", "a/z.txt", "b.md"], ids);
        Assert.Contains("image.png", SourceDocument.FromDirectory(temp.Path, supportedOnly: false).Select(d => d.Id));
        Assert.Throws<DirectoryNotFoundException>(() => SourceDocument.FromDirectory(Path.Combine(temp.Path, "nope")));
    }
}
