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
/// <para>Every move is resumable: records go in ascending ordinal key order per company, in batches that each commit
/// whole, and a run starts after the largest key the target already holds for that company; writes are upserts by key,
/// so nothing is ever duplicated.</para>
/// <para>The Postgres side is a collection of <see cref="DocumentDefinition"/> (key, company as tenant, title, full-text
/// text, metadata as tagged JSON, vector), searchable through <see cref="PostgresVectorStore"/> like any other.</para>
/// </remarks>
public static class IndexMigration
{
    private const int BatchSize = 1_000;

    /// <summary>The record definition of a Postgres collection holding index records, for <paramref name="dimensions"/>
    /// and <paramref name="metric"/>: <c>key</c>, <c>company</c> (the tenant), <c>title</c>, <c>text</c> (full-text),
    /// <c>metadata</c> (tagged JSON) and <c>vector</c>.</summary>
    public static VectorStoreCollectionDefinition DocumentDefinition(int dimensions, DistanceMetric metric) => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty("key", typeof(string)),
            new VectorStoreDataProperty("company", typeof(string)) { IsIndexed = true },
            new VectorStoreDataProperty("title", typeof(string)),
            new VectorStoreDataProperty("text", typeof(string)) { IsFullTextIndexed = true },
            new VectorStoreDataProperty("metadata", typeof(string)),
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
            var resumeAfter = await documents.MaxKeyAsync(id, cancellationToken).ConfigureAwait(false);
            long written = 0, skipped = 0;
            var batch = new List<Dictionary<string, object?>>(BatchSize);
            foreach (var key in source.GetKeys(id).Order(StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (resumeAfter is not null && string.CompareOrdinal(key, resumeAfter) <= 0)
                {
                    skipped++;
                    continue;
                }
                if (!source.TryGetRecord(id, key, out var record)) continue;
                var vector = new float[source.Dimensions];
                if (!source.TryGetVector(id, key, vector)) continue;
                batch.Add(new Dictionary<string, object?>
                {
                    ["key"] = key,
                    ["company"] = id,
                    ["title"] = record.Title,
                    ["text"] = record.Text,
                    ["metadata"] = RecordJson.Metadata(record.Metadata).ToJsonString(),
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
            var after = MaxKey(target, id);
            long written = 0;
            var skipped = after is null ? 0 : target.Count(id);
            while (true)
            {
                var page = await documents.ReadPageAsync(id, after, BatchSize, cancellationToken).ConfigureAwait(false);
                if (page.Count == 0) break;
                var records = page.Select(r => ToRecord(r)).ToList();
                target.Apply(id, records, [], cancellationToken);
                written += records.Count;
                after = (string)page[^1]["key"]!;
                progress?.Report(new MigrationProgress(id, written, skipped));
            }
            total += written;
        }
        return total;
    }

    private static VectorRecord ToRecord(Dictionary<string, object?> row)
    {
        var metadata = row["metadata"] is string json ? RecordJson.Metadata(System.Text.Json.Nodes.JsonNode.Parse(json) as System.Text.Json.Nodes.JsonObject) : null;
        return new VectorRecord((string)row["key"]!, (ReadOnlyMemory<float>)row["vector"]!, metadata is { Count: > 0 } ? metadata : null)
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
    public static async Task<long> ImportFromPgvectorAsync(NpgsqlDataSource source, PgvectorTable options, WerklyIndex target,
        IProgress<MigrationProgress>? progress = null, CancellationToken cancellationToken = default)
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
        var copy = $"COPY (SELECT {company}, {key}, {SqlNames.Quote(options.VectorColumn)}, {text}, {title} " +
            $"FROM {table}{where} ORDER BY {company} COLLATE \"C\", {key} COLLATE \"C\") TO STDOUT (FORMAT BINARY)";

        await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var reader = await connection.BeginBinaryExportAsync(copy, cancellationToken).ConfigureAwait(false);
        long total = 0, written = 0, skipped = 0;
        string? current = null;
        string? resumeAfter = null;
        var batch = new List<VectorRecord>(BatchSize);
        void Flush()
        {
            if (batch.Count == 0) return;
            target.Apply(current!, batch, [], cancellationToken);
            written += batch.Count;
            total += batch.Count;
            batch.Clear();
            progress?.Report(new MigrationProgress(current!, written, skipped));
        }
        while (await reader.StartRowAsync(cancellationToken).ConfigureAwait(false) != -1)
        {
            var rowCompany = await reader.ReadAsync<string>(cancellationToken).ConfigureAwait(false);
            var rowKey = await reader.ReadAsync<string>(cancellationToken).ConfigureAwait(false);
            var vector = (await reader.ReadAsync<Vector>(cancellationToken).ConfigureAwait(false)).ToArray();
            var body = reader.IsNull ? null : await reader.ReadAsync<string>(cancellationToken).ConfigureAwait(false);
            if (body is null) await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
            var heading = reader.IsNull ? null : await reader.ReadAsync<string>(cancellationToken).ConfigureAwait(false);
            if (heading is null) await reader.SkipAsync(cancellationToken).ConfigureAwait(false);
            if (!string.Equals(rowCompany, current, StringComparison.Ordinal))
            {
                Flush();
                current = rowCompany;
                written = skipped = 0;
                resumeAfter = MaxKey(target, rowCompany);
            }
            if (resumeAfter is not null && string.CompareOrdinal(rowKey, resumeAfter) <= 0)
            {
                skipped++;
                continue;
            }
            if (vector.Length != target.Dimensions)
            {
                if (!options.Shorten || vector.Length < target.Dimensions)
                    throw new ArgumentException($"Row '{rowKey}' of company '{rowCompany}' has a {vector.Length}-dimension vector; the index has {target.Dimensions}" +
                        (vector.Length > target.Dimensions ? " (pass --shorten to shorten it)." : "."), nameof(options));
                vector = EmbeddingShortening.Shorten(vector, target.Dimensions);
            }
            batch.Add(new VectorRecord(rowKey, vector) { Text = body, Title = heading });
            if (batch.Count == BatchSize) Flush();
        }
        Flush();
        return total;
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
            foreach (var key in source.GetKeys(id).Order(StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!source.TryGetRecord(id, key, out var record)) continue;
                var vector = new float[source.Dimensions];
                if (!source.TryGetVector(id, key, vector)) continue;
                await writer.WriteLineAsync(RecordJson.Line(id, record with { Vector = vector }).AsMemory(), cancellationToken).ConfigureAwait(false);
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
        var batches = new Dictionary<string, List<VectorRecord>>(StringComparer.Ordinal);
        void Flush(string id, List<VectorRecord> batch)
        {
            target.Apply(id, batch, [], cancellationToken);
            total += batch.Count;
            batch.Clear();
            progress?.Report(new MigrationProgress(id, total, 0));
        }
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var (id, record) = RecordJson.Parse(line, lineNumber);
            if (company is not null && !string.Equals(company, id, StringComparison.Ordinal)) continue;
            if (!batches.TryGetValue(id, out var batch)) batches[id] = batch = new List<VectorRecord>(BatchSize);
            batch.Add(record);
            if (batch.Count == BatchSize) Flush(id, batch);
        }
        foreach (var (id, batch) in batches)
        {
            if (batch.Count > 0) Flush(id, batch);
        }
        return total;
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

    /// <summary>Import one company only, or null for all.</summary>
    public string? Company { get; init; }

    /// <summary>Shorten longer vectors to the index's dimensions (OpenAI text-embedding-3 1536 → 512, for example).</summary>
    public bool Shorten { get; init; }
}
