namespace Werkly.VectorIndex.Cli.Serve;

/// <summary>What <c>werkly serve</c> serves and the limits it enforces.</summary>
/// <remarks>Immutable; validated by <see cref="Validate"/> before the server starts.</remarks>
internal sealed record ServeOptions
{
    /// <summary>The index folder (created when missing or empty); the server is its one writer.</summary>
    public required string IndexPath { get; init; }

    /// <summary>When set, the company of every request comes from this header (set by the caller's gateway after it
    /// authenticated the user), and a route naming another company is refused with 403. Never from the query string.</summary>
    public string? CompanyHeader { get; init; }

    /// <summary>The largest upload accepted (413 above it).</summary>
    public long MaxUploadBytes { get; init; } = 32L << 20;

    /// <summary>How many ingest and delete requests may wait (503 with Retry-After when full).</summary>
    public int QueueCapacity { get; init; } = 256;

    /// <summary>How many uploaded bytes may wait in memory for ingestion (503 with Retry-After above it).</summary>
    public long MaxQueuedBytes { get; init; } = 256L << 20;

    /// <summary>How many searches run at once; more wait in a queue of <see cref="SearchQueueLimit"/>. Searches are CPU-bound
    /// (embedding the question, scanning lists), so running more at once than the cores can serve only makes each slower.</summary>
    public int MaxConcurrentSearches { get; init; } = Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>How many searches may wait for one of the <see cref="MaxConcurrentSearches"/> slots; a search arriving when
    /// the queue is full is refused at once with 503 and Retry-After, rather than waiting until it times out.</summary>
    public int SearchQueueLimit { get; init; } = 64;

    /// <summary>How long a request may run before it is cancelled (504).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many finished jobs <c>GET /jobs/{id}</c> still knows (the oldest are forgotten first).</summary>
    public int RetainedJobs { get; init; } = 10_000;

    /// <summary>The longest question accepted by search, in characters.</summary>
    public int MaxQuestionLength { get; init; } = 2_000;

    /// <summary>The most hits a search returns.</summary>
    public int MaxTop { get; init; } = 100;

    /// <summary>How long shutdown waits for queued ingestion to finish before it gives up on it.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(IndexPath);
        if (CompanyHeader is not null && (CompanyHeader.Length == 0 || CompanyHeader.Any(c => c <= ' ' || c >= 127 || c == ':')))
            throw new ArgumentException($"The company header name '{CompanyHeader}' is not a valid HTTP header name.", nameof(CompanyHeader));
        if (MaxUploadBytes is < 1 or > 1L << 30) throw new ArgumentException("The upload limit must be 1 byte to 1 GiB.", nameof(MaxUploadBytes));
        if (QueueCapacity is < 1 or > 1 << 20) throw new ArgumentException("The queue capacity must be 1 to 1,048,576.", nameof(QueueCapacity));
        if (MaxQueuedBytes < MaxUploadBytes) throw new ArgumentException("The queued-bytes limit must hold at least one upload of the largest size.", nameof(MaxQueuedBytes));
        if (RequestTimeout <= TimeSpan.Zero) throw new ArgumentException("The request timeout must be positive.", nameof(RequestTimeout));
        if (MaxConcurrentSearches is < 1 or > 4096) throw new ArgumentException("The concurrent searches must be 1 to 4,096.", nameof(MaxConcurrentSearches));
        if (SearchQueueLimit is < 0 or > 1 << 20) throw new ArgumentException("The search queue limit must be 0 to 1,048,576.", nameof(SearchQueueLimit));
        if (RetainedJobs < 1) throw new ArgumentException("At least one finished job must be retained.", nameof(RetainedJobs));
        if (MaxQuestionLength < 1 || MaxTop < 1) throw new ArgumentException("The search limits must be positive.");
    }
}
