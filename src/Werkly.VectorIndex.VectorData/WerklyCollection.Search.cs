using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using Werkly.VectorIndex.VectorData.Engine;
using Werkly.VectorIndex.VectorData.Filtering;
using Werkly.VectorIndex.VectorData.Model;

namespace Werkly.VectorIndex.VectorData;

public partial class WerklyCollection<TKey, TRecord>
{
    /// <inheritdoc />
    /// <remarks>
    /// <para><paramref name="searchValue"/> is a <c>ReadOnlyMemory&lt;float&gt;</c>, <c>float[]</c> or <c>Embedding&lt;float&gt;</c>, or any
    /// input the configured embedding generator takes (such as a <see cref="string"/>). Scores follow the distance
    /// function: cosine, dot product (higher is better), cosine distance, negative dot product, Euclidean and squared
    /// Euclidean distance (lower is better); <see cref="VectorSearchOptions{TRecord}.ScoreThreshold"/> keeps the results at
    /// least as good as it.</para>
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

        var entry = Entry("Search");
        var request = new SearchRequest(translated, query, (int)Math.Min((long)options.Skip + top, int.MaxValue), options.Skip, includeVectors);
        var (hits, vectors) = Run("Search", () => entry.Read(request.Run));
        for (var i = options.Skip; i < hits.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var score = _schema.ToScore(hits[i].Score);
            if (options.ScoreThreshold is { } threshold && (_schema.HigherIsBetter ? score < threshold : score > threshold)) yield break;
            var record = _mapper.ToRecord<TRecord>(translated.Company, hits[i].Key, hits[i].Metadata, vectors?[i - options.Skip]);
            yield return new VectorSearchResult<TRecord>(record, score);
        }
    }

    /// <summary>One vector search under one lease of the collection: the hits, and the vectors of the page when asked for.</summary>
    private sealed record SearchRequest(TranslatedFilter Filter, ReadOnlyMemory<float> Query, int K, int Skip, bool IncludeVectors)
    {
        public (EngineHit[] Hits, float[]?[]? Vectors) Run(EngineCollection engine)
        {
            engine.ValidateVector(Query.Span, "searchValue");
            var hits = engine.Search(Filter.Company, Query.Span, K, Filter.Predicate);
            if (!IncludeVectors || hits.Length <= Skip) return (hits, null);
            var vectors = new float[]?[hits.Length - Skip];
            for (var i = 0; i < vectors.Length; i++) vectors[i] = engine.VectorOf(Filter.Company, hits[Skip + i].Key, hits[Skip + i].Metadata);
            return (hits, vectors);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// <para>The vector side and BM25 over <paramref name="keywords"/> (joined with spaces) in the full-text property —
    /// <see cref="HybridSearchOptions{TRecord}.AdditionalProperty"/>, or the only full-text property — are each filtered
    /// inside the scan, then fused as the engine fuses them: α·vector + (1 − α)·keyword over min-max normalised scores,
    /// α = 0.5. The score of a result is the fused score (0 to 1, higher is better).</para>
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
        var textField = textProperty == _mapper.PrimaryText ? 0 : 1 + IndexOf(_mapper.SecondaryText, textProperty);
        var translated = Filters().Translate(options.Filter);
        var query = await RecordInputs.QueryVectorAsync(searchValue, vectorProperty, cancellationToken).ConfigureAwait(false);
        var text = string.Join(' ', keywords.Where(k => !string.IsNullOrWhiteSpace(k)));
        if (translated.Empty) yield break;

        var entry = Entry("HybridSearch");
        var hits = Run("HybridSearch", () => entry.Read(engine =>
        {
            engine.ValidateVector(query.Span, nameof(searchValue));
            return engine.HybridSearch(translated.Company, query, text, textField, top, options.Skip, translated.Predicate, cancellationToken);
        }));
        foreach (var hit in hits)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (options.ScoreThreshold is { } threshold && hit.Score < threshold) yield break;
            yield return new VectorSearchResult<TRecord>(Hit(entry, translated.Company, hit, includeVectors), hit.Score);
        }
    }

    private static int IndexOf(IReadOnlyList<DataPropertyModel> properties, DataPropertyModel property)
    {
        for (var i = 0; i < properties.Count; i++)
        {
            if (properties[i] == property) return i;
        }
        throw new InvalidOperationException($"Property '{property.ModelName}' is not full-text indexed.");
    }

    private TRecord Hit(Storage.CollectionEntry entry, string company, EngineHit hit, bool includeVectors)
    {
        var vector = includeVectors ? Run("Search", () => entry.Read(engine => engine.VectorOf(company, hit.Key, hit.Metadata))) : null;
        return _mapper.ToRecord<TRecord>(company, hit.Key, hit.Metadata, vector);
    }
}
