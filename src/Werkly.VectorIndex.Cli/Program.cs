using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli;
using Werkly.VectorIndex.Cli.Commands;

// The werkly command. Ctrl+C cancels the running command through a CancellationToken (a second Ctrl+C kills at once).
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancellation.IsCancellationRequested)
        return; // second Ctrl+C: let the runtime terminate the process
    e.Cancel = true;
    cancellation.Cancel();
};

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("werkly");
    config.SetApplicationVersion(typeof(CommandRunner).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown");
    config.PropagateExceptions();
    config.AddCommand<DemoCommand>("demo")
        .WithDescription("The main job in one command, nothing to configure: ingest the repository's docs/ (company werkly-docs) and samples/acme-handbook/ (company acme) into a temporary index, ask each company three questions with hybrid search, print sources, scores and timings. " + ExitCodes.Help);
    config.AddCommand<IngestCommand>("ingest")
        .WithDescription("Extract, chunk, embed and store a file or a folder of documents (.md, .txt, .html, .pdf, .docx) for one company. Unchanged documents are skipped; each document is committed atomically, so Ctrl+C leaves the index consistent. " + ExitCodes.Help)
        .WithExample("ingest", "samples/acme-handbook", "--company", "acme")
        .WithExample("ingest", "./handbook", "--company", "acme", "--index", "/var/lib/werkly", "--json");
    config.AddCommand<SearchCommand>("search")
        .WithDescription("Search one company's documents: hybrid (vector + BM25, default), vector or keyword. " + ExitCodes.Help)
        .WithExample("search", "\"How many vacation days do I get?\"", "--company", "acme")
        .WithExample("search", "\"hotel limit Paris\"", "--company", "acme", "--mode", "keyword", "--top", "3", "--explain");
    config.AddCommand<StatsCommand>("stats")
        .WithDescription("Companies, documents, chunks, index shape and size on disk. " + ExitCodes.Help)
        .WithExample("stats")
        .WithExample("stats", "--company", "acme", "--json");
    config.AddCommand<DeleteCommand>("delete")
        .WithDescription("Delete one document's chunks (--document), or a whole company. Committed before it returns. " + ExitCodes.Help)
        .WithExample("delete", "--company", "acme", "--document", "travel.md")
        .WithExample("delete", "--company", "acme");
    config.AddCommand<BenchIngestCommand>("bench-ingest")
        .WithDescription("Measurement harness: ingest throughput on a BEIR corpus with the real model, and the pipeline's time over raw embedding of the same chunks (medians of interleaved runs). " + ExitCodes.Help)
        .IsHidden();
    config.AddCommand<ExportCommand>("export")
        .WithDescription("Copy the index's records (vectors, texts, titles, metadata) to a Postgres + pgvector collection or a JSONL file; resumable: a rerun continues where a killed one stopped. " + ExitCodes.Help)
        .WithExample("export", "--to", "postgres", "\"Host=db;Username=app;Database=rag\"", "--company", "acme", "--collection", "documents")
        .WithExample("export", "--to", "jsonl", "acme.jsonl", "--company", "acme");
    config.AddCommand<ImportCommand>("import")
        .WithDescription("Copy records into the index from a Postgres collection, a JSONL file, or an existing pgvector table (streamed with binary COPY; --shorten for OpenAI 1536-dimension vectors); resumable, nothing duplicated. " + ExitCodes.Help)
        .WithExample("import", "--from", "postgres", "\"Host=db;Username=app;Database=rag\"", "--collection", "documents")
        .WithExample("import", "--from-pgvector", "\"Host=db.supabase.co;Username=postgres;Database=postgres\"", "--table", "documents", "--company-column", "company_id", "--vector-column", "embedding", "--text-column", "content", "--shorten", "512");
    config.AddCommand<EvalCommand>("eval")
        .WithDescription("Score retrieval on a BEIR test collection (nDCG@10, MAP@100, Recall@100, P@10). " + ExitCodes.Help)
        .WithExample("eval", "tests/data/cranfield", "--mode", "hybrid")
        .WithExample("eval", "tests/data/cranfield", "--mode", "bm25", "--json");
});
return await CommandRunner.RunAsync(app, args, cancellation.Token).ConfigureAwait(false);
