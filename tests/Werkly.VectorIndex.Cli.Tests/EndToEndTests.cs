using Werkly.VectorIndex.Documents.Indexing;
using Werkly.VectorIndex.Embeddings.Onnx;
using Werkly.VectorIndex.Evaluation;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Cli.Tests;

/// <summary>Issue 6's end-to-end test: Cranfield for one company and the Acme handbook for another, ingested by the
/// tool; judged Cranfield queries find a relevant document in the top 10; no hit crosses companies; re-ingesting
/// unchanged documents writes and embeds nothing.</summary>
public sealed class EndToEndTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Cranfield_and_a_handbook_in_one_index_stay_apart_and_hybrid_search_finds_judged_documents()
    {
        var cranfield = BeirDataset.Load(RepositoryPaths.Cranfield);
        foreach (var document in cranfield.Corpus)
            _folder.Write($"cranfield/{document.Id}.txt", document.Title + "\n\n" + document.Text);
        var handbook = Path.Combine(RepositoryPaths.Root, "samples", "acme-handbook");
        var index = _folder.Combine("index");

        // 1,400 documents take about a minute alone and several on a loaded machine: the timeout only guards against a hang.
        var ingest = WerklyTool.Run(_folder.Path, TimeSpan.FromMinutes(15), "ingest", "cranfield", "--company", "cranfield", "--index", index, "--json").Json();
        output.WriteLine($"cranfield ingest: {ingest}");
        Assert.Equal(1398, ingest.GetProperty("ingested").GetInt32());
        Assert.Equal(2, ingest.GetProperty("empty").GetInt32()); // two Cranfield entries have no text
        WerklyTool.Run(_folder.Path, "ingest", handbook, "--company", "acme", "--index", index, "--json").Json();

        // Re-ingesting unchanged documents does nothing: no chunk embedded or written.
        var again = WerklyTool.Run(_folder.Path, "ingest", "cranfield", "--company", "cranfield", "--index", index, "--json").Json();
        Assert.Equal(0, again.GetProperty("chunks").GetInt64());
        Assert.Equal(0, again.GetProperty("embedding_s").GetDouble());
        Assert.Equal(1398, again.GetProperty("unchanged").GetInt32());
        Assert.Equal(2, again.GetProperty("empty").GetInt32()); // skipped as empty again, never counted as ingested
        var acmeAgain = WerklyTool.Run(_folder.Path, "ingest", handbook, "--company", "acme", "--index", index, "--json").Json();
        Assert.Equal(8, acmeAgain.GetProperty("unchanged").GetInt32());
        Assert.Equal(0, acmeAgain.GetProperty("chunks").GetInt64());

        // The tool's own search, as a user runs it, on both companies.
        var handbookHits = WerklyTool.Run(_folder.Path, "search", "What do I do if my laptop is stolen?", "--company", "acme", "--index", index, "--top", "10", "--json").Json();
        Assert.All(handbookHits.GetProperty("hits").EnumerateArray(), h => Assert.EndsWith(".md", h.GetProperty("document").GetString(), StringComparison.Ordinal));

        // A sample of judged queries, searched in-process on the index the tool wrote (read-only, as 'werkly search' opens it).
        using var generator = OnnxEmbeddingGenerator.CreateDefault();
        using var documents = DocumentIndex.Open(index, generator, readOnly: true);
        var corpusIds = cranfield.Corpus.Select(d => d.Id + ".txt").ToHashSet(StringComparer.Ordinal);
        var handbookIds = Directory.GetFiles(handbook).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        var sample = cranfield.JudgedQueries.Where((_, i) => i % 3 == 0).ToList();
        var found = 0;
        foreach (var query in sample)
        {
            var hits = await documents.SearchAsync("cranfield", query.Text, SearchMode.Hybrid, top: 10);
            Assert.All(hits, h => Assert.Contains(h.DocumentId, corpusIds));
            var judged = cranfield.Judgments[query.Id];
            if (hits.Any(h => judged.TryGetValue(h.DocumentId[..^".txt".Length], out var gain) && gain > 0)) found++;

            var other = await documents.SearchAsync("acme", query.Text, SearchMode.Hybrid, top: 10);
            Assert.All(other, h => Assert.Contains(h.DocumentId, handbookIds!));
        }
        var share = (double)found / sample.Count;
        output.WriteLine($"{found} of {sample.Count} sampled Cranfield queries have a judged-relevant document in the hybrid top 10 ({share:P1})");
        Assert.True(share > 0.5, $"only {found} of {sample.Count} queries found a judged-relevant document in the top 10");
    }
}
