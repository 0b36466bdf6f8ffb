using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex;

/// <summary>When a write becomes durable (survives a killed process or a power loss).</summary>
public enum Durability
{
    /// <summary>At <see cref="WerklyIndex.Commit"/>: writes between commits are lost if the process dies (never
    /// half-applied). The fastest choice for bulk loads, which commit once at the end.</summary>
    OnCommit = 0,

    /// <summary>When the write returns: each write is appended to a write-ahead log and fsynced first (concurrent writers
    /// share one fsync), replayed when the index is opened, and the log is truncated by <see cref="WerklyIndex.Commit"/>.
    /// For services that acknowledge single writes.</summary>
    PerWrite = 1,
}

/// <summary>How a trained company's vectors are compressed for scanning (see <see cref="WerklyIndexOptions.Quantization"/>).</summary>
public enum VectorQuantization
{
    /// <summary>Lists are scanned in float32: every score is exact, and every vector of a probed list is read.</summary>
    None = 0,

    /// <summary>8-bit scalar codes (a quarter of float32's bytes) of each vector's residual to its list centroid are
    /// scanned; the best candidates are re-ranked exactly.</summary>
    Scalar8 = 1,

    /// <summary>4-bit scalar codes (an eighth of float32's bytes) of the residuals are scanned; the best candidates are
    /// re-ranked exactly. The fastest scan at the same recall after re-ranking (docs/BENCHMARKS.md).</summary>
    Scalar4 = 2,
}

/// <summary>How an index is built. Set once when the index is created; every company partition follows these settings.</summary>
/// <remarks>Validated by <see cref="Validate"/> when an index is created. Per-call settings (probes, filters) travel in
/// <see cref="SearchOptions"/> and <see cref="SearchQuery"/> instead.</remarks>
public sealed record WerklyIndexOptions
{
    /// <summary>Vector length. 384, 512 and 1536 are first-class (tested and benchmarked); any length from 1 to 16,384 works.</summary>
    public required int Dimensions { get; init; }

    /// <summary>How vectors are compared. Defaults to <see cref="DistanceMetric.Cosine"/>.</summary>
    public DistanceMetric Metric { get; init; } = DistanceMetric.Cosine;

    /// <summary>
    /// Number of IVF lists per company. Null (the default) chooses rows/1000 up to 1M rows and √rows beyond, at
    /// training time, per company.
    /// </summary>
    public int? Lists { get; init; }

    /// <summary>
    /// Lists probed per search when the call does not say. Null (the default) calibrates it per company at training
    /// time to reach <see cref="TargetRecall"/> on a sample of that company's own vectors.
    /// </summary>
    public int? Probes { get; init; }

    /// <summary>Recall@10 that probe calibration aims for (0.5 to 1). Defaults to 0.95.</summary>
    public double TargetRecall { get; init; } = 0.95;

    /// <summary>
    /// A company with fewer live vectors than this uses exact flat search (no lists); at or above it, lists are
    /// trained. Defaults to 20,000 (see docs/TUNING.md for the benchmark behind it).
    /// </summary>
    public int FlatSearchThreshold { get; init; } = 20_000;

    /// <summary>
    /// Retrain a company's lists automatically once it has grown 2× since its last training (and train them when it
    /// crosses <see cref="FlatSearchThreshold"/>), and compact it once its deleted and replaced rows outnumber its live
    /// ones (at least 1,000 of them). Defaults to true; when false, call <see cref="WerklyIndex.Retrain"/>. An automatic
    /// retrain runs after the write that made it due has been applied; if it fails or is cancelled the write stays
    /// applied and the next write tries again.
    /// </summary>
    public bool AutoRetrain { get; init; } = true;

    /// <summary>k-means iterations per training. Defaults to 10.</summary>
    public int TrainingIterations { get; init; } = 10;

    /// <summary>Seed for sampling and k-means: the same seed and data give identical lists. Defaults to 1234.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>Threads used for training and batch search. Defaults to the processor count.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>How titles and texts are analyzed and scored for keyword search. Defaults to English analysis and BM25
    /// with k1 = 1.2, b = 0.75. Fixed for the life of an index: segments written with other analysis are re-analyzed.</summary>
    public KeywordOptions Keywords { get; init; } = new();

    /// <summary>
    /// How a trained company's lists are scanned. With <see cref="VectorQuantization.Scalar4"/> (the default) or
    /// <see cref="VectorQuantization.Scalar8"/>, training also fits per-dimension ranges to the vectors' residuals (vector
    /// − list centroid), each row carries a code beside its float32 vector, and a search scans the codes of the probed
    /// lists with an integer kernel, keeps the best <c>k × r</c> approximate scores (<see cref="RerankFactor"/>) and
    /// re-ranks them with the exact float32 vectors: the scores a search reports, and their order, are exact float32
    /// scores. Only the codes need to stay in memory; the float32 vectors are read for the re-ranked rows. Companies below
    /// <see cref="FlatSearchThreshold"/> (exact flat search) carry no codes.
    /// </summary>
    /// <remarks>Segments written under another setting keep their codes (or lack of them) until the company's next
    /// <see cref="WerklyIndex.Retrain"/>, which writes every row with the current setting; searches handle a mix. Files
    /// written before quantization existed open and search in float32 until then.</remarks>
    public VectorQuantization Quantization { get; init; } = VectorQuantization.Scalar4;

    /// <summary>
    /// How many candidates per requested result a quantized search re-ranks exactly (a search for k results re-ranks the
    /// best k × r approximate ones, and never fewer than 16), 1 to 64. Null (the default) calibrates it per company at training time, with the
    /// probes: the smallest r ≥ 2 whose recall@10 on a sample of the company's own vectors is within 0.001 of a float32
    /// search at the same probes.
    /// </summary>
    public int? RerankFactor { get; init; }

    /// <summary>
    /// Bytes of search results to keep in a query-result cache (at least 1 MiB), or 0 (the default) for none. Repeated
    /// searches — the same question from many employees — are then answered without searching (and, for a text query
    /// embedded by <see cref="QueryEmbedder"/>, without embedding). Entries are keyed by company, query vector bytes and
    /// text, mode and every result-changing option; searches with a filter, <see cref="WerklyIndex.Explain"/> and the
    /// allocation-free span overload are never cached.
    /// </summary>
    /// <remarks>A write to a company invalidates all of its cached results at once (the company's write generation
    /// changes before the write returns), so a search never returns a result older than the last write acknowledged to
    /// its caller; other companies' entries stay valid. The least recently used entries are evicted beyond the size
    /// (estimated managed bytes). Hits, misses and evictions are counted in the <c>Werkly.VectorIndex</c> meter
    /// (<c>werkly.query_cache.hits</c>, <c>.misses</c>, <c>.evictions</c>).</remarks>
    public long QueryCacheBytes { get; init; }

    /// <summary>When writes become durable; see <see cref="Durability"/>. Defaults to <see cref="Durability.OnCommit"/>.
    /// Ignored by in-memory and read-only indexes.</summary>
    public Durability Durability { get; init; } = Durability.OnCommit;

    /// <summary>
    /// The OS scheduling priority of the heavy background work that holds no lock a search takes: a commit's tiered
    /// merges, keyword-block encoding, writing, checksumming and fsyncing of segment files, and an automatic retrain's
    /// build (k-means, assignment, code training, calibration; see <see cref="AutoRetrain"/>).
    /// <see cref="ThreadPriority.BelowNormal"/> (the default) or <see cref="ThreadPriority.Lowest"/> run it on dedicated
    /// threads at that priority (nice 10 or 19 on Linux), its parallel loops included, so searches get the cores first;
    /// <see cref="ThreadPriority.Normal"/> runs it on the committing or writing thread.
    /// </summary>
    /// <remarks>The phases that hold locks searches wait for (installing a merge or a retrain, freezing and swapping
    /// segments) always run on the committing or writing thread at its own priority. A lower priority lengthens a commit
    /// or a retrain while the cores are busy (the work waits for idle CPU); the files and lists it builds are the same.
    /// <see cref="WerklyIndex.Retrain"/> runs at the caller's priority. On systems other than Linux and Windows the work
    /// runs at normal priority. Above-normal priorities are not accepted (raising a priority needs privileges).</remarks>
    public ThreadPriority CommitPriority { get; init; } = ThreadPriority.BelowNormal;

    /// <summary>
    /// For an index opened read-only: how often to look for a newer commit (or newly logged writes) and switch to it,
    /// as <see cref="WerklyIndex.Refresh"/> does. Null (the default) refreshes only when asked. At least 10 ms.
    /// </summary>
    public TimeSpan? RefreshInterval { get; init; }

    /// <summary>
    /// Embeds a query's text when a <see cref="SearchQuery"/> needs the vector side and carries no
    /// <see cref="SearchQuery.Vector"/>; null requires the vector. The Documents and VectorData packages set it from an
    /// <c>IEmbeddingGenerator</c>.
    /// </summary>
    public Func<string, CancellationToken, ValueTask<ReadOnlyMemory<float>>>? QueryEmbedder { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (Dimensions is < 1 or > 16_384)
            throw new ArgumentOutOfRangeException(nameof(Dimensions), Dimensions, "Dimensions must be between 1 and 16,384.");
        if (!Enum.IsDefined(Metric))
            throw new ArgumentOutOfRangeException(nameof(Metric), Metric, "Unknown metric.");
        if (Lists is < 1 or > 1_000_000)
            throw new ArgumentOutOfRangeException(nameof(Lists), Lists, "Lists must be between 1 and 1,000,000.");
        if (Probes is < 1)
            throw new ArgumentOutOfRangeException(nameof(Probes), Probes, "Probes must be at least 1.");
        if (!Enum.IsDefined(Quantization))
            throw new ArgumentOutOfRangeException(nameof(Quantization), Quantization, "Unknown quantization.");
        if (RerankFactor is < 1 or > SearchOptions.MaxRerankFactor)
            throw new ArgumentOutOfRangeException(nameof(RerankFactor), RerankFactor, $"RerankFactor must be between 1 and {SearchOptions.MaxRerankFactor}.");
        if (TargetRecall is < 0.5 or > 1 || double.IsNaN(TargetRecall))
            throw new ArgumentOutOfRangeException(nameof(TargetRecall), TargetRecall, "TargetRecall must be between 0.5 and 1.");
        if (FlatSearchThreshold < 1)
            throw new ArgumentOutOfRangeException(nameof(FlatSearchThreshold), FlatSearchThreshold, "FlatSearchThreshold must be at least 1.");
        if (TrainingIterations is < 1 or > 1000)
            throw new ArgumentOutOfRangeException(nameof(TrainingIterations), TrainingIterations, "TrainingIterations must be between 1 and 1,000.");
        if (MaxDegreeOfParallelism < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "MaxDegreeOfParallelism must be at least 1.");
        if (Keywords is null) throw new ArgumentNullException(nameof(Keywords));
        Keywords.Validate();
        if (!Enum.IsDefined(Durability))
            throw new ArgumentOutOfRangeException(nameof(Durability), Durability, "Unknown durability.");
        if (QueryCacheBytes is not 0 and < 1 << 20)
            throw new ArgumentOutOfRangeException(nameof(QueryCacheBytes), QueryCacheBytes, "QueryCacheBytes must be 0 (no cache) or at least 1 MiB (1,048,576).");
        if (CommitPriority is not (ThreadPriority.Normal or ThreadPriority.BelowNormal or ThreadPriority.Lowest))
            throw new ArgumentOutOfRangeException(nameof(CommitPriority), CommitPriority, "CommitPriority must be Normal, BelowNormal or Lowest.");
        if (RefreshInterval is { } interval && interval < TimeSpan.FromMilliseconds(10))
            throw new ArgumentOutOfRangeException(nameof(RefreshInterval), interval, "RefreshInterval must be at least 10 ms.");
    }
}
