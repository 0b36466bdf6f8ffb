using System.Collections.Concurrent;
using System.Diagnostics;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Partitions;
using Werkly.VectorIndex.Storage;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Hybrid;

/// <summary>Which retrieval a <see cref="HybridIndex"/> search runs.</summary>
public enum HybridSearchMode
{
    /// <summary>Vector and keyword retrieval, fused (the default).</summary>
    Hybrid,

    /// <summary>Vector similarity only; scores are the vector index's.</summary>
    Vector,

    /// <summary>BM25 only; scores are BM25 scores.</summary>
    Keyword,
}

/// <summary>A record of a <see cref="HybridIndex"/>: a vector and the text it was embedded from.</summary>
/// <param name="Key">Unique within its company (1 to 512 characters, no control characters).</param>
/// <param name="Vector">The embedding, of the index's dimensions.</param>
/// <param name="Title">An optional title, indexed as its own keyword field.</param>
/// <param name="Text">The text, indexed for keyword search and returned by text projections.</param>
/// <param name="Metadata">Optional metadata (keys starting with <c>werkly:</c> are reserved).</param>
public sealed record HybridRecord(string Key, ReadOnlyMemory<float> Vector, string? Title, string Text, IReadOnlyDictionary<string, MetadataValue>? Metadata = null);

/// <summary>Settings of a <see cref="HybridIndex"/>.</summary>
public sealed record HybridIndexOptions
{
    /// <summary>The vector side.</summary>
    public required VectorIndexOptions Vector { get; init; }

    /// <summary>The keyword side (analysis and BM25 defaults).</summary>
    public KeywordIndexOptions Keyword { get; init; } = new();

    /// <summary>
    /// Embeds a query's text when a search needs the vector side and the query carries no vector, or null to require
    /// <see cref="HybridQuery.Vector"/>. The Documents package wires an <c>IEmbeddingGenerator</c> here.
    /// </summary>
    public Func<string, CancellationToken, ReadOnlyMemory<float>>? QueryEmbedder { get; init; }
}

/// <summary>
/// Vector search and BM25 keyword search over the same records, partitioned by company, with one query API that runs
/// either or both and fuses them (<see cref="ScoreFusion"/>: weighted normalised scores or reciprocal rank fusion).
/// </summary>
/// <remarks>
/// <para>Persistence: both sides live in the same segment files. Each record's title and text are stored in its
/// metadata (reserved keys <c>werkly:title</c>, <c>werkly:text</c>, returned by text projections), and every segment a
/// commit writes also carries that segment's keyword index (a <c>KWIX</c> block: term dictionary, postings, field
/// lengths). Opening maps the files and reads nothing; a company's keyword partition is loaded from its segments'
/// blocks on its first keyword search or write, and merged into one in-memory partition, so BM25 statistics are
/// those of the company's live records exactly as in an index that was never closed. Segments without a block
/// (written by <see cref="WerklyIndex"/> alone or with other analysis options) are analyzed from their stored
/// texts instead. <see cref="LastKeywordLoad"/> reports what the load did.</para>
/// <para>Threading: searches are thread-safe and run concurrently with writes. Writes are serialised; a write changes
/// the vector side first, then the keyword side, so a concurrent search may briefly see a record on one side only —
/// fused hits are always looked up in the vector side, so a deleted record is never returned.</para>
/// </remarks>
public sealed class HybridIndex : IDisposable
{
    /// <summary>Metadata key holding a record's title.</summary>
    public const string TitleKey = "werkly:title";

    /// <summary>Metadata key holding a record's text.</summary>
    public const string TextKey = "werkly:text";

    private readonly KeywordIndex _keywords;
    private readonly ConcurrentDictionary<string, bool> _keywordsLoaded = new(StringComparer.Ordinal);
    private readonly object _writeGate = new();

    /// <summary>Creates an empty in-memory index.</summary>
    public HybridIndex(HybridIndexOptions options)
        : this(options, new WerklyIndex((options ?? throw new ArgumentNullException(nameof(options))).Vector))
    {
    }

    private HybridIndex(HybridIndexOptions options, WerklyIndex vectors)
    {
        Options = options;
        Vectors = vectors;
        _keywords = new KeywordIndex(options.Keyword);
        // Every segment a commit writes carries its keyword index, so reopening loads postings instead of analyzing.
        var keywordOptions = options.Keyword;
        vectors.SegmentKeywordEncoder = (keys, metadata, cancellationToken) =>
            KeywordSegment.Encode(keywordOptions, keys.Count, row => TextOf(metadata?[row]), cancellationToken);
    }

    /// <summary>Opens (or creates) a persisted index in <paramref name="directory"/>; see <see cref="WerklyIndex.Open(string, VectorIndexOptions, bool)"/>.</summary>
    public static HybridIndex Open(string directory, HybridIndexOptions options, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new HybridIndex(options, WerklyIndex.Open(directory, options.Vector, readOnly));
    }

    /// <summary>The settings.</summary>
    public HybridIndexOptions Options { get; }

    /// <summary>The vector side (statistics, explain, commit). Write through this index, not directly, to keep both sides in sync.</summary>
    public WerklyIndex Vectors { get; }

    /// <summary>The companies that have records.</summary>
    public IReadOnlyCollection<string> Companies => Vectors.Companies;

    /// <summary>
    /// Deletes <paramref name="deletes"/> and upserts <paramref name="upserts"/> in one company: atomic on the vector
    /// side (a search or commit sees all or none of it), then applied to the keyword side.
    /// </summary>
    public void Apply(string companyId, IReadOnlyList<HybridRecord> upserts, IReadOnlyList<string> deletes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upserts);
        ArgumentNullException.ThrowIfNull(deletes);
        Identifiers.ValidateCompanyId(companyId);
        var records = new VectorRecord[upserts.Count];
        for (var i = 0; i < upserts.Count; i++)
        {
            var record = upserts[i] ?? throw new ArgumentNullException(nameof(upserts), $"Record {i} is null.");
            ArgumentNullException.ThrowIfNull(record.Text, $"{nameof(upserts)}[{i}].{nameof(HybridRecord.Text)}");
            var metadata = new Dictionary<string, MetadataValue>(StringComparer.Ordinal);
            if (record.Metadata is not null)
            {
                foreach (var (name, value) in record.Metadata)
                {
                    if (name.StartsWith("werkly:", StringComparison.Ordinal))
                        throw new ArgumentException($"Metadata key '{name}' is reserved (keys starting with 'werkly:').", nameof(upserts));
                    metadata[name] = value;
                }
            }
            metadata[TextKey] = record.Text;
            if (record.Title is not null) metadata[TitleKey] = record.Title;
            records[i] = new VectorRecord(record.Key, record.Vector, metadata);
        }

        lock (_writeGate)
        {
            EnsureKeywordsLoaded(companyId);
            Vectors.Apply(companyId, records, deletes, cancellationToken);
            var partition = KeywordPartition(companyId);
            foreach (var key in deletes) partition.Delete(key);
            partition.UpsertRange(upserts.Select(r => new KeywordDocument(r.Key, r.Title, r.Text)), cancellationToken);
        }
    }

    /// <summary>Deletes one record; false when it did not exist.</summary>
    public bool Delete(string companyId, string key)
    {
        lock (_writeGate)
        {
            if (!Vectors.ContainsCompany(companyId)) return false;
            EnsureKeywordsLoaded(companyId);
            var deleted = Vectors.Delete(companyId, key);
            KeywordPartition(companyId).Delete(key);
            return deleted;
        }
    }

    /// <summary>Deletes a company with all its records; false when it did not exist.</summary>
    public bool DeleteCompany(string companyId)
    {
        lock (_writeGate)
        {
            // Vectors first: a keyword search loading the company meanwhile then finds it gone instead of installing
            // its old records again.
            var deleted = Vectors.DeleteCompany(companyId);
            lock (_keywordsLoaded)
            {
                _keywordsLoaded.TryRemove(companyId, out _);
                _keywords.DeleteCompany(companyId);
            }
            return deleted;
        }
    }

    /// <summary>Makes all writes durable; see <see cref="WerklyIndex.Commit"/>.</summary>
    public long Commit(CancellationToken cancellationToken = default) => Vectors.Commit(cancellationToken);

    /// <summary>Live records of a company (0 when unknown).</summary>
    public int Count(string companyId) => Vectors.Count(companyId);

    /// <summary>
    /// Searches one company: vector retrieval (with <see cref="HybridQuery.Vector"/> or the text embedded by
    /// <see cref="HybridIndexOptions.QueryEmbedder"/>), BM25 over <see cref="HybridQuery.Text"/>, or both fused.
    /// </summary>
    /// <returns>The requested page, best first, with the projections the query asked for.</returns>
    /// <exception cref="CompanyNotFoundException">The company has no records.</exception>
    /// <exception cref="ArgumentException">The vector side is needed but there is no query vector and no embedder.</exception>
    public IReadOnlyList<HybridHit> Search(string companyId, HybridQuery query, HybridSearchMode mode = HybridSearchMode.Hybrid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        if (!Vectors.ContainsCompany(companyId)) throw new CompanyNotFoundException(companyId);
        var candidates = query.EffectiveCandidatesPerSide;
        HybridRetriever vectorSide = (n, ct) => VectorHits(companyId, query, n, ct);
        HybridRetriever keywordSide = (n, ct) => KeywordHits(companyId, query.Text, n, ct);

        IReadOnlyList<HybridHit> hits = mode switch
        {
            HybridSearchMode.Hybrid => HybridSearch.Search(query, vectorSide, keywordSide, parallel: true, cancellationToken),
            HybridSearchMode.Vector => Single(vectorSide(candidates, cancellationToken), query, vector: true),
            HybridSearchMode.Keyword => Single(keywordSide(candidates, cancellationToken), query, vector: false),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown search mode."),
        };
        return Project(companyId, hits, query.Include);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _keywords.Dispose();
        Vectors.Dispose();
    }

    private RankedHit[] VectorHits(string companyId, HybridQuery query, int candidates, CancellationToken cancellationToken)
    {
        var vector = query.Vector ?? (Options.QueryEmbedder ?? throw new ArgumentException(
            "This search needs a query vector: set HybridQuery.Vector or HybridIndexOptions.QueryEmbedder.", nameof(query)))(query.Text, cancellationToken);
        var hits = Vectors.Search(companyId, vector.Span, candidates);
        var ranked = new RankedHit[hits.Length];
        for (var i = 0; i < hits.Length; i++) ranked[i] = new RankedHit(hits[i].Key, hits[i].Score);
        return ranked;
    }

    private RankedHit[] KeywordHits(string companyId, string text, int candidates, CancellationToken cancellationToken)
    {
        EnsureKeywordsLoaded(companyId);
        return HybridSearch.ToRankedHits(KeywordPartition(companyId).Search(text, candidates, null, cancellationToken));
    }

    /// <summary>One side's ranking as the result page, with its own scores and an explanation of that side.</summary>
    private static HybridHit[] Single(IReadOnlyList<RankedHit> ranked, HybridQuery query, bool vector)
    {
        var page = ranked.Skip(query.Fusion.Skip).Take(query.Fusion.Top).Select((h, i) =>
        {
            var rank = query.Fusion.Skip + i + 1;
            var hit = new HybridHit(h.Key, h.Score);
            if (!query.Fusion.Explain) return hit;
            return hit with
            {
                Explanation = vector
                    ? new HybridExplanation(rank, h.Score, null, null, h.Score, 0, query.Fusion.Method)
                    : new HybridExplanation(null, null, rank, h.Score, 0, h.Score, query.Fusion.Method),
            };
        });
        return [.. page];
    }

    /// <summary>Fills the projections and drops any hit the vector side no longer has (deleted meanwhile).</summary>
    private List<HybridHit> Project(string companyId, IReadOnlyList<HybridHit> hits, HybridProjection include)
    {
        var result = new List<HybridHit>(hits.Count);
        float[]? buffer = (include & HybridProjection.Vector) != 0 ? new float[Vectors.Dimensions] : null;
        foreach (var hit in hits)
        {
            if (!Vectors.TryGetMetadata(companyId, hit.Key, out var metadata)) continue;
            var projected = hit;
            if ((include & HybridProjection.Text) != 0 && metadata is not null && metadata.TryGetValue(TextKey, out var text))
                projected = projected with { Text = text.AsString() };
            if ((include & HybridProjection.Metadata) != 0)
                projected = projected with { Metadata = UserMetadata(metadata) };
            if (buffer is not null && Vectors.TryGetVector(companyId, hit.Key, buffer))
                projected = projected with { Vector = buffer.ToArray() };
            result.Add(projected);
        }
        return result;
    }

    private static Dictionary<string, MetadataValue> UserMetadata(IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        var user = new Dictionary<string, MetadataValue>(StringComparer.Ordinal);
        if (metadata is null) return user;
        foreach (var (name, value) in metadata)
        {
            if (!name.StartsWith("werkly:", StringComparison.Ordinal)) user[name] = value;
        }
        return user;
    }

    private InvertedIndex KeywordPartition(string companyId) => _keywords.Partition(companyId);

    /// <summary>
    /// Loads a company's keyword partition once per opening: from the keyword blocks of its segment files (postings
    /// as stored, nothing analyzed), or, for a segment without a block or with one from other analysis options, from
    /// the title and text stored with each record. Deleted rows are skipped; statistics cover the live records only.
    /// </summary>
    /// <exception cref="Exceptions.IndexCorruptedException">A keyword block is damaged.</exception>
    private void EnsureKeywordsLoaded(string companyId)
    {
        if (_keywordsLoaded.ContainsKey(companyId)) return;
        lock (_keywordsLoaded)
        {
            if (_keywordsLoaded.ContainsKey(companyId)) return;
            var partition = new InvertedIndex(Options.Keyword);
            try
            {
                if (Vectors.ContainsCompany(companyId)) LastKeywordLoad = LoadKeywords(companyId, partition);
                _keywords.Install(companyId, partition);
            }
            catch
            {
                partition.Dispose();
                throw;
            }
            _keywordsLoaded[companyId] = true;
        }
    }

    private KeywordLoadStatistics LoadKeywords(string companyId, InvertedIndex partition)
    {
        var watch = Stopwatch.StartNew();
        var fingerprint = KeywordSegment.Fingerprint(Options.Keyword.Analysis);
        int fromBlocks = 0, analyzed = 0, documents = 0;
        Vectors.ReadSegments(companyId, segments =>
        {
            foreach (var segment in segments)
            {
                if (segment.RowCount == 0) continue;
                var keys = new string?[segment.RowCount];
                for (var row = 0; row < keys.Length; row++)
                {
                    if (!segment.Deleted.Contains(row)) keys[row] = segment.GetKey(row);
                }
                if (segment is MappedIvfSegment { Segment.HasKeywords: true } mapped)
                {
                    var payload = mapped.Segment.GetKeywords(out var offset);
                    int appended;
                    try
                    {
                        appended = partition.AppendSegment(payload, keys, fingerprint);
                    }
                    catch (KeywordSegmentException ex)
                    {
                        throw new IndexCorruptedException(mapped.Segment.Path, offset + ex.Offset, ex.Message, ex);
                    }
                    if (appended >= 0)
                    {
                        documents += appended;
                        fromBlocks++;
                        continue;
                    }
                }
                for (var row = 0; row < keys.Length; row++)
                {
                    if (keys[row] is not { } key || TextOf(segment.GetMetadata(row)) is not { } text) continue;
                    partition.Upsert(key, text.Title, text.Body);
                    documents++;
                }
                analyzed++;
            }
        });
        return new KeywordLoadStatistics(watch.Elapsed, documents, fromBlocks, analyzed);
    }

    /// <summary>A record's keyword fields from its metadata, or null when it has neither title nor text.</summary>
    private static (string? Title, string? Body)? TextOf(IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        if (metadata is null) return null;
        var text = metadata.TryGetValue(TextKey, out var t) ? t.AsString() : null;
        var title = metadata.TryGetValue(TitleKey, out var ti) ? ti.AsString() : null;
        return text is null && title is null ? null : (title, text);
    }

    /// <summary>How the last keyword partition was loaded after opening (for diagnostics and benchmarks).</summary>
    public KeywordLoadStatistics? LastKeywordLoad { get; private set; }
}

/// <summary>How a company's keyword partition was loaded on its first use after opening.</summary>
/// <param name="Elapsed">Time taken.</param>
/// <param name="Documents">Live records with keyword text.</param>
/// <param name="SegmentsFromBlocks">Segments whose stored postings were loaded as they are.</param>
/// <param name="SegmentsAnalyzed">Segments whose stored texts were analyzed again: written without a keyword block (by
/// <see cref="WerklyIndex"/> alone or an older version), with other analysis options or a newer block layout, or not
/// yet committed.</param>
public readonly record struct KeywordLoadStatistics(TimeSpan Elapsed, int Documents, int SegmentsFromBlocks, int SegmentsAnalyzed);
