namespace Werkly.VectorIndex.Hybrid;

/// <summary>How a document's chunks' scores become the document's score in <see cref="DocumentAggregation"/>.</summary>
public enum DocumentScoring
{
    /// <summary>The best chunk's score (for a ranking ordered by score this is also "first hit wins"): a document ranks
    /// where its best passage ranks, however many other chunks it has.</summary>
    MaxChunk = 0,

    /// <summary>The sum of the document's best n chunk scores: a document with several good passages outranks one with
    /// a single passage of the same score. Meaningful for non-negative scores only.</summary>
    SumOfTopChunks = 1,
}

/// <summary>A document and the chunk hits that made its score.</summary>
/// <typeparam name="T">The hit type.</typeparam>
/// <param name="DocumentId">The document.</param>
/// <param name="Score">The aggregated score.</param>
/// <param name="Hits">The document's hits, best first (all of them, not only those that were summed).</param>
public sealed record DocumentGroup<T>(string DocumentId, double Score, IReadOnlyList<T> Hits);

/// <summary>Turns a ranking of chunks into a ranking of documents, so that one long document cannot fill the top
/// results with its chunks.</summary>
/// <remarks>Pure functions, thread-safe. Documents are ordered by aggregated score, then by the rank of their best
/// chunk, so equal inputs give equal output.</remarks>
public static class DocumentAggregation
{
    /// <summary>Groups <paramref name="hits"/> (best first) by document and ranks the documents.</summary>
    /// <typeparam name="T">The hit type.</typeparam>
    /// <param name="hits">Chunk hits, best first.</param>
    /// <param name="documentOf">The document a hit belongs to.</param>
    /// <param name="scoreOf">A hit's score (higher is better; finite).</param>
    /// <param name="scoring">How chunk scores combine. Default <see cref="DocumentScoring.MaxChunk"/>.</param>
    /// <param name="chunksPerDocument">n for <see cref="DocumentScoring.SumOfTopChunks"/> (1 to 100). Default 2.</param>
    /// <param name="top">How many documents to return at most (at least 1).</param>
    /// <returns>The documents, best first.</returns>
    /// <exception cref="ArgumentNullException">An argument is null, or <paramref name="documentOf"/> returns null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range, or a score is not finite.</exception>
    public static IReadOnlyList<DocumentGroup<T>> Group<T>(IReadOnlyList<T> hits, Func<T, string> documentOf, Func<T, double> scoreOf,
        DocumentScoring scoring = DocumentScoring.MaxChunk, int chunksPerDocument = 2, int top = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(hits);
        ArgumentNullException.ThrowIfNull(documentOf);
        ArgumentNullException.ThrowIfNull(scoreOf);
        if (!Enum.IsDefined(scoring)) throw new ArgumentOutOfRangeException(nameof(scoring), scoring, "Unknown document scoring.");
        ArgumentOutOfRangeException.ThrowIfLessThan(chunksPerDocument, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunksPerDocument, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);

        var groups = new Dictionary<string, (int FirstRank, List<T> Hits, List<double> Scores)>(StringComparer.Ordinal);
        for (var i = 0; i < hits.Count; i++)
        {
            var hit = hits[i];
            var document = documentOf(hit) ?? throw new ArgumentNullException(nameof(documentOf), $"Hit {i} has no document.");
            var score = scoreOf(hit);
            if (!double.IsFinite(score)) throw new ArgumentOutOfRangeException(nameof(hits), score, $"Hit {i} has a non-finite score.");
            if (!groups.TryGetValue(document, out var group)) groups[document] = group = (i, [], []);
            group.Hits.Add(hit);
            group.Scores.Add(score);
        }

        var ranked = new List<(DocumentGroup<T> Group, int FirstRank)>(groups.Count);
        foreach (var (document, group) in groups)
        {
            var score = scoring == DocumentScoring.MaxChunk
                ? group.Scores.Max()
                : group.Scores.OrderDescending().Take(chunksPerDocument).Sum();
            ranked.Add((new DocumentGroup<T>(document, score, group.Hits), group.FirstRank));
        }
        ranked.Sort(static (a, b) => a.Group.Score != b.Group.Score ? b.Group.Score.CompareTo(a.Group.Score) : a.FirstRank.CompareTo(b.FirstRank));
        return [.. ranked.Take(top).Select(r => r.Group)];
    }
}
