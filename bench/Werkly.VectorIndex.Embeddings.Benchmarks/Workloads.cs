using Werkly.VectorIndex.Embeddings.Onnx;
using Werkly.VectorIndex.Evaluation;

namespace Werkly.VectorIndex.Embeddings.Benchmarks;

/// <summary>The benchmark texts: real Cranfield titles (short) and abstracts (paragraphs), chosen by word and token count.</summary>
internal static class Workloads
{
    /// <summary>Texts per batched call for short texts.</summary>
    internal const int ShortCount = 256;

    /// <summary>Texts per batched call for paragraphs.</summary>
    internal const int ParagraphCount = 64;

    private static readonly Lazy<(string[] Short, string[] Paragraphs)> Texts = new(Load);

    internal static string[] Short => Texts.Value.Short;

    internal static string[] Paragraphs => Texts.Value.Paragraphs;

    internal static string[] For(TextKind kind) => kind == TextKind.ShortText ? Short : Paragraphs;

    /// <summary>Model tokens ([CLS] and [SEP] included) of <paramref name="texts"/> under all-MiniLM-L6-v2's tokenizer, truncated at 256.</summary>
    internal static long TokenCount(OnnxEmbeddingModel model, IEnumerable<string> texts)
    {
        var tokenizer = BertWordPieceTokenizer.Load(model.VocabularyPath, model.LowerCase);
        return texts.Sum(t => (long)tokenizer.Encode(t, model.MaxTokens).Length);
    }

    private static (string[] Short, string[] Paragraphs) Load()
    {
        var dataset = BeirDataset.Load(Path.Combine(RepoRoot(), "tests", "data", "cranfield"));
        var model = OnnxEmbeddingModel.AllMiniLmL6V2();
        var tokenizer = BertWordPieceTokenizer.Load(model.VocabularyPath, model.LowerCase);

        // About 12 words: 256 distinct Cranfield titles of 10 to 14 words. Distinct, because the generator embeds a text
        // repeated within one call only once, which would flatter the batched run.
        var shortTexts = dataset.Corpus.Select(d => d.Title.Trim())
            .Where(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length is >= 10 and <= 14)
            .Distinct(StringComparer.Ordinal).Take(ShortCount).ToArray();
        if (shortTexts.Length < ShortCount)
            throw new InvalidOperationException($"only {shortTexts.Length} distinct Cranfield titles of 10-14 words");

        // About 180 tokens: abstracts of 160 to 200 tokens.
        var paragraphs = dataset.Corpus.Select(d => d.Text)
            .Where(t => tokenizer.Encode(t, 512).Length is >= 160 and <= 200).Take(ParagraphCount).ToArray();
        if (paragraphs.Length < ParagraphCount)
            throw new InvalidOperationException($"only {paragraphs.Length} Cranfield abstracts of 160-200 tokens");
        return (shortTexts, paragraphs);
    }

    internal static string RepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Werkly.VectorIndex.sln")))
                return directory.FullName;
        }

        throw new InvalidOperationException("Werkly.VectorIndex.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Which workload a benchmark runs.</summary>
public enum TextKind
{
    /// <summary>About 12 words (distinct Cranfield titles).</summary>
    ShortText,

    /// <summary>About 180 tokens (Cranfield abstracts).</summary>
    Paragraph,
}
