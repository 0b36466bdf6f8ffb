using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Hybrid;
using Werkly.VectorIndex.Partitions;

namespace Werkly.VectorIndex.VectorData.Engine;

/// <summary>The settings an <see cref="EngineCollection"/> is opened with; fixed for the life of a collection.</summary>
/// <param name="Dimensions">Vector length (1 for a collection without vectors).</param>
/// <param name="Metric">The engine metric.</param>
/// <param name="Flat">Exact search only (no IVF lists).</param>
/// <param name="Partitioned">Records are spread over tenant partitions (keys are still unique in the collection).</param>
/// <param name="KeepOriginalVectors">Under cosine, also keep each vector as written, so reads return it exactly.</param>
/// <param name="SecondaryTextKeys">Metadata keys of the full-text fields beyond the primary one.</param>
internal sealed record EngineSettings(
    int Dimensions,
    DistanceMetric Metric,
    bool Flat,
    bool Partitioned,
    bool KeepOriginalVectors,
    IReadOnlyList<string> SecondaryTextKeys);

/// <summary>A record to write: its partition, key, vector, primary text and metadata.</summary>
internal sealed record EngineWrite(string Company, string Key, ReadOnlyMemory<float> Vector, string? Text, IReadOnlyDictionary<string, MetadataValue> Metadata);

/// <summary>A stored record as read back.</summary>
internal sealed record EngineRecord(string Company, string Key, IReadOnlyDictionary<string, MetadataValue>? Metadata, float[]? Vector);

/// <summary>One search hit: the engine's score (higher is better) and the stored metadata.</summary>
internal readonly record struct EngineHit(string Key, double Score, IReadOnlyDictionary<string, MetadataValue>? Metadata);

/// <summary>Decides whether a stored record passes a filter; evaluated inside the engine's scan.</summary>
internal delegate bool EnginePredicate(string key, IReadOnlyDictionary<string, MetadataValue>? metadata);

/// <summary>
/// THE adapter between the connector and the engine: every call the VectorData package makes into
/// Werkly.VectorIndex goes through this type, so that porting to the redesigned engine (one public index with
/// optional text and one query API with a filter) is a change of this file alone.
/// </summary>
/// <remarks>
/// <para>Today it runs on <see cref="HybridIndex"/>: vectors, the primary text (BM25) and metadata per record, one
/// partition per company. What the engine does not offer yet is made up for here, each marked "Workaround":
/// a collection-wide key directory (the engine's keys are unique per company only), scans by filter, a filtered
/// keyword side for hybrid search, in-memory keyword indexes for secondary text fields, original vectors under
/// cosine, and validation of a whole multi-company batch before any of it is applied.</para>
/// <para>Threading: reads run concurrently; writes are serialised by the caller's write gate and, here, by
/// <c>_writeGate</c>. Disposal is guarded by the owner's lease (<c>CollectionEntry</c>): no call runs while the
/// engine is disposed.</para>
/// </remarks>
internal sealed class EngineCollection : IDisposable
{
    /// <summary>The one partition of a collection without a tenant property.</summary>
    internal const string DefaultCompany = "collection";

    // Connector-reserved metadata keys ("$" prefix; storage names may not start with it).
    private const string NullTextKey = "$text-null";
    private const string OriginalVectorKey = "$vector";

    private readonly HybridIndex _index;
    private readonly object _writeGate = new();
    // Workaround (no cross-partition key lookup in the engine): key → company, for partitioned collections.
    private readonly ConcurrentDictionary<string, string>? _companyOfKey;
    // Workaround (one keyword field per record in the engine): secondary text fields in memory, per field and company.
    // Entries are added under _writeGate, so a write either finds the index (and updates it) or the index is built later.
    private readonly ConcurrentDictionary<(int Field, string Company), HybridIndex> _secondary = new();

    private EngineCollection(HybridIndex index, EngineSettings settings)
    {
        _index = index;
        Settings = settings;
        if (settings.Partitioned)
        {
            _companyOfKey = new(StringComparer.Ordinal);
            foreach (var company in index.Companies)
            {
                foreach (var key in index.Vectors.GetKeys(company)) _companyOfKey[key] = company;
            }
        }
    }

    /// <summary>Opens (or creates) the engine of one collection; in memory when <paramref name="directory"/> is null.</summary>
    public static EngineCollection Open(string? directory, EngineSettings settings)
    {
        var vector = new VectorIndexOptions
        {
            Dimensions = settings.Dimensions,
            Metric = settings.Metric,
            FlatSearchThreshold = settings.Flat ? int.MaxValue : new VectorIndexOptions { Dimensions = 1 }.FlatSearchThreshold,
        };
        var options = new HybridIndexOptions { Vector = vector };
        return new EngineCollection(directory is null ? new HybridIndex(options) : HybridIndex.Open(directory, options), settings);
    }

    public EngineSettings Settings { get; }

    /// <summary>The engine's vector index of this collection, for benchmarks that compare the connector with the engine
    /// on the very same index.</summary>
    internal WerklyIndex VectorsForBenchmarks => _index.Vectors;

    /// <summary>Live records in the collection.</summary>
    public int Count => _index.Companies.Sum(_index.Count);

    /// <summary>The partitions that hold records.</summary>
    public IReadOnlyCollection<string> Companies => _index.Companies;

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="key"/> can be stored and read back exactly.</summary>
    public static void ValidateKey(string key, string paramName)
    {
        try
        {
            Identifiers.ValidateKey(key);
        }
        catch (InvalidIdentifierException ex)
        {
            throw new ArgumentException(ex.Message, paramName, ex);
        }
        // Workaround: today's engine rewrites lone surrogates in keys at commit (issue 10, point 5).
        for (var i = 0; i < key.Length; i++)
        {
            if (!char.IsSurrogate(key[i])) continue;
            if (char.IsHighSurrogate(key[i]) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1])) { i++; continue; }
            throw new ArgumentException($"The key holds a lone surrogate U+{(int)key[i]:X4} at index {i}; keys must be valid UTF-16.", paramName);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="company"/> is a valid partition id.</summary>
    public static void ValidateCompany(string company, string paramName)
    {
        try
        {
            Identifiers.ValidateCompanyId(company);
        }
        catch (InvalidIdentifierException ex)
        {
            throw new ArgumentException(ex.Message, paramName, ex);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="vector"/> fits the collection: the checks the
    /// engine makes on write, made first so that a batch spanning several partitions never fails half-way.</summary>
    public void ValidateVector(ReadOnlySpan<float> vector, string paramName)
    {
        if (vector.Length != Settings.Dimensions) throw new DimensionMismatchException(Settings.Dimensions, vector.Length, paramName);
        var sumOfSquares = TensorPrimitives.SumOfSquares(vector);
        if (!float.IsFinite(sumOfSquares))
        {
            for (var i = 0; i < vector.Length; i++)
            {
                if (!float.IsFinite(vector[i]))
                    throw new InvalidVectorException($"Component {i} of the vector is {vector[i]}; vectors must hold finite numbers.", paramName);
            }
            throw new InvalidVectorException("The vector's squared norm overflows float; scale the vector down.", paramName);
        }
        if (Settings.Metric == DistanceMetric.Cosine && sumOfSquares == 0)
            throw new InvalidVectorException("A zero vector has no direction and cannot be compared by cosine similarity.", paramName);
    }

    /// <summary>
    /// Upserts <paramref name="upserts"/> and deletes <paramref name="deletes"/> (by key, wherever they are). Each
    /// partition's share is applied atomically; the caller has validated every record, so nothing throws between two
    /// partitions. A key upserted into another partition than the one holding it moves.
    /// </summary>
    public void Write(IReadOnlyList<EngineWrite> upserts, IReadOnlyCollection<string> deletes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            var changes = new Dictionary<string, (List<HybridRecord> Upserts, List<string> Deletes)>(StringComparer.Ordinal);
            (List<HybridRecord> Upserts, List<string> Deletes) Change(string company)
            {
                if (!changes.TryGetValue(company, out var change)) changes[company] = change = ([], []);
                return change;
            }

            foreach (var key in deletes)
            {
                if (CompanyOf(key) is { } company) Change(company).Deletes.Add(key);
            }
            var existing = new HashSet<string>(_index.Companies, StringComparer.Ordinal);
            var newCompanies = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var write in upserts)
            {
                if (CompanyOf(write.Key) is { } old && !string.Equals(old, write.Company, StringComparison.Ordinal)) Change(old).Deletes.Add(write.Key);
                if (!existing.Contains(write.Company)) newCompanies.Add(write.Company);
                Change(write.Company).Upserts.Add(ToEngine(write));
            }
            // Workaround (issue 10, point 2): company ids that differ only in case poison today's commits; the
            // redesigned engine rejects them with InvalidIdentifierException. Reject them here, before any change.
            foreach (var company in newCompanies)
            {
                var clash = existing.FirstOrDefault(c => string.Equals(c, company, StringComparison.OrdinalIgnoreCase));
                if (clash is not null)
                    throw new InvalidIdentifierException($"Tenant '{company}' differs only in case from the existing tenant '{clash}'.", nameof(upserts));
            }
            var batchCompanies = upserts.Select(u => u.Company).Distinct(StringComparer.Ordinal)
                .GroupBy(c => c, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (batchCompanies is not null)
                throw new InvalidIdentifierException($"Tenants '{string.Join("', '", batchCompanies)}' differ only in case.", nameof(upserts));

            foreach (var (company, change) in changes)
            {
                if (change.Upserts.Count == 0 && !existing.Contains(company)) continue;
                _index.Apply(company, change.Upserts, change.Deletes, CancellationToken.None);
                UpdateSecondary(company, change.Upserts, change.Deletes);
            }
            if (_companyOfKey is not null)
            {
                foreach (var key in deletes) _companyOfKey.TryRemove(key, out _);
                foreach (var write in upserts) _companyOfKey[write.Key] = write.Company;
            }
        }
    }

    /// <summary>Makes every write durable (a persisted collection); see <see cref="HybridIndex.Commit"/>.</summary>
    public void Commit(CancellationToken cancellationToken) => _index.Commit(cancellationToken);

    /// <summary>The record with <paramref name="key"/>, or null.</summary>
    public EngineRecord? Get(string key, bool includeVector)
    {
        if (CompanyOf(key) is not { } company) return null;
        if (!_index.Vectors.TryGetMetadata(company, key, out var metadata)) return null;
        return new EngineRecord(company, key, metadata, includeVector ? VectorOf(company, key, metadata) : null);
    }

    /// <summary>
    /// The records of <paramref name="company"/> that pass <paramref name="predicate"/>, in key order.
    /// Workaround: the engine has no scan by filter; this lists the partition's keys and reads each record.
    /// </summary>
    public List<EngineRecord> Scan(string company, EnginePredicate? predicate, bool includeVectors, CancellationToken cancellationToken)
    {
        var result = new List<EngineRecord>();
        if (!_index.Vectors.ContainsCompany(company)) return result;
        IReadOnlyList<string> keys;
        try
        {
            keys = _index.Vectors.GetKeys(company);
        }
        catch (CompanyNotFoundException)
        {
            return result;
        }
        var ordered = keys.ToArray();
        Array.Sort(ordered, StringComparer.Ordinal);
        for (var i = 0; i < ordered.Length; i++)
        {
            if ((i & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            var key = ordered[i];
            if (!_index.Vectors.TryGetMetadata(company, key, out var metadata)) continue;
            if (predicate is not null && !predicate(key, metadata)) continue;
            result.Add(new EngineRecord(company, key, metadata, includeVectors ? VectorOf(company, key, metadata) : null));
        }
        return result;
    }

    /// <summary>The <paramref name="k"/> records of <paramref name="company"/> closest to <paramref name="query"/> that pass
    /// <paramref name="predicate"/> (evaluated inside the scan), best first.</summary>
    public EngineHit[] Search(string company, ReadOnlySpan<float> query, int k, EnginePredicate? predicate)
    {
        // k is clamped to the partition's size: today's engine allocates k slots up front (issue 10, point 9).
        var count = _index.Count(company);
        if (count == 0) return [];
        var options = predicate is null ? null : new SearchOptions { Filter = (key, metadata) => predicate(key, metadata) };
        SearchHit[] hits;
        try
        {
            hits = _index.Vectors.Search(company, query, Math.Min(k, count), options);
        }
        catch (CompanyNotFoundException)
        {
            return [];
        }
        var result = new EngineHit[hits.Length];
        for (var i = 0; i < hits.Length; i++) result[i] = new EngineHit(hits[i].Key, hits[i].Score, hits[i].Metadata);
        return result;
    }

    /// <summary>
    /// Hybrid search of one partition: vector hits and BM25 hits over text field <paramref name="textField"/> (0 is
    /// the primary text, i the i-th secondary field), both filtered by <paramref name="predicate"/>, fused as the engine
    /// fuses (weighted normalised scores), and the page [skip, skip + top).
    /// </summary>
    public IReadOnlyList<EngineHit> HybridSearch(string company, ReadOnlyMemory<float> query, string keywords, int textField, int top, int skip,
        EnginePredicate? predicate, CancellationToken cancellationToken)
    {
        var count = _index.Count(company);
        if (count == 0) return [];
        var candidates = Math.Min(Math.Max(100, skip + top), count);
        var vector = Search(company, query.Span, candidates, predicate).Select(h => new RankedHit(h.Key, h.Score)).ToArray();
        var keyword = string.IsNullOrWhiteSpace(keywords) ? [] : KeywordHits(company, keywords, textField, candidates, predicate, cancellationToken);
        var fused = ScoreFusion.Fuse(vector, keyword, new FusionOptions { Top = Math.Min(top, FusionOptions.MaxTop), Skip = skip });
        var result = new List<EngineHit>(fused.Count);
        foreach (var hit in fused)
        {
            if (_index.Vectors.TryGetMetadata(company, hit.Key, out var metadata)) result.Add(new EngineHit(hit.Key, hit.Score, metadata));
        }
        return result;
    }

    /// <summary>The stored vector of a record, exactly as written (see <see cref="EngineSettings.KeepOriginalVectors"/>).</summary>
    public float[]? VectorOf(string company, string key, IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        if (metadata is not null && metadata.TryGetValue(OriginalVectorKey, out var original))
        {
            var values = original.AsNumberList();
            var copy = new float[values.Count];
            for (var i = 0; i < copy.Length; i++) copy[i] = (float)values[i];
            return copy;
        }
        var buffer = new float[Settings.Dimensions];
        return _index.Vectors.TryGetVector(company, key, buffer) ? buffer : null;
    }

    /// <summary>The primary text of a stored record (null when it was written as null).</summary>
    public static string? TextOf(IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        if (metadata is null || metadata.ContainsKey(NullTextKey)) return null;
        return metadata.TryGetValue(HybridIndex.TextKey, out var text) ? text.AsString() : null;
    }

    /// <summary>Whether <paramref name="storageName"/> collides with a key the engine or this adapter reserves.</summary>
    public static bool IsReservedMetadataKey(string storageName) =>
        storageName.StartsWith('$') || storageName.StartsWith("werkly:", StringComparison.Ordinal);

    public void Dispose()
    {
        foreach (var secondary in _secondary.Values) secondary.Dispose();
        _secondary.Clear();
        _index.Dispose();
    }

    private string? CompanyOf(string key)
    {
        if (_companyOfKey is null) return _index.Vectors.ContainsCompany(DefaultCompany) ? DefaultCompany : null;
        return _companyOfKey.TryGetValue(key, out var company) ? company : null;
    }

    private HybridRecord ToEngine(EngineWrite write)
    {
        var metadata = write.Metadata;
        var extra = write.Text is null || (Settings.KeepOriginalVectors && Settings.Metric == DistanceMetric.Cosine);
        if (extra)
        {
            var copy = new Dictionary<string, MetadataValue>(metadata, StringComparer.Ordinal);
            if (write.Text is null) copy[NullTextKey] = true;
            if (Settings.KeepOriginalVectors && Settings.Metric == DistanceMetric.Cosine)
            {
                var span = write.Vector.Span;
                var values = new double[span.Length];
                for (var i = 0; i < values.Length; i++) values[i] = span[i];
                copy[OriginalVectorKey] = MetadataValue.FromNumberList(values);
            }
            metadata = copy;
        }
        return new HybridRecord(write.Key, write.Vector, null, write.Text ?? "", metadata);
    }

    private RankedHit[] KeywordHits(string company, string keywords, int textField, int candidates, EnginePredicate? predicate,
        CancellationToken cancellationToken)
    {
        var index = textField == 0 ? _index : Secondary(textField, company);
        // Workaround (no filtered keyword search in the engine): fetch more BM25 hits until `candidates` pass the
        // filter or the partition has no more matches.
        for (var fetch = candidates; ; fetch = (int)Math.Min(fetch * 4L, 100_000))
        {
            var query = new HybridQuery(keywords)
            {
                Fusion = new FusionOptions { Top = Math.Min(fetch, FusionOptions.MaxTop) },
                CandidatesPerSide = fetch,
            };
            List<HybridHit> hits;
            try
            {
                // Keyword mode pages at most MaxTop; deeper candidates come through more pages of the same query.
                var all = new List<HybridHit>();
                for (var skip = 0; skip < fetch; skip += FusionOptions.MaxTop)
                {
                    var page = index.Search(company, query with { Fusion = query.Fusion with { Skip = skip, Top = Math.Min(FusionOptions.MaxTop, fetch - skip) } },
                        HybridSearchMode.Keyword, cancellationToken);
                    all.AddRange(page);
                    if (page.Count < Math.Min(FusionOptions.MaxTop, fetch - skip)) break;
                }
                hits = all;
            }
            catch (CompanyNotFoundException)
            {
                return [];
            }
            var passed = new List<RankedHit>(Math.Min(hits.Count, candidates));
            foreach (var hit in hits)
            {
                if (predicate is not null)
                {
                    if (!_index.Vectors.TryGetMetadata(company, hit.Key, out var metadata) || !predicate(hit.Key, metadata)) continue;
                }
                passed.Add(new RankedHit(hit.Key, hit.Score));
                if (passed.Count == candidates) return [.. passed];
            }
            if (hits.Count < fetch || fetch >= 100_000) return [.. passed];
        }
    }

    private HybridIndex Secondary(int field, string company)
    {
        if (_secondary.TryGetValue((field, company), out var ready)) return ready;
        // Built from the stored metadata on first use; kept in step by Write afterwards.
        var index = new HybridIndex(new HybridIndexOptions { Vector = new VectorIndexOptions { Dimensions = 1, Metric = DistanceMetric.InnerProduct } });
        lock (_writeGate)
        {
            if (_secondary.TryGetValue((field, company), out ready))
            {
                index.Dispose();
                return ready;
            }
            if (_index.Vectors.ContainsCompany(company))
            {
                var records = new List<HybridRecord>();
                foreach (var k in _index.Vectors.GetKeys(company))
                {
                    if (_index.Vectors.TryGetMetadata(company, k, out var metadata))
                        records.Add(SecondaryRecord(k, metadata, Settings.SecondaryTextKeys[field - 1]));
                }
                if (records.Count > 0) index.Apply(company, records, []);
            }
            _secondary[(field, company)] = index;
        }
        return index;
    }

    private void UpdateSecondary(string company, List<HybridRecord> upserts, List<string> deletes)
    {
        for (var field = 1; field <= Settings.SecondaryTextKeys.Count; field++)
        {
            if (!_secondary.TryGetValue((field, company), out var index)) continue;
            var key = Settings.SecondaryTextKeys[field - 1];
            index.Apply(company, [.. upserts.Select(r => SecondaryRecord(r.Key, r.Metadata, key))], deletes);
        }
    }

    private static readonly float[] UnitVector = [1f];

    private static HybridRecord SecondaryRecord(string key, IReadOnlyDictionary<string, MetadataValue>? metadata, string textKey)
    {
        var text = "";
        if (metadata is not null && metadata.TryGetValue(textKey, out var value))
        {
            text = value.Kind switch
            {
                MetadataKind.String => value.AsString(),
                MetadataKind.StringList => string.Join('\n', value.AsStringList()),
                _ => "",
            };
        }
        return new HybridRecord(key, UnitVector, null, text);
    }
}
