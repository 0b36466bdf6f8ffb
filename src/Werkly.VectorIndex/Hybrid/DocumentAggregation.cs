namespace Werkly.VectorIndex.Hybrid;

/// <summary>A document and the ranks (positions in the input) of its hits, best first.</summary>
/// <param name="DocumentId">The document.</param>
/// <param name="Score">The aggregated score.</param>
/// <param name="Positions">Positions of the document's hits in the input list, best first (all of them, not only those
/// that were summed).</param>
internal sealed record DocumentGroup(string DocumentId, double Score, IReadOnlyList<int> Positions);

/// <summary>Turns a ranking of chunks into a ranking of documents, so that one long document cannot fill the top
/// results with its chunks.</summary>
/// <remarks>Pure functions, thread-safe. Documents are ordered by aggregated score, then by the rank of their best
/// chunk, so equal inputs give equal output.</remarks>
internal static class DocumentAggregation
{
    /// <summary>Groups <paramref name="hits"/> (best first) by document and ranks the documents.</summary>
    /// <param name="hits">Each hit's document and score, best first.</param>
    /// <param name="grouping">How chunk scores combine.</param>
    /// <returns>All documents, best first.</returns>
    /// <exception cref="ArgumentNullException">An argument is null, or a hit has no document.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range, or a score is not finite.</exception>
    public static List<DocumentGroup> Group(IReadOnlyList<(string Document, double Score)> hits, DocumentGrouping grouping)
    {
        ArgumentNullException.ThrowIfNull(hits);
        ArgumentNullException.ThrowIfNull(grouping);
        grouping.Validate();
        var groups = new Dictionary<string, (int FirstRank, List<int> Positions, List<double> Scores)>(StringComparer.Ordinal);
        for (var i = 0; i < hits.Count; i++)
        {
            var (document, score) = hits[i];
            if (document is null) throw new ArgumentNullException(nameof(hits), $"Hit {i} has no document.");
            if (!double.IsFinite(score)) throw new ArgumentOutOfRangeException(nameof(hits), score, $"Hit {i} has a non-finite score.");
            if (!groups.TryGetValue(document, out var group)) groups[document] = group = (i, [], []);
            group.Positions.Add(i);
            group.Scores.Add(score);
        }

        var ranked = new List<(DocumentGroup Group, int FirstRank)>(groups.Count);
        foreach (var (document, group) in groups)
        {
            var score = grouping.Scoring == DocumentScoring.MaxChunk
                ? group.Scores.Max()
                : group.Scores.OrderDescending().Take(grouping.ChunksPerDocument).Sum();
            ranked.Add((new DocumentGroup(document, score, group.Positions), group.FirstRank));
        }
        ranked.Sort(static (a, b) => a.Group.Score != b.Group.Score ? b.Group.Score.CompareTo(a.Group.Score) : a.FirstRank.CompareTo(b.FirstRank));
        return [.. ranked.Select(r => r.Group)];
    }
}
