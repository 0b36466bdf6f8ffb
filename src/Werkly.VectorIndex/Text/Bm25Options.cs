namespace Werkly.VectorIndex.Text;

/// <summary>BM25 scoring parameters and field weights.</summary>
/// <remarks>
/// <para>A document's score is the per-field sum Σ<sub>field</sub> w<sub>field</sub> · Σ<sub>term</sub> qtf · idf ·
/// tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen)), with idf = ln(1 + (N − df + 0.5)/(df + 0.5)) computed per field
/// over the live documents. This is what Lucene computes for a query of SHOULD term clauses over two fields.</para>
/// <para>The index stores raw term frequencies and exact field lengths, so every parameter here can change per query
/// without re-indexing.</para>
/// <para>Defaults, chosen by a grid search on Cranfield (see docs/benchmarks/text.md): k1 = 1.2 and b = 0.75 sit on the
/// plateau of the grid (the best cell is within 0.005 nDCG@10 of them) and are the literature's standard, so they
/// are kept rather than a Cranfield-specific optimum; the title weight of 1 likewise.</para>
/// <para>Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed record Bm25Options
{
    /// <summary>The default parameters: k1 = 1.2, b = 0.75, title and body weight 1.</summary>
    public static Bm25Options Default { get; } = new();

    /// <summary>Term-frequency saturation k1 (0 disables tf). Default 1.2; allowed 0 to 10.</summary>
    public double K1 { get; init; } = 1.2;

    /// <summary>Length normalization b (0 none, 1 full). Default 0.75; allowed 0 to 1.</summary>
    public double B { get; init; } = 0.75;

    /// <summary>Weight of the title field; 0 ignores titles. Default 1; allowed 0 to 100.</summary>
    public double TitleWeight { get; init; } = 1.0;

    /// <summary>Weight of the body field; 0 ignores bodies. Default 1; allowed 0 to 100.</summary>
    public double BodyWeight { get; init; } = 1.0;

    /// <summary>Checks the ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is NaN or out of range.</exception>
    public void Validate()
    {
        Check(K1, 0, 10, nameof(K1));
        Check(B, 0, 1, nameof(B));
        Check(TitleWeight, 0, 100, nameof(TitleWeight));
        Check(BodyWeight, 0, 100, nameof(BodyWeight));
    }

    internal double FieldWeight(int field) => field == InvertedIndex.TitleField ? TitleWeight : BodyWeight;

    private static void Check(double value, double min, double max, string name)
    {
        if (!(value >= min && value <= max))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
    }
}

/// <summary>Settings of a keyword index, fixed when it is created.</summary>
/// <remarks>Instances are immutable and thread-safe.</remarks>
public sealed record KeywordOptions
{
    /// <summary>How documents and queries become terms. Default <see cref="TextAnalyzerOptions.English"/>.</summary>
    public TextAnalyzerOptions Analysis { get; init; } = TextAnalyzerOptions.English;

    /// <summary>The scoring used when a search passes no options of its own. Default <see cref="Bm25Options.Default"/>.</summary>
    public Bm25Options Scoring { get; init; } = Bm25Options.Default;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Analysis);
        ArgumentNullException.ThrowIfNull(Scoring);
        Analysis.Validate();
        Scoring.Validate();
    }
}

/// <summary>A document of the keyword index.</summary>
/// <param name="Key">The record key, unique within a company (1 to 512 characters, no control characters).</param>
/// <param name="Title">The title field; null or empty for none.</param>
/// <param name="Body">The body field; null or empty for none.</param>
internal readonly record struct KeywordDocument(string Key, string? Title, string? Body);

/// <summary>One result of a keyword search.</summary>
/// <param name="Key">The record key.</param>
/// <param name="Score">The BM25 score (higher is better).</param>
internal readonly record struct KeywordHit(string Key, double Score);
