using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Werkly.VectorIndex.Documents.Extraction;

namespace Werkly.VectorIndex.Documents.Tests.Extraction;

public class TextStructureProperties
{
    private static readonly string[] Pieces =
        ["# Title", "## Sub ##", "word", "two words", "", "", "   ", "```", "~~~", "----", "====", "  indented", "#nospace", "- item", "\t", "####### seven"];

    public static Arbitrary<string> MarkdownLike() =>
        Gen.Elements(Pieces).ListOf().Select(lines => string.Join("\n", lines)).ToArbitrary();

    [Property(Arbitrary = [typeof(TextStructureProperties)], MaxTest = 300)]
    public bool Markdown_blocks_are_ordered_trimmed_and_cover_every_non_blank_line(string text)
    {
        var blocks = TextStructure.ParseMarkdown(text);
        _ = new ExtractedDocument(text, blocks); // validates order and bounds
        foreach (var b in blocks)
        {
            if (char.IsWhiteSpace(text[b.Start]) || char.IsWhiteSpace(text[b.End - 1]))
                return false;
            if (b.Kind == TextBlockKind.Heading && text[b.Start] != '#' && !text[b.Start..b.End].Contains('\n'))
                return false; // a one-line heading is ATX and starts with '#'
        }
        // Every non-whitespace character belongs to some block.
        var covered = new bool[text.Length];
        foreach (var b in blocks)
            Array.Fill(covered, true, b.Start, b.Length);
        return !text.Where((c, i) => !char.IsWhiteSpace(c) && !covered[i]).Any();
    }
}
