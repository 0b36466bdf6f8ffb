namespace Werkly.VectorIndex.Text;

/// <summary>
/// The keyword index of one company: a term dictionary, per-field postings (title and body) and per-document field
/// lengths, scored with BM25 and searched top-k with block-max MaxScore pruning.
/// </summary>
/// <remarks>
/// <para>Updates: <see cref="Upsert(string, string?, string?)"/> replaces a key's previous document and
/// <see cref="Delete(string)"/> removes it; both are visible to the next search. Statistics (document count,
/// document frequencies, average field lengths) always describe the live documents only, so scores after any
/// sequence of updates equal those of an index built fresh from the surviving documents. Deleted postings are
/// skipped at search time and reclaimed by an automatic compaction once they make up half the index.</para>
/// <para>Thread safety: any number of searches run concurrently; writes are serialized and exclusive. A write analyzes
/// its text before taking the lock and holds it only to append the already-analyzed postings, so searches wait at
/// most for one document's append (or, rarely, a compaction). Every public member is safe to call from any thread.</para>
/// </remarks>
internal sealed partial class InvertedIndex : IDisposable
{
    internal const int TitleField = 0;
    internal const int BodyField = 1;
    internal const int FieldCount = 2;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly TextAnalyzer _analyzer;

    // Term dictionary.
    private readonly Dictionary<string, int> _termIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _termLookup;
    private readonly List<string> _terms = [];
    private readonly PostingList?[][] _postings = [new PostingList?[64], new PostingList?[64]];

    // Documents, by internal id (ascending in insertion order; compaction renumbers).
    private readonly Dictionary<string, int> _docIds = new(StringComparer.Ordinal);
    private string?[] _keys = new string?[64];
    private readonly int[][] _fieldLengths = [new int[64], new int[64]];
    private ulong[] _deleted = new ulong[1];
    private int _docCount;
    private int _liveCount;
    private readonly long[] _totalLength = new long[FieldCount];

    // Forward index: the (term, field) pairs of each document, so a delete can correct document frequencies. Only
    // writes need it: appending a stored segment leaves it stale, and the first write rebuilds it from the postings.
    private int[] _docTermStart = new int[65];
    private IntPages _docTerms = new();
    private bool _forwardStale;

    private bool _disposed;

    /// <summary>Creates an empty index.</summary>
    /// <param name="options">Analysis and default scoring; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public InvertedIndex(KeywordOptions? options = null)
    {
        Options = options ?? new KeywordOptions();
        Options.Validate();
        _analyzer = new TextAnalyzer(Options.Analysis);
        _termLookup = _termIds.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The settings the index was created with.</summary>
    public KeywordOptions Options { get; }

    /// <summary>The analyzer applied to documents and queries.</summary>
    public TextAnalyzer Analyzer => _analyzer;

    /// <summary>The number of live documents.</summary>
    public int Count
    {
        get
        {
            EnterRead();
            try
            {
                return _liveCount;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>The number of distinct terms ever indexed (including terms only deleted documents held until the
    /// next compaction).</summary>
    public int TermCount
    {
        get
        {
            EnterRead();
            try
            {
                return _terms.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Whether a live document has <paramref name="key"/>.</summary>
    public bool Contains(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        EnterRead();
        try
        {
            return _docIds.ContainsKey(key);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Releases the lock's resources. Calls after disposal throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _lock.Dispose();
    }

    private void EnterRead()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _lock.EnterReadLock();
    }

    private void EnterWrite()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _lock.EnterWriteLock();
    }

    private bool IsDeleted(int doc) => (_deleted[doc >> 6] & (1UL << doc)) != 0;
}
