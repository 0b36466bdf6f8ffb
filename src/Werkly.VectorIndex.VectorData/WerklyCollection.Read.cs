using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using Werkly.VectorIndex.VectorData.Engine;

namespace Werkly.VectorIndex.VectorData;

public partial class WerklyCollection<TKey, TRecord>
{
    /// <inheritdoc />
    public override Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var includeVectors = IncludeVectors(options?.IncludeVectors ?? false);
        var encoded = _mapper.Keys.Encode(key, nameof(key));
        var entry = Entry("Get");
        var stored = Run("Get", () => entry.Read(engine => engine.Get(encoded, includeVectors)));
        return Task.FromResult(stored is null ? null : ToRecord(stored));
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<TRecord> GetAsync(IEnumerable<TKey> keys, RecordRetrievalOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var includeVectors = IncludeVectors(options?.IncludeVectors ?? false);
        var encoded = keys.Select(k => _mapper.Keys.Encode(k, nameof(keys))).ToList();
        if (encoded.Count == 0) yield break;
        var entry = Entry("Get");
        foreach (var key in encoded)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var stored = Run("Get", () => entry.Read(engine => engine.Get(key, includeVectors)));
            if (stored is not null) yield return ToRecord(stored);
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>With a tenant property, <paramref name="filter"/> must constrain it by equality. Records come in key order
    /// unless <see cref="FilteredRecordRetrievalOptions{TRecord}.OrderBy"/> says otherwise.</remarks>
    public override async IAsyncEnumerable<TRecord> GetAsync(Expression<Func<TRecord, bool>> filter, int top,
        FilteredRecordRetrievalOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new FilteredRecordRetrievalOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options.Skip));
        var includeVectors = IncludeVectors(options.IncludeVectors);
        var translated = Filters().Translate(filter);
        var orderBy = options.OrderBy?.Invoke(new FilteredRecordRetrievalOptions<TRecord>.OrderByDefinition()).Values ?? [];
        var sorts = orderBy.Select(s => (Property: _model.GetDataOrKeyProperty(s.PropertySelector), s.Ascending)).ToArray();
        if (translated.Empty) yield break;

        var entry = Entry("GetByFilter");
        var stored = Run("GetByFilter", () => entry.Read(engine => engine.Scan(translated.Company, translated.Predicate, includeVectors, cancellationToken)));
        IEnumerable<TRecord> records = stored.Select(ToRecord);
        if (sorts.Length > 0)
        {
            var materialized = records.ToList();
            var comparer = Comparer<object?>.Create(CompareValues);
            IOrderedEnumerable<TRecord>? ordered = null;
            foreach (var (property, ascending) in sorts)
            {
                Func<TRecord, object?> selector = r => property.GetValueAsObject(r);
                ordered = ordered is null
                    ? ascending ? materialized.OrderBy(selector, comparer) : materialized.OrderByDescending(selector, comparer)
                    : ascending ? ordered.ThenBy(selector, comparer) : ordered.ThenByDescending(selector, comparer);
            }
            records = ordered!;
        }
        foreach (var record in records.Skip(options.Skip).Take(top))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Orders values as the database would: nulls first, strings ordinally, everything else by its own order.</summary>
    private static int CompareValues(object? a, object? b) => (a, b) switch
    {
        (null, null) => 0,
        (null, _) => -1,
        (_, null) => 1,
        (string x, string y) => string.CompareOrdinal(x, y),
        (IComparable x, _) => x.CompareTo(b),
        _ => 0,
    };

    private bool IncludeVectors(bool requested)
    {
        if (requested && _model.EmbeddingGenerationRequired)
            throw new NotSupportedException(VectorDataStrings.IncludeVectorsNotSupportedWithEmbeddingGeneration);
        return requested && _mapper.Vector is not null;
    }

    private TRecord ToRecord(EngineRecord stored) => _mapper.ToRecord<TRecord>(stored.Company, stored.Key, stored.Metadata, stored.Vector);
}
