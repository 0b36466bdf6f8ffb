namespace Werkly.VectorIndex.Cli.Serve;

// The JSON bodies of werkly serve (snake_case on the wire, as 'werkly search --json' prints them).

/// <summary>A search's answer: the same fields as <c>werkly search --json</c>.</summary>
internal sealed record SearchResponse(string Company, string Mode, double TookMs, IReadOnlyList<HitResponse> Hits);

/// <summary>One hit.</summary>
internal sealed record HitResponse(string Key, string Document, double Score, string Text, string Heading, ExplanationResponse? Explanation);

/// <summary>Each side's rank and score, and what each contributed to the fused score.</summary>
internal sealed record ExplanationResponse(int? VectorRank, double? VectorScore, int? KeywordRank, double? KeywordScore,
    double VectorContribution, double KeywordContribution);

/// <summary>A JSON upload: one document's id (its extension picks the format) and its text.</summary>
internal sealed record TextDocumentRequest(string? Document, string? Text);

/// <summary>The answer to an upload: one job per document.</summary>
internal sealed record UploadResponse(IReadOnlyList<JobResponse> Jobs);

/// <summary>A job: an upload's ingestion or a deletion.</summary>
/// <param name="Job">Its id (<c>GET /jobs/{id}</c>).</param>
/// <param name="Company">The company.</param>
/// <param name="Document">The document id.</param>
/// <param name="Status">queued, processing, ingested, unchanged, empty, deleted, not_found, failed or canceled.</param>
/// <param name="Chunks">Chunks written (ingested documents).</param>
/// <param name="Error">Why it failed.</param>
/// <param name="Warnings">What extraction had to guess or repair.</param>
internal sealed record JobResponse(string Job, string Company, string Document, string Status, int Chunks, string? Error, IReadOnlyList<string> Warnings);

/// <summary>The health report of <c>GET /healthz</c>.</summary>
internal sealed record HealthResponse(string Status, int Companies, int Queued, int Processing, int QueueCapacity, long QueuedBytes);
