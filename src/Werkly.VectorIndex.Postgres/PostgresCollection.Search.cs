using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using Npgsql;
using Pgvector;
using Werkly.VectorIndex.Hybrid;
using Werkly.VectorIndex.Postgres.Sql;
using Werkly.VectorIndex.VectorData.Engine;
using Werkly.VectorIndex.VectorData.Filtering;
using Werkly.VectorIndex.VectorData.Model;

namespace Werkly.VectorIndex.Postgres;

public partial class PostgresCollection<TKey, TRecord>
{
    /// <inheritdoc />
    /// <remarks>
    /// <para>Scores follow the distance function exactly as in the embedded connector: cosine and dot product (higher is
    /// better), cosine distance, negative dot product, Euclidean and squared Euclidean distance (lower is better).</para>
    /// <para>With a tenant property the filter must constrain it by equality; the search then runs in that tenant's
    /// partition alone.</para>
    /// </remarks>
    public override async IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(TInput searchValue, int top,
        VectorSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new VectorSearchOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options.Skip));
        var includeVectors = IncludeVectors(options.IncludeVectors);
        var vectorProperty = _model.GetVectorPropertyOrSingle(options);
        var translated = Filters().Translate(options.Filter);
        var query = await RecordInputs.QueryVectorAsync(searchValue, vectorProperty, cancellationToken).ConfigureAwait(false);
        if (translated.Empty) yield break;
        EngineCollection.ValidateVector(query.Span, _layout.Dimensions, _layout.Metric, nameof(searchValue));
        await EnsureVerifiedAsync(cancellationToken).ConfigureAwait(false);

        var k = (int)Math.Min((long)options.Skip + top, int.MaxValue);
        var hits = await _store.ReadAsync(Name, "Search",
            (connection, ct) => VectorHitsAsync(connection, translated, query, k, includeVectors, ct), cancellationToken).ConfigureAwait(false);
        for (var i = options.Skip; i < hits.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var score = _schema.ToScore(hits[i].Score);
            if (options.ScoreThreshold is { } threshold && (_schema.HigherIsBetter ? score < threshold : score > threshold)) yield break;
            yield return new VectorSearchResult<TRecord>(ToRecord(hits[i].Row), score);
        }
    }

    /// <summary>The <paramref name="k"/> nearest rows of the filter's partition that pass it, best first, with the engine's
    /// score (higher is better). One transaction: probes and the iterative scan are set for it alone.</summary>
    private async Task<List<(StoredRow Row, double Score)>> VectorHitsAsync(NpgsqlConnection connection, TranslatedFilter translated,
        ReadOnlyMemory<float> query, int k, bool includeVectors, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var filtered = translated.Root is not null;
        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch.ConfigureAwait(false))
        {
            // Probes: the override, or the partition's calibrated value (1 for a partition without an index: unused). Without
            // the iterative scan, an unfiltered search probes every list (an exact result) when the probed lists hold, on
            // average, fewer than twice k rows: pgvector's plain IVFFlat scan returns at most the rows of `probes` lists,
            // so a deep page (skip + top beyond them) would come back short or empty. A filtered search without it probes
            // every list always, besides turning index scans off below (on PGlite, turning them off did not keep an unfiltered
            // search off the index).
            var fallback = _store.IterativeScan ? 0 : filtered ? 2 : 1;
            var probes = new NpgsqlBatchCommand(
                "SELECT set_config('ivfflat.probes', least(32768, greatest(1, CASE " +
                "WHEN p.lists > 0 AND ($4 = 2 OR $4 = 1 AND $5::bigint * 2 * p.lists > p.row_count * coalesce($3, p.probes)) THEN p.lists " +
                $"ELSE coalesce($3, p.probes, 1) END))::text, true) FROM (SELECT 1) one LEFT JOIN {Catalog}.werkly_partitions p ON p.collection = $1 AND p.tenant = $2");
            probes.Parameters.Add(new NpgsqlParameter { Value = Name });
            probes.Parameters.Add(new NpgsqlParameter { Value = translated.Company });
            probes.Parameters.Add(new NpgsqlParameter<int?> { TypedValue = _options.Probes });
            probes.Parameters.Add(new NpgsqlParameter<int> { TypedValue = fallback });
            probes.Parameters.Add(new NpgsqlParameter<long> { TypedValue = k });
            batch.BatchCommands.Add(probes);
            if (_store.IterativeScan)
            {
                // pgvector's plain IVFFlat scan returns at most the rows of `probes` lists, before any filter: a filter that
                // drops most of them, or a deep page (skip + top beyond those rows), leaves fewer than k. The iterative
                // scan keeps probing until k rows pass — filtered or not.
                batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('ivfflat.iterative_scan', 'relaxed_order', true)"));
            }
            else if (filtered)
            {
                // Without it, a filtered search scans the partition exactly.
                batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('enable_indexscan', 'off', true), set_config('enable_bitmapscan', 'off', true)"));
            }
            var parameters = new List<NpgsqlParameter>
            {
                new() { Value = new Vector(query) },
                new() { Value = translated.Company },
                new() { Value = k },
            };
            var condition = FilterSql.Translate(_layout, translated.Root, parameters);
            var distance = $"{TableLayout.VectorColumn} {_layout.DistanceOperator} $1::vector({_layout.Dimensions})";
            var search = new NpgsqlBatchCommand(
                $"WITH hits AS MATERIALIZED (SELECT {(includeVectors ? _layout.SelectListWithVector : _layout.SelectList)}, {distance} AS werkly_distance " +
                $"FROM {_layout.QualifiedTable} WHERE {TableLayout.TenantColumn} = $2 AND {condition} ORDER BY {distance} LIMIT $3) " +
                "SELECT * FROM hits ORDER BY werkly_distance, " + TableLayout.KeyColumn + " COLLATE \"C\"");
            foreach (var parameter in parameters) search.Parameters.Add(parameter);
            batch.BatchCommands.Add(search);

            var hits = new List<(StoredRow, double)>(Math.Min(k, 1024));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (reader.FieldCount == 0 || reader.GetName(0) != TableLayout.TenantColumn)
            {
                if (!await reader.NextResultAsync(cancellationToken).ConfigureAwait(false)) throw new InvalidOperationException("The search returned no result set.");
            }
            var width = _layout.SelectWidth(includeVectors);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                hits.Add((_layout.ReadRow(reader, includeVectors), _layout.EngineScore(reader.GetDouble(width))));
            await reader.DisposeAsync().ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return hits;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// <para>Both sides are filtered in SQL: the vector side as <see cref="SearchAsync{TInput}"/>, the keyword side by
    /// Postgres full-text search (<c>ts_rank_cd</c> over the property's generated tsvector, any keyword matching). The
    /// candidates of both (max(100, skip + top) each) are fused in C# by the embedded engine's fusion: α·vector +
    /// (1 − α)·keyword over min-max normalised scores, α = 0.5. The score of a result is the fused score (0 to 1).</para>
    /// </remarks>
    public async IAsyncEnumerable<VectorSearchResult<TRecord>> HybridSearchAsync<TInput>(TInput searchValue, ICollection<string> keywords, int top,
        HybridSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TInput : notnull
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentNullException.ThrowIfNull(keywords);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new HybridSearchOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options.Skip));
        var includeVectors = IncludeVectors(options.IncludeVectors);
        var vectorProperty = _model.GetVectorPropertyOrSingle(new VectorSearchOptions<TRecord> { VectorProperty = options.VectorProperty });
        var textProperty = _model.GetFullTextDataPropertyOrSingle(options.AdditionalProperty);
        var textColumn = _layout.Columns.FirstOrDefault(c => c.Property == textProperty && c.FullTextIndex >= 0)
            ?? throw new InvalidOperationException($"Property '{textProperty.ModelName}' is not full-text indexed.");
        var translated = Filters().Translate(options.Filter);
        var query = await RecordInputs.QueryVectorAsync(searchValue, vectorProperty, cancellationToken).ConfigureAwait(false);
        var terms = TsQuery(keywords);
        if (translated.Empty) yield break;
        EngineCollection.ValidateVector(query.Span, _layout.Dimensions, _layout.Metric, nameof(searchValue));
        await EnsureVerifiedAsync(cancellationToken).ConfigureAwait(false);

        var candidates = (int)Math.Min(Math.Max(100L, (long)options.Skip + top), 100_000);
        var (vectorHits, keywordHits) = await _store.ReadAsync(Name, "HybridSearch", async (connection, ct) =>
        {
            var vector = await VectorHitsAsync(connection, translated, query, candidates, includeVectors, ct).ConfigureAwait(false);
            var keyword = terms is null ? [] : await KeywordHitsAsync(connection, translated, textColumn, terms, candidates, includeVectors, ct).ConfigureAwait(false);
            return (vector, keyword);
        }, cancellationToken).ConfigureAwait(false);

        var rows = new Dictionary<string, StoredRow>(StringComparer.Ordinal);
        foreach (var (row, _) in vectorHits) rows[row.Key] = row;
        foreach (var (row, _) in keywordHits) rows[row.Key] = row;
        IEnumerable<(string Key, double Score)> page;
        if (terms is null)
        {
            // No keywords: the vector ranking alone, as the embedded engine's vector mode returns it.
            page = vectorHits.Select(h => (h.Row.Key, h.Score));
        }
        else
        {
            var fused = ScoreFusion.Fuse(
                [.. vectorHits.Select(h => new RankedHit(h.Row.Key, h.Score))],
                [.. keywordHits.Select(h => new RankedHit(h.Row.Key, h.Score))]);
            page = fused.Select(f => (f.Key, f.Score));
        }
        foreach (var (key, score) in page.Skip(options.Skip).Take(top))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (options.ScoreThreshold is { } threshold && score < threshold) yield break;
            yield return new VectorSearchResult<TRecord>(ToRecord(rows[key]), score);
        }
    }

    /// <summary>Rows of the filter's partition whose full-text column matches any of <paramref name="tsQuery"/>'s terms, by
    /// <c>ts_rank_cd</c>, best first.</summary>
    private async Task<List<(StoredRow Row, double Score)>> KeywordHitsAsync(NpgsqlConnection connection, TranslatedFilter translated, DataColumn textColumn,
        string tsQuery, int candidates, bool includeVectors, CancellationToken cancellationToken)
    {
        var parameters = new List<NpgsqlParameter>
        {
            new() { Value = tsQuery },
            new() { Value = translated.Company },
            new() { Value = candidates },
        };
        var condition = FilterSql.Translate(_layout, translated.Root, parameters);
        var fts = TableLayout.FullTextColumn(textColumn);
        await using var command = new NpgsqlCommand(
            $"SELECT {(includeVectors ? _layout.SelectListWithVector : _layout.SelectList)}, ts_rank_cd({fts}, q)::double precision AS werkly_rank " +
            $"FROM {_layout.QualifiedTable}, to_tsquery('{TableLayout.TextSearchConfig}', $1) q " +
            $"WHERE {TableLayout.TenantColumn} = $2 AND {fts} @@ q AND {condition} ORDER BY werkly_rank DESC, {TableLayout.KeyColumn} COLLATE \"C\" LIMIT $3", connection);
        foreach (var parameter in parameters) command.Parameters.Add(parameter);
        var hits = new List<(StoredRow, double)>();
        var width = _layout.SelectWidth(includeVectors);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            hits.Add((_layout.ReadRow(reader, includeVectors), reader.GetDouble(width)));
        return hits;
    }

    /// <summary>The keywords as a tsquery of alternatives ("a | b | c"): letters and digits only, so no keyword can inject
    /// tsquery syntax; null when no term remains. The value is still passed as a parameter.</summary>
    internal static string? TsQuery(IEnumerable<string> keywords)
    {
        var terms = new List<string>();
        foreach (var keyword in keywords)
        {
            if (keyword is null) continue;
            var term = new StringBuilder();
            foreach (var rune in keyword.EnumerateRunes())
            {
                if (Rune.IsLetterOrDigit(rune))
                {
                    term.Append(rune.ToString());
                }
                else if (term.Length > 0)
                {
                    terms.Add(term.ToString());
                    term.Clear();
                }
            }
            if (term.Length > 0) terms.Add(term.ToString());
        }
        return terms.Count == 0 ? null : string.Join(" | ", terms.Distinct(StringComparer.Ordinal));
    }
}
