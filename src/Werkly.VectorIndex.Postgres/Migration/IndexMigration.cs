using Microsoft.Extensions.VectorData;
using Npgsql;
using Pgvector;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Postgres.Sql;

namespace Werkly.VectorIndex.Postgres.Migration;

/// <summary>Progress of a migration: the company being moved, records written so far, records skipped because an earlier,
/// interrupted run had already moved them.</summary>
public readonly record struct MigrationProgress(string Company, long Written, long Skipped);

/// <summary>
/// Moves index records — company, key, vector, text, title and metadata, exactly — between an embedded
/// <see cref="WerklyIndex"/>, a Postgres collection, an existing pgvector table and JSONL files.
/// </summary>
/// <remarks>
/// <para>The document layer moves with the records: each record's document id and the document's content hash (what
/// <see cref="WerklyIndex.ReplaceDocuments"/> wrote), so the copy has the same <see cref="WerklyIndex.GetDocuments"/>
/// and a re-ingest of unchanged files skips them. Into an embedded index a document is always written whole, in one
/// <see cref="WerklyIndex.ReplaceDocuments"/> call: an interrupted import leaves no partial document behind.</para>
/// <para>Every move is resumable, and writes are upserts by key, so nothing is ever duplicated. Into Postgres, records
/// go in ascending ordinal key order per company and a run starts after the largest key the collection holds for that
/// company (compared in the collection's <c>company:key</c> form). Into an embedded index, records go in (document, key) order — records of no document first — and a run
/// starts after the last document the index holds (or its largest key when it holds no document).</para>
/// <para>The Postgres side is a collection of <see cref="DocumentDefinition"/> (key as <c>company:key</c> — a Postgres
/// collection's keys are unique across tenants, an index's only within a company —, company as tenant, title, full-text
/// text, metadata as tagged JSON, document, content hash, vector), searchable through <see cref="PostgresVectorStore"/>
/// like any other.</para>
/// </remarks>
public static class IndexMigration
{
    private const int BatchSize = 1_000;
    private const string DocumentProperty = "document";
    private const string ContentHashProperty = "content_hash";

    /// <summary>The record definition of a Postgres collection holding index records, for <paramref name="dimensions"/>
    /// and <paramref name="metric"/>: <c>key</c> (<c>company:key</c>: the record's key prefixed with its company, as
    /// collection keys are unique across tenants), <c>company</c> (the tenant), <c>title</c>, <c>text</c> (full-text),
    /// <c>metadata</c> (tagged JSON), <c>document</c> and <c>content_hash</c> (the document a record belongs to and that
    /// document's content hash, both null for a record of no document) and <c>vector</c>.</summary>
    public static VectorStoreCollectionDefinition DocumentDefinition(int dimensions, DistanceMetric metric) => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty("key", typeof(string)),
            new VectorStoreDataProperty("company", typeof(string)) { IsIndexed = true },
            new VectorStoreDataProperty("title", typeof(string)),
            new VectorStoreDataProperty("text", typeof(string)) { IsFullTextIndexed = true },
            new VectorStoreDataProperty("metadata", typeof(string)),
            new VectorStoreDataProperty(DocumentProperty, typeof(string)) { IsIndexed = true },
            new VectorStoreDataProperty(ContentHashProperty, typeof(string)),
            new VectorStoreVectorProperty("vector", typeof(ReadOnlyMemory<float>), dimensions)
            {
                DistanceFunction = metric switch
                {
                    DistanceMetric.Cosine => DistanceFunction.CosineSimilarity,
                    DistanceMetric.InnerProduct => DistanceFunction.DotProductSimilarity,
                    _ => DistanceFunction.EuclideanSquaredDistance,
                },
            },
        ],
    };

    /// <summary>The document collection <paramref name="collection"/> of <paramref name="store"/> for vectors of <paramref name="dimensions"/> compared by <paramref name="metric"/>.</summary>
    public static PostgresDynamicCollection DocumentCollection(PostgresVectorStore store, string collection, int dimensions, DistanceMetric metric)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.GetDynamicCollection(collection, new PostgresCollectionOptions { Definition = DocumentDefinition(dimensions, metric), TenantProperty = "company" });
    }

    /// <summary>Copies <paramref name="company"/> (or every company) of <paramref name="source"/> into the document
    /// collection <paramref name="collection"/> of <paramref name="target"/> (created when missing).</summary>
    /// <returns>Records written (not counting those an interrupted earlier run had written).</returns>
    public static async Task<long> ExportToPostgresAsync(WerklyIndex source, PostgresVectorStore target, string collection, string? company = null,
        IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var documents = DocumentCollection(target, collection, source.Dimensions, source.Metric);
        await documents.EnsureCollectionExistsAsync(cancellationToken).ConfigureAwait(false);
        long total = 0;
        foreach (var id in Companies(source, company))
        {
            // Keys in the collection are company-prefixed (EncodeKey), so its max is the encoded form; compare encoded.
            var resumeAfter = await documents.MaxKeyAsync(id, cancellationToken).ConfigureAwait(false);
            if (resumeAfter is not null) _ = DecodeKey(id, resumeAfter);
            var documentOf = DocumentsByKey(source, id);
            long written = 0, skipped = 0;
            var batch = new List<Dictionary<string, object?>>(BatchSize);
            foreach (var key in source.GetKeys(id).Order(StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var encoded = EncodeKey(id, key);
                if (resumeAfter is not null && string.CompareOrdinal(encoded, resumeAfter) <= 0)
                {
                    skipped++;
                    continue;
                }
                if (!source.TryGetRecord(id, key, out var record)) continue;
                var vector = new float[source.Dimensions];
                if (!source.TryGetVector(id, key, vector)) continue;
                batch.Add(new Dictionary<string, object?>
                {
                    ["key"] = encoded,
                    ["company"] = id,
                    ["title"] = record.Title,
                    ["text"] = record.Text,
                    ["metadata"] = RecordJson.Metadata(record.Metadata).ToJsonString(),
                    [DocumentProperty] = documentOf.TryGetValue(key, out var document) ? document.DocumentId : null,
                    [ContentHashProperty] = documentOf.TryGetValue(key, out document) ? document.ContentHash : null,
                    ["vector"] = new ReadOnlyMemory<float>(vector),
                });
                if (batch.Count == BatchSize)
                {
                    await documents.UpsertAsync(batch, cancellationToken).ConfigureAwait(false);
                    written += batch.Count;
                    batch.Clear();
                    progress?.Report(new MigrationProgress(id, written, skipped));
                }
            }
            if (batch.Count > 0) await documents.UpsertAsync(batch, cancellationToken).ConfigureAwait(false);
            written += batch.Count;
            progress?.Report(new MigrationProgress(id, written, skipped));
            total += written;
        }
        return total;
    }

    /// <summary>Copies <paramref name="company"/> (or every company) of the document collection <paramref name="collection"/>
    /// into <paramref name="target"/>.</summary>
    /// <returns>Records written.</returns>
    /// <exception cref="ArgumentException">The collection's vectors do not have <paramref name="target"/>'s dimensions.</exception>
    public static async Task<long> ImportFromPostgresAsync(PostgresVectorStore source, string collection, WerklyIndex target, string? company = null,
        IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var documents = DocumentCollection(source, collection, target.Dimensions, target.Metric);
        var companies = company is null ? await documents.TenantsAsync(cancellationToken).ConfigureAwait(false) : [company];
        long total = 0;
        foreach (var id in companies)
        {
            // The collection's keys are company-prefixed; the resume point and the pages' positions use that form.
            var after = ResumePoint(target, id) is { } point ? (point.Group, EncodeKey(id, point.Key)) : ((string, string)?)null;
            var writer = new CompanyWriter(target, id, after is null ? 0 : target.Count(id), progress, cancellationToken);
            while (true)
            {
                var page = await documents.ReadPageAsync(id, DocumentProperty, after, BatchSize, cancellationToken).ConfigureAwait(false);
                if (page.Count == 0) break;
                foreach (var row in page) writer.Add(ToRecord(id, row), (string?)row[DocumentProperty], (string?)row[ContentHashProperty], "Postgres");
                after = ((string?)page[^1][DocumentProperty] ?? "", (string)page[^1]["key"]!);
            }
            total += writer.Complete();
        }
        return total;
    }

    /// <summary>The key of <paramref name="company"/>'s record <paramref name="key"/> in a document collection:
    /// <c>company:key</c>. Embedded keys are per company, a Postgres collection's keys are unique across its tenants, so
    /// the same key in two companies must become two keys. Company ids hold no ':' (<c>[A-Za-z0-9_.-]</c>), so the
    /// first ':' separates them again.</summary>
    /// <exception cref="ArgumentException">The encoded key is longer than a key may be.</exception>
    internal static string EncodeKey(string company, string key)
    {
        var encoded = company + ":" + key;
        if (encoded.Length > Identifiers.MaxKeyLength)
            throw new ArgumentException($"Key '{key[..Math.Min(key.Length, 64)]}…' of company '{company}' is {key.Length} characters; a Postgres document " +
                $"collection stores it as '{company}:key', which may be at most {Identifiers.MaxKeyLength} characters.", nameof(key));
        return encoded;
    }

    /// <summary>The embedded key of a document collection's key <paramref name="stored"/> of <paramref name="company"/>.</summary>
    /// <exception cref="InvalidDataException">The key does not start with <c>company:</c> (a collection written before keys
    /// were company-prefixed: export into a new collection).</exception>
    internal static string DecodeKey(string company, string stored)
    {
        var separator = stored.IndexOf(':', StringComparison.Ordinal);
        if (separator < 0 || !string.Equals(stored[..separator], company, StringComparison.Ordinal) || separator == stored.Length - 1)
            throw new InvalidDataException($"Key '{stored}' of company '{company}' in the document collection is not '{company}:key': the collection was " +
                "written before keys were company-prefixed (or by something else). Export into a new collection.");
        return stored[(separator + 1)..];
    }

    private static VectorRecord ToRecord(string company, Dictionary<string, object?> row)
    {
        var metadata = row["metadata"] is string json ? RecordJson.Metadata(System.Text.Json.Nodes.JsonNode.Parse(json) as System.Text.Json.Nodes.JsonObject) : null;
        return new VectorRecord(DecodeKey(company, (string)row["key"]!), (ReadOnlyMemory<float>)row["vector"]!, metadata is { Count: > 0 } ? metadata : null)
        {
            Title = (string?)row["title"],
            Text = (string?)row["text"],
        };
    }

    /// <summary>Imports a pgvector table (such as a Supabase table of OpenAI embeddings) into <paramref name="target"/>,
    /// streaming it with <c>COPY … TO STDOUT (FORMAT BINARY)</c>. Vectors longer than the index's dimensions are
    /// shortened (<see cref="EmbeddingShortening"/>: Matryoshka truncation and renormalisation, as for OpenAI
    /// text-embedding-3) when <paramref name="options"/> allows it.</summary>
    /// <returns>Records written.</returns>
    /// <exception cref="ArgumentException">A vector has the wrong length and shortening was not asked for.</exception>
    /// <remarks>Rows whose company, key or vector is NULL (an embedding not computed yet, say) are skipped: counted in
    /// their company's <see cref="MigrationProgress.Skipped"/> (rows of no company in none), never written.</remarks>
    public static Task<long> ImportFromPgvectorAsync(NpgsqlDataSource source, PgvectorTable options, WerklyIndex target,
        IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default) =>
        ImportFromPgvectorAsync(source, options, target, progress, null, cancellationToken);

    /// <summary><see cref="ImportFromPgvectorAsync(NpgsqlDataSource, PgvectorTable, WerklyIndex, IProgress{MigrationProgress}?, CancellationToken)"/>,
    /// counting the rows skipped for a NULL company, key or vector into <paramref name="incomplete"/> (the CLI's summary).</summary>
    internal static async Task<long> ImportFromPgvectorAsync(NpgsqlDataSource source, PgvectorTable options, WerklyIndex target,
        IProgress<MigrationProgress>? progress, System.Runtime.CompilerServices.StrongBox<long>? incomplete, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(target);
        var table = string.Join('.', options.Table.Split('.').Select(SqlNames.Quote));
        var title = options.TitleColumn is null ? "NULL::text" : $"{SqlNames.Quote(options.TitleColumn)}::text";
        var text = options.TextColumn is null ? "NULL::text" : $"{SqlNames.Quote(options.TextColumn)}::text";
        var where = options.Company is null ? "" : $" WHERE {SqlNames.Quote(options.CompanyColumn)}::text = {SqlNames.Literal(options.Company)}";
        var company = $"{SqlNames.Quote(options.CompanyColumn)}::text";
        var key = $"{SqlNames.Quote(options.KeyColumn)}::text";
        // Each row's document: the document column's value, or the row itself (its key) without one.
        var document = options.DocumentColumn is null ? key : $"coalesce({SqlNames.Quote(options.DocumentColumn)}::text, {key})";
        var copy = $"COPY (SELECT {company}, {key}, {SqlNames.Quote(options.VectorColumn)}, {text}, {title}, {document} " +
            $"FROM {table}{where} ORDER BY {company} COLLATE \"C\", {document} COLLATE \"C\", {key} COLLATE \"C\") TO STDOUT (FORMAT BINARY)";

        await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var reader = await connection.BeginBinaryExportAsync(copy, cancellationToken).ConfigureAwait(false);
        long total = 0;
        string? current = null;
        (string Group, string Key)? resumeAfter = null;
        CompanyWriter? writer = null;
        while (await reader.StartRowAsync(cancellationToken).ConfigureAwait(false) != -1)
        {
            var rowCompany = await ReadTextAsync(reader, cancellationToken).ConfigureAwait(false);
            var rowKey = await ReadTextAsync(reader, cancellationToken).ConfigureAwait(false);
            float[]? vector = null;
            if (reader.IsNull) await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
            else vector = (await reader.ReadAsync<Vector>(cancellationToken).ConfigureAwait(false)).ToArray();
            var body = await ReadTextAsync(reader, cancellationToken).ConfigureAwait(false);
            var heading = await ReadTextAsync(reader, cancellationToken).ConfigureAwait(false);
            var rowDocument = await ReadTextAsync(reader, cancellationToken).ConfigureAwait(false);
            if (rowCompany is null)
            {
                // No company to write it to (ORDER BY puts these last); counted for the summary only.
                if (incomplete is not null) incomplete.Value++;
                continue;
            }
            if (!string.Equals(rowCompany, current, StringComparison.Ordinal))
            {
                if (writer is not null) total += writer.Complete();
                current = rowCompany;
                resumeAfter = ResumePoint(target, rowCompany);
                writer = new CompanyWriter(target, rowCompany, 0, progress, cancellationToken);
            }
            if (rowKey is null || vector is null || rowDocument is null)
            {
                // A NULL key or vector (rowDocument is null only with a NULL key): nothing to index.
                if (incomplete is not null) incomplete.Value++;
                writer!.Skip();
                continue;
            }
            if (resumeAfter is { } point && Compare((rowDocument, rowKey), point) <= 0)
            {
                writer!.Skip();
                continue;
            }
            if (vector.Length != target.Dimensions)
            {
                if (!options.Shorten || vector.Length < target.Dimensions)
                    throw new ArgumentException($"Row '{rowKey}' of company '{rowCompany}' has a {vector.Length}-dimension vector; the index has {target.Dimensions}" +
                        (vector.Length > target.Dimensions ? " (pass --shorten to shorten it)." : "."), nameof(options));
                vector = EmbeddingShortening.Shorten(vector, target.Dimensions);
            }
            writer!.Add(new VectorRecord(rowKey, vector) { Text = body, Title = heading }, rowDocument, null, $"Table {options.Table}");
        }
        if (writer is not null) total += writer.Complete();
        return total;
    }

    private static async Task<string?> ReadTextAsync(NpgsqlBinaryExporter reader, CancellationToken cancellationToken)
    {
        if (!reader.IsNull) return await reader.ReadAsync<string>(cancellationToken).ConfigureAwait(false);
        await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Writes <paramref name="company"/> (or every company) of <paramref name="source"/> as JSONL, one record a line.</summary>
    /// <returns>Records written.</returns>
    public static async Task<long> ExportToJsonlAsync(WerklyIndex source, TextWriter writer, string? company = null,
        IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(writer);
        long total = 0;
        foreach (var id in Companies(source, company))
        {
            long written = 0;
            var documentOf = DocumentsByKey(source, id);
            // The order an import reads: records of no document by key, then each document's records together.
            var keys = source.GetKeys(id).Where(k => !documentOf.ContainsKey(k)).Order(StringComparer.Ordinal)
                .Concat(source.GetDocuments(id).SelectMany(d => source.GetDocumentKeys(id, d.DocumentId)));
            foreach (var key in keys)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!source.TryGetRecord(id, key, out var record)) continue;
                var vector = new float[source.Dimensions];
                if (!source.TryGetVector(id, key, vector)) continue;
                var document = documentOf.TryGetValue(key, out var info) ? info : (DocumentInfo?)null;
                await writer.WriteLineAsync(RecordJson.Line(id, record with { Vector = vector }, document?.DocumentId, document?.ContentHash).AsMemory(), cancellationToken).ConfigureAwait(false);
                if (++written % BatchSize == 0) progress?.Report(new MigrationProgress(id, written, 0));
            }
            progress?.Report(new MigrationProgress(id, written, 0));
            total += written;
        }
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return total;
    }

    /// <summary>Reads JSONL records (one a line: company, key, vector, text, title, metadata) into <paramref name="target"/>.</summary>
    /// <returns>Records written.</returns>
    /// <exception cref="InvalidDataException">A line is not a record (the message names the line).</exception>
    public static async Task<long> ImportFromJsonlAsync(TextReader reader, WerklyIndex target, string? company = null,
        IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(target);
        long total = 0, lineNumber = 0;
        var writers = new Dictionary<string, CompanyWriter>(StringComparer.Ordinal);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var (id, record, document, contentHash) = RecordJson.Parse(line, lineNumber);
            if (company is not null && !string.Equals(company, id, StringComparison.Ordinal)) continue;
            if (!writers.TryGetValue(id, out var writer)) writers[id] = writer = new CompanyWriter(target, id, 0, progress, cancellationToken);
            writer.Add(record, document, contentHash, $"JSONL line {lineNumber}");
        }
        foreach (var writer in writers.Values) total += writer.Complete();
        return total;
    }

    /// <summary>The document of each key of <paramref name="company"/> that belongs to one.</summary>
    private static Dictionary<string, DocumentInfo> DocumentsByKey(WerklyIndex index, string company)
    {
        var documentOf = new Dictionary<string, DocumentInfo>(StringComparer.Ordinal);
        foreach (var document in index.GetDocuments(company))
        {
            foreach (var key in index.GetDocumentKeys(company, document.DocumentId)) documentOf[key] = document;
        }
        return documentOf;
    }

    /// <summary>Where an import into <paramref name="index"/> continues for <paramref name="company"/>, in (document, key)
    /// order ("" for records of no document): after its last document's last key, or after its largest key when it holds
    /// no document; null when the company has no records.</summary>
    private static (string Group, string Key)? ResumePoint(WerklyIndex index, string company)
    {
        if (index.Count(company) == 0) return null;
        var documents = index.GetDocuments(company);
        if (documents.Count > 0)
        {
            var last = documents[^1].DocumentId;
            return (last, index.GetDocumentKeys(company, last)[^1]);
        }
        return ("", MaxKey(index, company)!);
    }

    private static int Compare((string Group, string Key) a, (string Group, string Key) b)
    {
        var byGroup = string.CompareOrdinal(a.Group, b.Group);
        return byGroup != 0 ? byGroup : string.CompareOrdinal(a.Key, b.Key);
    }

    private static List<string> Companies(WerklyIndex index, string? company)
    {
        if (company is null) return index.Companies.Order(StringComparer.Ordinal).ToList();
        if (!index.ContainsCompany(company)) throw new Exceptions.CompanyNotFoundException(company);
        return [company];
    }

    private static string? MaxKey(WerklyIndex index, string company)
    {
        if (!index.ContainsCompany(company)) return null;
        string? max = null;
        foreach (var key in index.GetKeys(company))
        {
            if (max is null || string.CompareOrdinal(key, max) > 0) max = key;
        }
        return max;
    }
}

/// <summary>Where a pgvector table keeps what an index record needs.</summary>
/// <param name="Table">The table (optionally schema-qualified: <c>schema.table</c>).</param>
/// <param name="CompanyColumn">The column naming each row's company (becomes the partition).</param>
/// <param name="KeyColumn">The column of each row's unique id (becomes the key).</param>
/// <param name="VectorColumn">The <c>vector</c> column.</param>
public sealed record PgvectorTable(string Table, string CompanyColumn, string KeyColumn, string VectorColumn)
{
    /// <summary>The column of the text (becomes the record's keyword-indexed text), or null.</summary>
    public string? TextColumn { get; init; }

    /// <summary>The column of a title, or null.</summary>
    public string? TitleColumn { get; init; }

    /// <summary>The column naming each row's document (rows with the same value become one document), or null: each row
    /// is its own document, its key the document id. The documents' content hashes are SHA-256 of their rows' keys, titles
    /// and texts.</summary>
    public string? DocumentColumn { get; init; }

    /// <summary>Import one company only, or null for all.</summary>
    public string? Company { get; init; }

    /// <summary>Shorten longer vectors to the index's dimensions (OpenAI text-embedding-3 1536 → 512, for example).</summary>
    public bool Shorten { get; init; }
}
