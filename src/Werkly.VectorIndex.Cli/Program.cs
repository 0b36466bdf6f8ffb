using Spectre.Console.Cli;
using Werkly.VectorIndex.Cli;
using Werkly.VectorIndex.Cli.Commands;
using Werkly.VectorIndex.Cli.Output;

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
    config.UseStrictParsing(); // an unknown option is an error (exit 2), never silently ignored
    config.SetHelpProvider(new ExitCodeHelpProvider(config.Settings));
    config.AddCommand<DemoCommand>("demo")
        .WithDescription("The main job in one command, nothing to configure: ingest the repository's docs/ (company werkly-docs) and samples/acme-handbook/ (company acme), embedded in the tool, into a temporary index, ask each company three questions with hybrid search, print sources, scores and timings.");
    config.AddCommand<IngestCommand>("ingest")
        .WithDescription("Extract, chunk, embed and store a file or a folder of documents (.md, .txt, .html, .pdf, .docx) for one company. Unchanged and empty documents are skipped; each document is committed atomically, so Ctrl+C leaves the index consistent (and the embeddings of a half-done long document are kept for the next run). --dry-run lists what would change; --watch keeps the folder in sync.")
        .WithExample("ingest", "samples/acme-handbook", "--company", "acme")
        .WithExample("ingest", "./handbook", "--company", "acme", "--index", "/var/lib/werkly", "--json")
        .WithExample("ingest", "./handbook", "--company", "acme", "--sync", "--dry-run")
        .WithExample("ingest", "./handbook", "--company", "acme", "--watch");
    config.AddCommand<SearchCommand>("search")
        .WithDescription("Search one company's documents: hybrid (vector + BM25, default), vector or keyword.")
        .WithExample("search", "\"How many vacation days do I get?\"", "--company", "acme")
        .WithExample("search", "\"hotel limit Paris\"", "--company", "acme", "--mode", "keyword", "--top", "3", "--explain");
    config.AddCommand<StatsCommand>("stats")
        .WithDescription("Companies, documents, chunks, index shape and size on disk.")
        .WithExample("stats")
        .WithExample("stats", "--company", "acme", "--json");
    config.AddCommand<DeleteCommand>("delete")
        .WithDescription("Delete one document's chunks (--document), or a whole company. Committed before it returns.")
        .WithExample("delete", "--company", "acme", "--document", "travel.md")
        .WithExample("delete", "--company", "acme");
    config.AddCommand<ServeCommand>("serve")
        .WithDescription("Serve the index over HTTP (ASP.NET Core): GET /companies/{id}/search, POST /companies/{id}/documents (background ingestion, 202 + job), GET /jobs/{id}, DELETE /companies/{id}/documents/{doc}, GET /healthz, GET /metrics (Prometheus; OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set), GET /openapi/v1.json. Loopback only by default.")
        .WithExample("serve")
        .WithExample("serve", "--index", "/var/lib/werkly", "--urls", "http://127.0.0.1:8080", "--company-header", "X-Werkly-Company");
    config.AddCommand<ConfigCommand>("config")
        .WithDescription("Show the effective --index, --company and --model and where each comes from: a flag, the environment (WERKLY_INDEX, WERKLY_COMPANY, WERKLY_MODEL), ./werkly.json ({\"index\": \"…\", \"company\": \"…\", \"model\": \"…\"}) or the default. Flags win.")
        .WithExample("config")
        .WithExample("config", "--json");
    config.AddCommand<BenchIngestCommand>("bench-ingest")
        .WithDescription("Measurement harness: ingest throughput on a BEIR corpus with the real model, and the pipeline's time over raw embedding of the same chunks (medians of interleaved runs).")
        .IsHidden();
    config.AddCommand<EvalCommand>("eval")
        .WithDescription("Score retrieval on a BEIR test collection (nDCG@10, MAP@100, Recall@100, P@10).")
        .WithExample("eval", "tests/data/cranfield", "--mode", "hybrid")
        .WithExample("eval", "tests/data/cranfield", "--mode", "bm25", "--json");
});
return await CommandRunner.RunAsync(app, args, cancellation.Token).ConfigureAwait(false);
