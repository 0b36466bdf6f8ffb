using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
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
    public override IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(TInput searchValue, int top,
        VectorSearchOptions<TRecord>? options = null, CancellationToken cancellationToken = default)
    {
        // A vector needs nothing awaited: the search runs on the first MoveNextAsync, without an async state machine.
        switch (searchValue)
        {
            case ReadOnlyMemory<float> memory: return new VectorSearch(this, memory, top, options, cancellationToken);
            case float[] array: return new VectorSearch(this, array, top, options, cancellationToken);
            case Embedding<float> embedding: return new VectorSearch(this, embedding.Vector, top, options, cancellationToken);
        }
        return SearchByEmbeddingAsync(searchValue, top, options, cancellationToken);
    }

    /// <summary>A search by an input the embedding generator turns into the query vector (or by null, which throws).</summary>
    private async IAsyncEnumerable<VectorSearchResult<TRecord>> SearchByEmbeddingAsync<TInput>(TInput searchValue, int top,
        VectorSearchOptions<TRecord>? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        var search = new VectorSearch(this, default, top, options, cancellationToken);
        var vectorProperty = search.Prepare();
        var query = await RecordInputs.QueryVectorAsync(searchValue, vectorProperty, cancellationToken).ConfigureAwait(false);
        search.Run(query);
        while (search.MoveNext()) yield return search.Current;
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
        cancellationToken.ThrowIfCancellationRequested();
        var query = await RecordInputs.QueryVectorAsync(searchValue, vectorProperty, cancellationToken).ConfigureAwait(false);
        var text = string.Join(' ', keywords.Where(k => !string.IsNullOrWhiteSpace(k)));
        if (translated.Empty) yield break;

        // Read once: the caller's options object may change while the results are enumerated.
        var skip = options.Skip;
        var scoreThreshold = options.ScoreThreshold;
        var entry = Entry("HybridSearch");
        // The page's vectors are read under the search's lease, so each record holds the vector of the row its hit
        // came from (a write or a delete between hits cannot change it).
        var (hits, vectors) = Run("HybridSearch", () => entry.Read(engine =>
        {
            engine.ValidateVector(query.Span, nameof(searchValue));
            var found = engine.HybridSearch(translated.Company, query, text, textField, top, skip, translated.Predicate, cancellationToken);
            float[]?[]? read = null;
            if (includeVectors)
            {
                read = new float[]?[found.Count];
                for (var i = 0; i < read.Length; i++) read[i] = engine.VectorOf(translated.Company, found[i].Key, found[i].Metadata);
            }
            return (found, read);
        }));
        for (var i = 0; i < hits.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var hit = hits[i];
            if (scoreThreshold is { } threshold && hit.Score < threshold) yield break;
            yield return new VectorSearchResult<TRecord>(_mapper.ToRecord<TRecord>(translated.Company, hit.Key, hit.Metadata, vectors?[i]), hit.Score);
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
}
