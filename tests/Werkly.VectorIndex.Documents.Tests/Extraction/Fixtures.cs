using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Werkly.VectorIndex.Documents.Tests.Extraction;

/// <summary>Builds .pdf and .docx inputs at run time, so no binary fixtures are committed.</summary>
internal static class Fixtures
{
    /// <summary>A PDF with one page per entry; each page holds its lines, top to bottom.</summary>
    public static byte[] Pdf(params string[][] pages)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var lines in pages)
        {
            var page = builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
            var y = 780.0;
            foreach (var line in lines)
            {
                if (line.Length > 0)
                    page.AddText(line, 12, new PdfPoint(50, y), font);
                y -= line.Length == 0 ? 30 : 16;
            }
        }
        return builder.Build();
    }

    /// <summary>A .docx from (style, text) pairs; style null means a normal paragraph, "TABLE" makes a 2x2 table from "a|b|c|d".</summary>
    public static byte[] Docx(params (string? Style, string Text)[] paragraphs)
    {
        using var stream = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            var body = new Body();
            foreach (var (style, text) in paragraphs)
            {
                if (style == "TABLE")
                {
                    var cells = text.Split('|');
                    var table = new Table();
                    for (var r = 0; r < 2; r++)
                    {
                        var row = new TableRow();
                        for (var c = 0; c < 2; c++)
                            row.Append(new TableCell(new Paragraph(new Run(new DocumentFormat.OpenXml.Wordprocessing.Text(cells[r * 2 + c])))));
                        table.Append(row);
                    }
                    body.Append(table);
                    continue;
                }
                var paragraph = new Paragraph();
                if (style is not null)
                    paragraph.Append(new ParagraphProperties(new ParagraphStyleId { Val = style }));
                var parts = text.Split('\t');
                var run = new Run();
                for (var i = 0; i < parts.Length; i++)
                {
                    if (i > 0)
                        run.Append(new TabChar());
                    run.Append(new DocumentFormat.OpenXml.Wordprocessing.Text(parts[i]) { Space = SpaceProcessingModeValues.Preserve });
                }
                paragraph.Append(run);
                body.Append(paragraph);
            }
            main.Document = new Document(body);
            main.Document.Save();
        }
        return stream.ToArray();
    }
}
