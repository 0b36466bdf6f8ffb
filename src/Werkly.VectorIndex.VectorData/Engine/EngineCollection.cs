using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Exceptions;

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


/// <summary>
/// THE adapter between the connector and the engine: every call the VectorData package makes into
/// Werkly.VectorIndex goes through this type, so that porting to the redesigned engine (one public index with
/// optional text and one query API with a filter) is a change of this file alone.
/// </summary>
/// <remarks>
/// <para>It runs on <see cref="WerklyIndex"/>: vectors, the primary text (BM25) and metadata per record, one partition
/// per company, hybrid search with one filter on both sides, and (for a persisted collection) the write-ahead log, so a
/// write is durable when it returns without a commit per write. What the engine does not offer is made up for here,
/// each marked "Workaround": a collection-wide key directory (the engine's keys are unique per company only), scans by
/// filter, in-memory indexes for secondary text fields, original vectors under cosine, and validation of a whole
/// multi-company batch before any of it is applied.</para>
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

    // The stored map carries the primary text under this key (the engine's reserved title/text entries), so filters
    // and record mapping read it like any other field.
    internal const string TextKey = "werkly:text";

    // A persisted collection commits after this many records written (the write-ahead log keeps them durable
    // meanwhile; a commit folds them into segments and empties the log).
    private const int RecordsPerCommit = 50_000;

    private readonly WerklyIndex _index;
    private int _writtenSinceCommit;
    private readonly object _writeGate = new();
    // Workaround (no cross-partition key lookup in the engine): key → company, for partitioned collections.
    private readonly ConcurrentDictionary<string, string>? _companyOfKey;
    // Workaround (one keyword field per record in the engine): secondary text fields in memory, per field and company.
    // Entries are added under _writeGate, so a write either finds the index (and updates it) or the index is built later.
    // Each holds the same records with the field's text as the primary one, so hybrid search runs on it directly.
    private readonly ConcurrentDictionary<(int Field, string Company), WerklyIndex> _secondary = new();

    private EngineCollection(WerklyIndex index, EngineSettings settings)
    {
        _index = index;
        Settings = settings;
        if (settings.Partitioned)
        {
            _companyOfKey = new(StringComparer.Ordinal);
            foreach (var company in index.Companies)
            {
                foreach (var key in index.GetKeys(company)) _companyOfKey[key] = company;
            }
        }
    }

    /// <summary>Opens (or creates) the engine of one collection; in memory when <paramref name="directory"/> is null.</summary>
    /// <param name="directory">The collection's folder, or null.</param>
    /// <param name="settings">The collection's settings.</param>
    /// <param name="durableWrites">A write is durable when it returns (the engine's write-ahead log); otherwise at commit.</param>
    public static EngineCollection Open(string? directory, EngineSettings settings, bool durableWrites = true)
    {
        var options = Options(settings) with { Durability = durableWrites ? Durability.PerWrite : Durability.OnCommit };
        return new EngineCollection(directory is null ? new WerklyIndex(options) : WerklyIndex.Open(directory, options), settings);
    }

    private static WerklyIndexOptions Options(EngineSettings settings)
    {
        var options = new WerklyIndexOptions { Dimensions = settings.Dimensions, Metric = settings.Metric };
        return settings.Flat ? options with { FlatSearchThreshold = int.MaxValue } : options;
    }

    public EngineSettings Settings { get; }

    /// <summary>The engine index of this collection, for benchmarks that compare the connector with the engine on the
    /// very same index.</summary>
    internal WerklyIndex IndexForBenchmarks => _index;

    /// <summary>Live records in the collection.</summary>
    public int Count => _index.Companies.Sum(_index.Count);

    /// <summary>The partitions that hold records.</summary>
    public IReadOnlyCollection<string> Companies => _index.Companies;

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="key"/> can be stored and read back exactly.</summary>
    public static void ValidateKey(string key, string paramName)
    {
        try
        {
            InvalidIdentifierException.ThrowIfInvalidKey(key);
        }
        catch (InvalidIdentifierException ex)
        {
            throw new ArgumentException(ex.Reason, paramName, ex);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="company"/> is a valid partition id.</summary>
    public static void ValidateCompany(string company, string paramName)
    {
        try
        {
            InvalidIdentifierException.ThrowIfInvalidCompanyId(company);
        }
        catch (InvalidIdentifierException ex)
        {
            throw new ArgumentException(ex.Reason, paramName, ex);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="vector"/> fits the collection: the checks the
    /// engine makes on write, made first so that a batch spanning several partitions never fails half-way.</summary>
    public void ValidateVector(ReadOnlySpan<float> vector, string paramName) => ValidateVector(vector, Settings.Dimensions, Settings.Metric, paramName);

    /// <summary>The checks of <see cref="ValidateVector(ReadOnlySpan{float}, string)"/> for a collection of <paramref name="dimensions"/>
    /// and <paramref name="metric"/> (the Postgres backend accepts exactly what the engine accepts).</summary>
    public static void ValidateVector(ReadOnlySpan<float> vector, int dimensions, DistanceMetric metric, string paramName)
    {
        if (vector.Length != dimensions) throw new DimensionMismatchException(dimensions, vector.Length, paramName);
        // In bulk first (SIMD): a finite float sum of squares means every component is finite, a positive one that some
        // component is not zero, and one below float.MaxValue / 8 that the exact double sum is below the bound. Only a
        // vector that fails it (or overflows the float sum) is checked component by component, for the exact message.
        var bulk = TensorPrimitives.SumOfSquares(vector);
        if (float.IsFinite(bulk) && (metric == DistanceMetric.Cosine ? bulk > 0 : bulk <= float.MaxValue / 8)) return;
        for (var i = 0; i < vector.Length; i++)
        {
            if (!float.IsFinite(vector[i]))
                throw new InvalidVectorException($"Component {i} of the vector is {vector[i]}; vectors must hold finite numbers.", paramName);
        }
        if (metric == DistanceMetric.Cosine)
        {
            if (vector.IndexOfAnyExcept(0f) < 0)
                throw new InvalidVectorException("A zero vector has no direction and cannot be compared by cosine similarity.", paramName);
            return;
        }
        // The engine's bound: |a|² ≤ float.MaxValue / 4 keeps every inner product and squared distance finite.
        double sumOfSquares = 0;
        foreach (var x in vector) sumOfSquares += (double)x * x;
        if (sumOfSquares > float.MaxValue / 4.0)
            throw new InvalidVectorException($"The vector's squared norm {sumOfSquares:G4} is too large: scores with it could overflow float; scale the vectors down.", paramName);
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
            var changes = new Dictionary<string, (List<VectorRecord> Upserts, List<string> Deletes)>(StringComparer.Ordinal);
            (List<VectorRecord> Upserts, List<string> Deletes) Change(string company)
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
            // The engine rejects a company id that differs only in case from an existing one when it is written to; a
            // batch spanning several companies is checked whole first, so it never fails half-way.
            foreach (var company in newCompanies) _index.ValidateCompanyId(company);
            var batchCompanies = upserts.Select(u => u.Company).Distinct(StringComparer.Ordinal)
                .GroupBy(c => c, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (batchCompanies is not null)
                throw new InvalidIdentifierException($"Tenants '{string.Join("', '", batchCompanies)}' differ only in case.", nameof(upserts));

            foreach (var (company, change) in changes)
            {
                if (change.Upserts.Count == 0 && !existing.Contains(company)) continue;
                _index.Apply(company, change.Upserts, change.Deletes, CancellationToken.None);
                UpdateSecondary(company, change.Upserts, change.Deletes);
                _writtenSinceCommit += change.Upserts.Count + change.Deletes.Count;
            }
            if (_companyOfKey is not null)
            {
                foreach (var key in deletes) _companyOfKey.TryRemove(key, out _);
                foreach (var write in upserts) _companyOfKey[write.Key] = write.Company;
            }
            if (_index.DirectoryPath is not null && _index.Options.Durability == Durability.PerWrite && _writtenSinceCommit >= RecordsPerCommit)
            {
                _index.Commit(CancellationToken.None);
                _writtenSinceCommit = 0;
            }
        }
    }

    /// <summary>Folds every write into the collection's segment files (a persisted collection); see <see cref="WerklyIndex.Commit"/>.</summary>
    public void Commit(CancellationToken cancellationToken)
    {
        _index.Commit(cancellationToken);
        lock (_writeGate) _writtenSinceCommit = 0;
    }

    /// <summary>Whether a write is durable when it returns (no commit per write needed).</summary>
    public bool DurableWrites => _index.DirectoryPath is not null && _index.Options.Durability == Durability.PerWrite;

    /// <summary>The record with <paramref name="key"/>, or null.</summary>
    public EngineRecord? Get(string key, bool includeVector)
    {
        if (CompanyOf(key) is not { } company) return null;
        if (!_index.TryGetRecord(company, key, out var record)) return null;
        var metadata = StoredMap(record);
        return new EngineRecord(company, key, metadata, includeVector ? VectorOf(company, key, metadata) : null);
    }

    /// <summary>The map as the connector stored it: the record's metadata and its primary text under <see cref="TextKey"/>.</summary>
    private static Dictionary<string, MetadataValue> StoredMap(VectorRecord record)
    {
        var map = record.Metadata is null ? new Dictionary<string, MetadataValue>(StringComparer.Ordinal) : new Dictionary<string, MetadataValue>(record.Metadata, StringComparer.Ordinal);
        if (record.Text is not null) map[TextKey] = record.Text;
        return map;
    }

    /// <summary>
    /// The records of <paramref name="company"/> that pass <paramref name="predicate"/>, in key order.
    /// Workaround: the engine has no scan by filter; this lists the partition's keys and reads each record.
    /// </summary>
    public List<EngineRecord> Scan(string company, EnginePredicate? predicate, bool includeVectors, CancellationToken cancellationToken)
    {
        var result = new List<EngineRecord>();
        if (!_index.ContainsCompany(company)) return result;
        IReadOnlyList<string> keys;
        try
        {
            keys = _index.GetKeys(company);
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
            if (!_index.TryGetRecord(company, key, out var record)) continue;
            var metadata = StoredMap(record);
            if (predicate is not null && !predicate(key, metadata)) continue;
            result.Add(new EngineRecord(company, key, metadata, includeVectors ? VectorOf(company, key, metadata) : null));
        }
        return result;
    }

    /// <summary>The <paramref name="k"/> records of <paramref name="company"/> closest to <paramref name="query"/> that pass
    /// <paramref name="predicate"/> (evaluated inside the scan), best first.</summary>
    /// <remarks>The very call a user of the engine makes (<see cref="WerklyIndex.Search(string, ReadOnlySpan{float}, int, SearchOptions?)"/>,
    /// no options without a predicate), and its hits as they come.</remarks>
    public SearchHit[] Search(string company, ReadOnlySpan<float> query, int k, EnginePredicate? predicate)
    {
        // An unknown tenant finds nothing; asked first, so that the common miss costs no exception.
        if (!_index.ContainsCompany(company)) return [];
        var options = predicate is null ? null : new SearchOptions { Filter = predicate };
        try
        {
            // Still caught: the partition can go between the two calls.
            return _index.Search(company, query, k, options);
        }
        catch (CompanyNotFoundException)
        {
            return [];
        }
    }

    /// <summary>
    /// Hybrid search of one partition: vector hits and BM25 hits over text field <paramref name="textField"/> (0 is
    /// the primary text, i the i-th secondary field), both filtered by <paramref name="predicate"/>, fused as the engine
    /// fuses (weighted normalised scores), and the page [skip, skip + top).
    /// </summary>
    public IReadOnlyList<EngineHit> HybridSearch(string company, ReadOnlyMemory<float> query, string keywords, int textField, int top, int skip,
        EnginePredicate? predicate, CancellationToken cancellationToken)
    {
        if (_index.Count(company) == 0) return [];
        var index = textField == 0 ? _index : Secondary(textField, company);
        var search = new SearchQuery
        {
            Mode = string.IsNullOrWhiteSpace(keywords) ? SearchMode.Vector : SearchMode.Hybrid,
            Text = string.IsNullOrWhiteSpace(keywords) ? null : keywords,
            Vector = query,
            Top = Math.Min(top, SearchQuery.MaxTop),
            Skip = skip,
            Filter = predicate,
            Include = RecordFields.Metadata | RecordFields.Text,
        };
        IReadOnlyList<SearchResult> hits;
        try
        {
            hits = index.Search(company, search, cancellationToken);
        }
        catch (Werkly.VectorIndex.Exceptions.CompanyNotFoundException)
        {
            return [];
        }
        var result = new List<EngineHit>(hits.Count);
        foreach (var hit in hits)
        {
            // The record as stored in the collection (a secondary index holds another field as its text).
            if (textField == 0)
            {
                var map = hit.Metadata is null ? new Dictionary<string, MetadataValue>(StringComparer.Ordinal) : new Dictionary<string, MetadataValue>(hit.Metadata, StringComparer.Ordinal);
                if (hit.Text is not null) map[TextKey] = hit.Text;
                result.Add(new EngineHit(hit.Key, hit.Score, map));
            }
            else if (_index.TryGetRecord(company, hit.Key, out var record))
            {
                result.Add(new EngineHit(hit.Key, hit.Score, StoredMap(record)));
            }
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
        return _index.TryGetVector(company, key, buffer) ? buffer : null;
    }

    /// <summary>The primary text of a stored record (null when it was written as null).</summary>
    public static string? TextOf(IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        if (metadata is null || metadata.ContainsKey(NullTextKey)) return null;
        return metadata.TryGetValue(TextKey, out var text) ? text.AsString() : null;
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
        if (_companyOfKey is null) return _index.ContainsCompany(DefaultCompany) ? DefaultCompany : null;
        return _companyOfKey.TryGetValue(key, out var company) ? company : null;
    }

    private VectorRecord ToEngine(EngineWrite write)
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
        return new VectorRecord(write.Key, write.Vector, metadata) { Text = write.Text ?? "" };
    }

    private WerklyIndex Secondary(int field, string company)
    {
        if (_secondary.TryGetValue((field, company), out var ready)) return ready;
        // Built from the stored records on first use (in memory); kept in step by Write afterwards.
        var index = new WerklyIndex(Options(Settings));
        lock (_writeGate)
        {
            if (_secondary.TryGetValue((field, company), out ready))
            {
                index.Dispose();
                return ready;
            }
            if (_index.ContainsCompany(company))
            {
                var records = new List<VectorRecord>();
                foreach (var k in _index.GetKeys(company))
                {
                    if (_index.TryGetRecord(company, k, out var record)) records.Add(SecondaryRecord(record, Settings.SecondaryTextKeys[field - 1]));
                }
                if (records.Count > 0) index.Apply(company, records, []);
            }
            _secondary[(field, company)] = index;
        }
        return index;
    }

    private void UpdateSecondary(string company, List<VectorRecord> upserts, List<string> deletes)
    {
        for (var field = 1; field <= Settings.SecondaryTextKeys.Count; field++)
        {
            if (!_secondary.TryGetValue((field, company), out var index)) continue;
            var key = Settings.SecondaryTextKeys[field - 1];
            index.Apply(company, [.. upserts.Select(r => SecondaryRecord(r, key))], deletes);
        }
    }

    /// <summary>A record with a secondary field's text as its primary text (same key, vector and metadata).</summary>
    private static VectorRecord SecondaryRecord(VectorRecord record, string textKey) =>
        record with { Title = null, Text = SecondaryText(record.Metadata, textKey) };

    private static string SecondaryText(IReadOnlyDictionary<string, MetadataValue>? metadata, string textKey)
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
        return text;
    }
}
