using System.Buffers;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Werkly.VectorIndex.Caching;

/// <summary>
/// A size-bounded cache of search results, keyed by company, query (vector bytes and/or text), mode and options, and
/// valid only for the company state it was computed on: each entry carries the company partition's write generation,
/// and a lookup under any other generation misses. A write therefore invalidates all of its company's entries in O(1)
/// (the partition bumps its generation while it installs the write, before the write is acknowledged), without
/// touching the cache; stale entries are dropped when met or evicted by age.
/// </summary>
/// <remarks>
/// <para>Sharded by key hash (<see cref="ShardCount"/> shards, each its own lock, least-recently-used list and share of
/// the byte budget), so concurrent searches rarely contend. Sizes are estimates of the managed bytes an entry holds
/// (key, results, and any text, metadata or vectors they carry).</para>
/// <para>Threading: every member is thread-safe. Cached values are never handed out directly: callers copy them.</para>
/// </remarks>
internal sealed class QueryCache
{
    internal const int ShardCount = 16;
    private const long EntryOverheadBytes = 160;
    private readonly Shard[] _shards;
    private long _hits, _misses, _evictions;

    /// <param name="maxBytes">The budget for all entries (at least 1 MiB).</param>
    public QueryCache(long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1 << 20);
        MaxBytes = maxBytes;
        _shards = new Shard[ShardCount];
        for (var i = 0; i < ShardCount; i++) _shards[i] = new Shard(maxBytes / ShardCount);
    }

    public long MaxBytes { get; }

    /// <summary>Estimated bytes held now.</summary>
    public long SizeBytes => _shards.Sum(s => s.Bytes);

    public long Hits => Volatile.Read(ref _hits);

    public long Misses => Volatile.Read(ref _misses);

    public long Evictions => Volatile.Read(ref _evictions);

    /// <summary>The cached value for <paramref name="key"/> if it was computed under <paramref name="generation"/>.</summary>
    public bool TryGet<T>(QueryKey key, long generation, out T value)
        where T : class
    {
        var shard = _shards[(int)(key.Hash % ShardCount)];
        if (shard.TryGet(key, generation, out var cached) && cached is T found)
        {
            Interlocked.Increment(ref _hits);
            IndexTelemetry.QueryCacheHit(key.Company);
            value = found;
            return true;
        }
        Interlocked.Increment(ref _misses);
        IndexTelemetry.QueryCacheMiss(key.Company);
        value = null!;
        return false;
    }

    /// <summary>Caches <paramref name="value"/> (which the caller no longer mutates) for <paramref name="key"/> under
    /// <paramref name="generation"/>, evicting the least recently used entries of its shard beyond the budget.</summary>
    public void Add(QueryKey key, long generation, object value, long valueBytes)
    {
        var shard = _shards[(int)(key.Hash % ShardCount)];
        var evicted = shard.Add(key, generation, value, key.Bytes.Length + valueBytes + EntryOverheadBytes);
        foreach (var company in evicted)
        {
            Interlocked.Increment(ref _evictions);
            IndexTelemetry.QueryCacheEviction(company);
        }
    }

    private sealed class Entry(QueryKey key, long generation, object value, long size)
    {
        public readonly QueryKey Key = key;
        public readonly long Generation = generation;
        public readonly object Value = value;
        public readonly long Size = size;
        public LinkedListNode<Entry>? Node;
    }

    private sealed class Shard(long maxBytes)
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<ulong, Entry> _entries = [];
        private readonly LinkedList<Entry> _recency = []; // most recently used first
        private long _bytes;

        public long Bytes
        {
            get
            {
                lock (_gate) return _bytes;
            }
        }

        public bool TryGet(QueryKey key, long generation, out object value)
        {
            lock (_gate)
            {
                if (_entries.TryGetValue(key.Hash, out var entry) && entry.Key.Matches(key))
                {
                    if (entry.Generation == generation)
                    {
                        _recency.Remove(entry.Node!);
                        _recency.AddFirst(entry.Node!);
                        value = entry.Value;
                        return true;
                    }
                    Remove(entry); // computed on an older state of the company: never served again
                }
            }
            value = null!;
            return false;
        }

        public List<string> Add(QueryKey key, long generation, object value, long size)
        {
            List<string> evicted = [];
            if (size > maxBytes) return evicted;
            lock (_gate)
            {
                if (_entries.TryGetValue(key.Hash, out var existing))
                {
                    // A newer state wins; an older result (a search that started before a write) never replaces it.
                    if (existing.Key.Matches(key) && existing.Generation > generation) return evicted;
                    Remove(existing);
                }
                var entry = new Entry(key, generation, value, size);
                entry.Node = _recency.AddFirst(entry);
                _entries[key.Hash] = entry;
                _bytes += size;
                while (_bytes > maxBytes && _recency.Last is { } last)
                {
                    Remove(last.Value);
                    evicted.Add(last.Value.Key.Company);
                }
            }
            return evicted;
        }

        private void Remove(Entry entry)
        {
            _entries.Remove(entry.Key.Hash);
            _recency.Remove(entry.Node!);
            _bytes -= entry.Size;
        }
    }
}

/// <summary>
/// What identifies a cached search: the company, the query's vector bytes and text, its mode and every option that
/// changes the result, serialised to bytes (compared exactly on a hit, so a hash collision is only a miss), plus the
/// fusion settings compared by value.
/// </summary>
internal sealed class QueryKey
{
    private QueryKey(string company, byte[] bytes, FusionOptions? fusion, FeedbackOptions? feedback = null, DocumentGrouping? grouping = null)
    {
        Company = company;
        Bytes = bytes;
        Fusion = fusion;
        Feedback = feedback;
        Grouping = grouping;
        Hash = XxHash3.HashToUInt64(bytes) ^ (ulong)(uint)HashCode.Combine(fusion, feedback, grouping);
    }

    public string Company { get; }

    public byte[] Bytes { get; }

    public FusionOptions? Fusion { get; }

    /// <summary>The query's pseudo-relevance feedback (compared by value: it changes the results).</summary>
    public FeedbackOptions? Feedback { get; }

    /// <summary>The query's grouping by document (compared by value: it changes the results).</summary>
    public DocumentGrouping? Grouping { get; }

    public ulong Hash { get; }

    public bool Matches(QueryKey other) =>
        Bytes.AsSpan().SequenceEqual(other.Bytes) && Equals(Fusion, other.Fusion) && Equals(Feedback, other.Feedback) && Equals(Grouping, other.Grouping);

    /// <summary>The key of a <see cref="SearchQuery"/> (which must have no filter).</summary>
    public static QueryKey For(string company, SearchQuery query)
    {
        var writer = new ArrayBufferWriter<byte>(256 + (query.Vector?.Length ?? 0) * sizeof(float) + (query.Text?.Length ?? 0) * sizeof(char));
        Write(writer, 1);
        Write(writer, company);
        Write(writer, (int)query.Mode);
        Write(writer, query.Top);
        Write(writer, query.Skip);
        Write(writer, query.Probes ?? -1);
        Write(writer, query.RerankFactor ?? -1);
        Write(writer, query.CandidatesPerSide ?? -1);
        Write(writer, (int)query.Include);
        Write(writer, query.Explain ? 1 : 0);
        // Every option that changes the results is part of the key: the score floor (its exact bits), and below, by
        // value, the fusion, the feedback and the grouping by document.
        Write(writer, query.MinScore is null ? 0 : 1);
        Write(writer, BitConverter.DoubleToInt64Bits(query.MinScore ?? 0));
        Write(writer, query.Text);
        Write(writer, query.Vector is { } vector ? vector.Span : default, present: query.Vector is not null);
        return new QueryKey(company, writer.WrittenSpan.ToArray(), query.Mode == SearchMode.Vector ? null : query.Fusion, query.Feedback, query.GroupByDocument);
    }

    /// <summary>The key of a vector search for <paramref name="k"/> hits (options without a filter).</summary>
    public static QueryKey For(string company, ReadOnlySpan<float> vector, int k, SearchOptions? options)
    {
        var writer = new ArrayBufferWriter<byte>(64 + vector.Length * sizeof(float) + company.Length * sizeof(char));
        Write(writer, 2);
        Write(writer, company);
        Write(writer, k);
        Write(writer, options?.Probes ?? -1);
        Write(writer, options?.RerankFactor ?? -1);
        Write(writer, vector, present: true);
        return new QueryKey(company, writer.WrittenSpan.ToArray(), null);
    }

    private static void Write(ArrayBufferWriter<byte> writer, long value)
    {
        MemoryMarshal.Write(writer.GetSpan(sizeof(long)), in value);
        writer.Advance(sizeof(long));
    }

    private static void Write(ArrayBufferWriter<byte> writer, int value)
    {
        MemoryMarshal.Write(writer.GetSpan(sizeof(int)), in value);
        writer.Advance(sizeof(int));
    }

    private static void Write(ArrayBufferWriter<byte> writer, string? text)
    {
        Write(writer, text?.Length ?? -1);
        if (text is not null) writer.Write(MemoryMarshal.AsBytes(text.AsSpan()));
    }

    private static void Write(ArrayBufferWriter<byte> writer, ReadOnlySpan<float> vector, bool present)
    {
        Write(writer, present ? vector.Length : -1);
        writer.Write(MemoryMarshal.AsBytes(vector));
    }

    /// <summary>Estimated managed bytes of a result list and what its results carry.</summary>
    public static long SizeOf(IReadOnlyList<SearchResult> results)
    {
        long bytes = 32L + results.Count * 8L;
        foreach (var result in results)
        {
            bytes += 96 + 2L * result.Key.Length + 2L * (result.DocumentId?.Length ?? 0) + 2L * (result.Title?.Length ?? 0) + 2L * (result.Text?.Length ?? 0);
            if (result.Metadata is { } metadata) bytes += 64 + 96L * metadata.Count;
            if (result.Vector is { } stored) bytes += 32 + 4L * stored.Length;
            if (result.Explanation is not null) bytes += 80;
        }
        return bytes;
    }

    /// <summary>Estimated managed bytes of a hit array (metadata maps are shared with the index, not counted).</summary>
    public static long SizeOf(SearchHit[] hits) => 32L + hits.Length * 24L + hits.Sum(h => 2L * h.Key.Length);
}
