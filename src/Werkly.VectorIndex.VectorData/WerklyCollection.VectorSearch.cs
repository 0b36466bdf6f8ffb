using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using Werkly.VectorIndex.VectorData.Filtering;

namespace Werkly.VectorIndex.VectorData;

public partial class WerklyCollection<TKey, TRecord>
{
    /// <summary>
    /// One vector search, as an async sequence that never awaits: the search runs on the first <see cref="MoveNextAsync"/>
    /// (as an async iterator's would, so nothing happens until the caller enumerates), each later call maps one hit.
    /// </summary>
    /// <remarks>
    /// A search by vector has nothing to await, and a compiler-generated async iterator costs a state machine, a promise
    /// and a closure per search, and far more code on a path that runs with cold caches after every search has streamed
    /// its lists. Failures surface from <see cref="MoveNextAsync"/> as faulted tasks, as they would from an async iterator.
    /// A search by text runs <see cref="Prepare"/>, awaits the embedding, then <see cref="Run"/> and <see cref="MoveNext"/>.
    /// </remarks>
    private sealed class VectorSearch : IAsyncEnumerable<VectorSearchResult<TRecord>>, IAsyncEnumerator<VectorSearchResult<TRecord>>
    {
        private readonly WerklyCollection<TKey, TRecord> _collection;
        private readonly ReadOnlyMemory<float> _query;
        private readonly int _top;
        private readonly VectorSearchOptions<TRecord>? _requested;
        private readonly CancellationToken _cancellationToken;
        private CancellationToken _enumeratorCancellation;
        // 1 once this object was handed out as its own enumerator; a second enumeration gets a fresh search.
        private int _enumerated;
        private VectorSearchOptions<TRecord> _options = null!;
        // Read once in Prepare: the caller's options object may change while this search is enumerated (a paging loop
        // reusing it), and the page was searched with these values.
        private int _skip;
        private double? _scoreThreshold;
        private bool _includeVectors;
        private TranslatedFilter _filter = null!;
        private SearchHit[]? _hits;
        private float[]?[]? _vectors;
        private int _next;
        private bool _finished;

        public VectorSearch(WerklyCollection<TKey, TRecord> collection, ReadOnlyMemory<float> query, int top,
            VectorSearchOptions<TRecord>? options, CancellationToken cancellationToken)
        {
            _collection = collection;
            _query = query;
            _top = top;
            _requested = options;
            _cancellationToken = cancellationToken;
        }

        public VectorSearchResult<TRecord> Current { get; private set; } = null!;

        public IAsyncEnumerator<VectorSearchResult<TRecord>> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            var enumerator = Interlocked.Exchange(ref _enumerated, 1) == 0
                ? this
                : new VectorSearch(_collection, _query, _top, _requested, _cancellationToken) { _enumerated = 1 };
            enumerator._enumeratorCancellation = cancellationToken;
            return enumerator;
        }

        public ValueTask<bool> MoveNextAsync()
        {
            try
            {
                if (_hits is null && !_finished)
                {
                    // A cancelled search does not run (and fails even when it would have found nothing).
                    _cancellationToken.ThrowIfCancellationRequested();
                    _enumeratorCancellation.ThrowIfCancellationRequested();
                    Prepare();
                    Run(_query);
                }
                return new ValueTask<bool>(MoveNext());
            }
            catch (Exception ex)
            {
                _finished = true;
                return ValueTask.FromException<bool>(ex);
            }
        }

        /// <summary>Checks the arguments and translates the filter; returns the vector property searched.</summary>
        public VectorPropertyModel Prepare()
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(_top, 1, "top");
            _options = _requested ?? new VectorSearchOptions<TRecord>();
            _skip = _options.Skip;
            ArgumentOutOfRangeException.ThrowIfNegative(_skip, nameof(_options.Skip));
            _scoreThreshold = _options.ScoreThreshold;
            _includeVectors = _collection.IncludeVectors(_options.IncludeVectors);
            var vectorProperty = _collection._model.GetVectorPropertyOrSingle(_options);
            _filter = _collection.Filters().Translate(_options.Filter);
            return vectorProperty;
        }

        /// <summary>Searches the engine under one lease: the hits, and the vectors of the page when asked for.</summary>
        public void Run(ReadOnlyMemory<float> query)
        {
            if (_filter.Empty)
            {
                _finished = true;
                return;
            }
            var entry = _collection.Entry("Search");
            var skip = _skip;
            try
            {
                using var lease = entry.Enter();
                var engine = entry.Engine;
                engine.ValidateVector(query.Span, "searchValue");
                var hits = engine.Search(_filter.Company, query.Span, (int)Math.Min((long)skip + _top, int.MaxValue), _filter.Predicate);
                if (_includeVectors && hits.Length > skip)
                {
                    _vectors = new float[]?[hits.Length - skip];
                    for (var i = 0; i < _vectors.Length; i++) _vectors[i] = engine.VectorOf(_filter.Company, hits[skip + i].Key, hits[skip + i].Metadata);
                }
                _hits = hits;
            }
            catch (Exception ex) when (IsEngineFailure(ex))
            {
                throw _collection._store.Failure(ex, _collection.Name, "Search");
            }
            _next = skip;
        }

        /// <summary>Maps the next hit into <see cref="Current"/>; false at the end of the page or below the score threshold.</summary>
        public bool MoveNext()
        {
            if (_finished || _hits is null || _next >= _hits.Length)
            {
                _finished = true;
                return false;
            }
            _cancellationToken.ThrowIfCancellationRequested();
            _enumeratorCancellation.ThrowIfCancellationRequested();
            var hit = _hits[_next];
            var schema = _collection._schema;
            var score = schema.ToScore(hit.Score);
            if (_scoreThreshold is { } threshold && (schema.HigherIsBetter ? score < threshold : score > threshold))
            {
                _finished = true;
                return false;
            }
            var record = _collection._mapper.ToRecord<TRecord>(_filter.Company, hit.Key, hit.Metadata, _vectors?[_next - _skip]);
            Current = new VectorSearchResult<TRecord>(record, score);
            _next++;
            return true;
        }

        public ValueTask DisposeAsync()
        {
            _finished = true;
            return default;
        }
    }
}
