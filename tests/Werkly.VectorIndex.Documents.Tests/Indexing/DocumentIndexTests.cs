using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Werkly.VectorIndex.Documents.Indexing;
using Werkly.VectorIndex.Documents.Ingestion;
using Werkly.VectorIndex.Documents.Tests.Ingestion;

namespace Werkly.VectorIndex.Documents.Tests.Indexing;

/// <summary>The pipeline writing into the real index: persisted, hybrid-searchable, one document atomic at a time.</summary>
public sealed class DocumentIndexTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "werkly-docindex-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly HashingEmbeddingGenerator _generator = new(64);

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static List<SourceDocument> Handbook() =>
        [.. SourceDocument.FromDirectory(Path.Combine(RepositoryPaths.Root, "samples", "acme-handbook"))];

    [Fact]
    public async Task Ingested_documents_are_searchable_after_reopening_and_unchanged_ones_are_skipped()
    {
        var documents = Handbook();
        using (var index = DocumentIndex.Open(_directory, _generator))
        {
            var result = await new DocumentIngestor(_generator, index).IngestAsync(documents, "acme");
            Assert.Equal(documents.Count, result.DocumentsIngested);
            Assert.Equal(documents.Count, index.DocumentCount("acme"));
        }
        using (var index = DocumentIndex.Open(_directory, _generator))
        {
            Assert.Equal(documents.Count, index.DocumentCount("acme"));
            var hits = await index.SearchAsync("acme", "how many vacation days do I get", SearchMode.Hybrid, top: 3);
            Assert.Contains(hits, h => h.DocumentId.Contains("vacation", StringComparison.Ordinal));
            Assert.All(hits, h => Assert.False(string.IsNullOrEmpty(h.Text)));

            var calls = _generator.Calls.Count;
            var again = await new DocumentIngestor(_generator, index).IngestAsync(Handbook(), "acme");
            Assert.Equal(documents.Count, again.DocumentsUnchanged);
            Assert.Equal(calls, _generator.Calls.Count); // nothing re-embedded
        }
    }

    [Fact]
    public async Task A_changed_document_replaces_its_chunks_and_a_deleted_one_leaves_nothing()
    {
        using var index = DocumentIndex.Open(_directory, _generator);
        var ingestor = new DocumentIngestor(_generator, index);
        var longText = string.Join("\n\n", Enumerable.Range(0, 30).Select(i => $"Paragraph {i} about quarterly budget planning and approvals."));
        await ingestor.IngestAsync([SourceDocument.FromText("budget.md", longText)], "acme");
        var before = index.ChunkCount("acme");
        Assert.True(before > 1);
        await ingestor.IngestAsync([SourceDocument.FromText("budget.md", "A single short paragraph about parking.")], "acme");
        Assert.Equal(1, index.ChunkCount("acme"));
        var hit = Assert.Single(await index.SearchAsync("acme", "parking", SearchMode.Keyword, top: 10));
        Assert.Equal("budget.md", hit.DocumentId);
        Assert.Empty(await index.SearchAsync("acme", "quarterly budget approvals", SearchMode.Keyword, top: 10));

        Assert.True(await ingestor.DeleteDocumentAsync("acme", "budget.md"));
        Assert.Equal(0, index.ChunkCount("acme"));
        Assert.False(await ingestor.DeleteDocumentAsync("acme", "budget.md"));
    }

    [Fact]
    public async Task Cancelling_halfway_leaves_every_document_fully_in_or_fully_out_on_disk()
    {
        var documents = Handbook();
        using var cts = new CancellationTokenSource();
        var generator = new HashingEmbeddingGenerator(64) { OnCall = call => { if (call == 3) cts.Cancel(); } };
        using (var index = DocumentIndex.Open(_directory, generator))
        {
            var ingestor = new DocumentIngestor(generator, index, new DocumentIngestorOptions { EmbeddingBatchSize = 4 });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ingestor.IngestAsync(documents, "acme", cancellationToken: cts.Token));
        }
        using (var index = DocumentIndex.Open(_directory, generator))
        {
            var stored = new HashSet<string>();
            await foreach (var id in index.ListDocumentIdsAsync("acme", CancellationToken.None)) stored.Add(id);
            // The records themselves, read through the index underneath.
            using var raw = WerklyIndex.Open(_directory, new WerklyIndexOptions { Dimensions = generator.Dimensions }, readOnly: true);
            var keys = raw.ContainsCompany("acme") ? raw.GetKeys("acme") : [];
            foreach (var document in documents)
            {
                var chunkKeys = keys.Where(k => k.StartsWith(document.Id + "#", StringComparison.Ordinal)).ToList();
                if (!stored.Contains(document.Id))
                {
                    Assert.Empty(chunkKeys); // fully out
                    continue;
                }
                Assert.True(raw.TryGetRecord("acme", document.Id + "#0", out var record));
                Assert.Equal((int)record.Metadata!["chunks"].AsNumber(), chunkKeys.Count); // fully in
            }
            var storedCount = stored.Count;
            Assert.True(storedCount < documents.Count, "the cancellation came too late to leave documents out");
        }
    }

    [Fact]
    public async Task Companies_are_isolated_and_deleting_one_keeps_the_other()
    {
        using var index = DocumentIndex.Open(_directory, _generator);
        var ingestor = new DocumentIngestor(_generator, index);
        await ingestor.IngestAsync([SourceDocument.FromText("a.md", "Acme vacation policy: 25 days.")], "acme");
        await ingestor.IngestAsync([SourceDocument.FromText("g.md", "Globex vacation policy: 30 days.")], "globex");
        Assert.All(await index.SearchAsync("acme", "vacation policy", top: 10), h => Assert.Equal("a.md", h.DocumentId));
        Assert.True(index.DeleteCompany("globex"));
        Assert.Equal(["acme"], index.Companies);
    }

    [Fact]
    public async Task Document_ids_containing_a_hash_are_found_again_after_reopening()
    {
        var longText = string.Join("\n\n", Enumerable.Range(0, 30).Select(i => $"Paragraph {i} about quarterly budget planning and approvals."));
        List<SourceDocument> documents = [SourceDocument.FromText("a#0.md", longText), SourceDocument.FromText("a#1", longText), SourceDocument.FromText("b#10.md", "Short.")];
        using (var index = DocumentIndex.Open(_directory, _generator))
            await new DocumentIngestor(_generator, index).IngestAsync(documents, "acme");
        using (var index = DocumentIndex.Open(_directory, _generator))
        {
            Assert.True(index.ChunkCount("acme") > documents.Count);
            var ids = new List<string>();
            await foreach (var id in index.ListDocumentIdsAsync("acme", CancellationToken.None)) ids.Add(id);
            Assert.Equal(["a#0.md", "a#1", "b#10.md"], ids);
            var again = await new DocumentIngestor(_generator, index).IngestAsync(documents, "acme");
            Assert.Equal(documents.Count, again.DocumentsUnchanged);
        }
    }

    [Fact]
    public async Task Chunks_are_embedded_as_documents_and_questions_as_queries()
    {
        var generator = new KindRecordingGenerator(_generator);
        using var index = DocumentIndex.CreateInMemory(generator);
        var text = string.Join("\n\n", Enumerable.Range(0, 20).Select(i => $"Paragraph {i} about vacation days and travel expenses."));
        await new DocumentIngestor(generator, index).IngestAsync([SourceDocument.FromText("policy.md", text)], "acme");
        Assert.NotEmpty(generator.Calls);
        Assert.All(generator.Calls, c => Assert.Null(c.Kind)); // documents: no input kind, the generators' default
        generator.Calls.Clear();

        await index.SearchAsync("acme", "vacation days", SearchMode.Vector);
        await index.SearchAsync("acme", "travel expenses", SearchMode.Hybrid);
        await index.SearchAsync("acme", "paragraph", SearchMode.Keyword); // BM25 only: nothing to embed

        Assert.Equal(["vacation days", "travel expenses"], generator.Calls.Select(c => Assert.Single(c.Texts)));
        Assert.All(generator.Calls, c => Assert.Equal(EmbeddingInputKindProperty.Query, c.Kind));
    }

    [Fact]
    public async Task Query_embedding_options_carry_the_chunks_settings_and_stay_queries()
    {
        var generator = new KindRecordingGenerator(_generator);
        var shared = new EmbeddingGenerationOptions { Dimensions = 16, AdditionalProperties = new() { ["caller"] = "kept" } };
        using var index = DocumentIndex.CreateInMemory(generator, new DocumentIndexOptions { QueryEmbeddingOptions = shared });
        Assert.Equal(16, index.Dimensions); // the generator alone would give 32
        var ingestor = new DocumentIngestor(generator, index, new DocumentIngestorOptions { EmbeddingOptions = shared });
        await ingestor.IngestAsync([SourceDocument.FromText("policy.md", "Vacation days carry over until March.")], "acme");
        generator.Calls.Clear();

        Assert.NotEmpty(await index.SearchAsync("acme", "vacation days", SearchMode.Vector));
        var call = Assert.Single(generator.Calls);
        Assert.Equal((EmbeddingInputKindProperty.Query, (int?)16), (call.Kind, call.Dimensions));
        Assert.False(shared.AdditionalProperties.ContainsKey(EmbeddingInputKindProperty.Key)); // the caller's options are not changed
    }

    [Fact]
    public async Task A_document_without_text_is_skipped_as_empty_and_not_counted()
    {
        using var index = DocumentIndex.Open(_directory, _generator);
        var ingestor = new DocumentIngestor(_generator, index);
        await ingestor.IngestAsync([SourceDocument.FromText("empty.md", "   "), SourceDocument.FromText("full.md", "Some text.")], "acme");
        var again = await ingestor.IngestAsync([SourceDocument.FromText("empty.md", "   "), SourceDocument.FromText("full.md", "Some text.")], "acme");
        Assert.Equal(1, again.DocumentsUnchanged);
        Assert.Equal(1, again.DocumentsEmpty);
        Assert.Equal(1, index.DocumentCount("acme"));
        Assert.Equal(1, index.ChunkCount("acme"));
    }
}

/// <summary>Delegates to another generator and records, for every call, its texts and the input kind its options name
/// (<see cref="EmbeddingInputKindProperty.Key"/>; null when the options do not set it).</summary>
internal sealed class KindRecordingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner) : IEmbeddingGenerator<string, Embedding<float>>
{
    public ConcurrentQueue<(string[] Texts, string? Kind, int? Dimensions)> Calls { get; } = new();

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToArray();
        var kind = options?.AdditionalProperties is { } properties && properties.TryGetValue(EmbeddingInputKindProperty.Key, out var value) ? (string?)value : null;
        Calls.Enqueue((texts, kind, options?.Dimensions));
        return inner.GenerateAsync(texts, options, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

    public void Dispose() { }
}
