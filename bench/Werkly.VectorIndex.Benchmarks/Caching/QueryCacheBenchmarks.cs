using BenchmarkDotNet.Attributes;
namespace Werkly.VectorIndex.Benchmarks.Caching;

/// <summary>
/// The query-result cache (<see cref="WerklyIndexOptions.QueryCacheBytes"/>) on 28,000 chunks × 384 dimensions
/// (Cranfield texts repeated with new ids, synthetic clustered unit vectors, the default Scalar4 lists): a repeated
/// query (hit) against a query never seen before (miss: searched, then added, evicting older entries) and against the
/// same search on an index without a cache, for vector and hybrid queries, in one run. The target is hit ≤ miss / 20.
/// <c>Write</c> is an upsert to the cached company with the cache full of its entries: invalidation is a generation
/// bump, so it costs what an upsert costs without a cache (<c>WriteUncached</c>).
/// </summary>
[MemoryDiagnoser]
public class QueryCacheBenchmarks : IDisposable
{
    private const int Dimensions = 384;
    private WerklyIndex _cached = null!;
    private WerklyIndex _uncached = null!;
    private SearchQuery[] _queries = [];
    private float[][] _fresh = [];
    private int _next;
    private int _written;

    [GlobalSetup]
    public void Setup()
    {
        var dataset = ClusteredVectors.LoadCranfield();
        var vectors = new ClusteredVectors(seed: 7, Dimensions, centres: 500);
        var Draw = vectors.Draw;
        var options = new WerklyIndexOptions { Dimensions = Dimensions, AutoRetrain = false };
        _cached = new WerklyIndex(options with { QueryCacheBytes = 16 << 20 });
        _uncached = new WerklyIndex(options);
        for (var copy = 0; copy < 20; copy++)
        {
            var batch = dataset.Corpus.Select(d => new VectorRecord($"{d.Id}-{copy}", Draw()) { Title = d.Title, Text = d.Text }).ToList();
            _cached.Apply("bench", batch, []);
            _uncached.Apply("bench", batch, []);
        }
        _cached.Retrain("bench");
        _uncached.Retrain("bench");
        _queries = [.. dataset.Queries.Select(q => new SearchQuery { Text = q.Text, Vector = Draw(), Top = 10 })];
        _fresh = [.. Enumerable.Range(0, 4096).Select(_ => Draw())];
        foreach (var q in _queries.Take(20))
        {
            _cached.Search("bench", q);
            _uncached.Search("bench", q);
        }
        // Fill the cache with entries of the company, so that a write has many to invalidate.
        for (var i = 0; i < 2000; i++) _cached.Search("bench", Fresh(SearchMode.Vector));
        Console.WriteLine($"// query cache: {_cached.QueryCache!.SizeBytes:N0} bytes held");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _cached?.Dispose();
        _uncached?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A query the cache has not seen: the fresh vector's first component moves with every call, so its key
    /// is new (and the search result is that of a real query).</summary>
    private SearchQuery Fresh(SearchMode mode)
    {
        var n = _next++;
        var vector = _fresh[n % _fresh.Length];
        vector[0] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(vector[0]) ^ 1);
        return new SearchQuery { Mode = mode, Text = _queries[n % _queries.Length].Text, Vector = vector, Top = 10 };
    }

    [Benchmark(Baseline = true)]
    public int VectorUncached() => _uncached.Search("bench", Fresh(SearchMode.Vector)).Count;

    [Benchmark]
    public int VectorMiss() => _cached.Search("bench", Fresh(SearchMode.Vector)).Count;

    [Benchmark]
    public int VectorHit() => _cached.Search("bench", _queries[0] with { Mode = SearchMode.Vector }).Count;

    [Benchmark]
    public int HybridUncached() => _uncached.Search("bench", Fresh(SearchMode.Hybrid)).Count;

    [Benchmark]
    public int HybridMiss() => _cached.Search("bench", Fresh(SearchMode.Hybrid)).Count;

    [Benchmark]
    public int HybridHit() => _cached.Search("bench", _queries[1]).Count;

    /// <summary>An upsert that invalidates the company's cached results (2,000 entries from the set-up; the write does
    /// not touch them).</summary>
    [Benchmark]
    public void WriteCached() => _cached.Upsert("bench", $"w{_written++ % 64}", _fresh[_written % _fresh.Length]);

    [Benchmark]
    public void WriteUncached() => _uncached.Upsert("bench", $"w{_written++ % 64}", _fresh[_written % _fresh.Length]);
}
