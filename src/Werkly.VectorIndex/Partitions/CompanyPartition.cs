using Werkly.VectorIndex.Ivf;
using Werkly.VectorIndex.Storage;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Partitions;

/// <summary>Settings every partition of one index shares.</summary>
/// <param name="Options">The index options.</param>
/// <param name="Analyzer">The analyzer for titles, texts and queries (thread-safe).</param>
/// <param name="Persistent">Whether commits follow (deletions are then remembered as tombstones).</param>
internal sealed record PartitionSettings(WerklyIndexOptions Options, TextAnalyzer Analyzer, bool Persistent)
{
    /// <summary>Test hook: called with a step name between the steps of a write, so tests can inject a failure at each.</summary>
    public Action<string>? FaultHook { get; init; }

    /// <summary>Where an automatic retrain's build runs (at <see cref="WerklyIndexOptions.CommitPriority"/>), or null to
    /// run it on the writing thread (a read-only index).</summary>
    public CommitThread? RetrainWorker { get; set; }

    /// <summary>The analysis fingerprint a segment's keyword block must carry to be loaded as is.</summary>
    public string KeywordFingerprint { get; } = KeywordSegment.Fingerprint(Options.Keywords.Analysis);
}

/// <summary>
/// One company's data, owned in one place: its IVF segments (vectors, keys, metadata, titles and texts), its keyword
/// postings and its document table. Every write goes through this object and reaches every side or none; every read
/// runs on one consistent state of all three.
/// </summary>
/// <remarks>
/// <para><b>Locks</b> (docs/ARCHITECTURE.md, "Lock order"): the <em>writer gate</em> serialises everything that
/// changes the partition (writes, lazy loads, retrains, merges, the commit's freeze and swap); the
/// <see cref="SnapshotLock"/> separates readers from the moment a change is installed. A writer holds the gate, builds
/// what it can without the lock (analysis, k-means, merges), then takes the lock's write side only to install. Readers
/// take a read lease for a whole search, so a search sees one state from start to end, and a hybrid search may run its
/// keyword side on another thread under the same lease. Order: index commit gate → writer gates (by company id,
/// ordinal) → snapshot lock → the keyword index's own lock.</para>
/// <para><b>Lifetime</b>: a partition replaced by a refresh or removed with its company is <em>retired</em> under its
/// write lock; a reader that gets a lease on a retired partition lets go and looks the company up again. The index
/// releases mapped files only once no read lease can reach them.</para>
/// </remarks>
internal sealed partial class CompanyPartition : IDisposable
{
    private readonly SnapshotLock _lock = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly PartitionSettings _settings;
    private readonly IvfIndex _vectors;
    private InvertedIndex? _keywords;
    private DocumentTable? _documents;
    private volatile bool _retired;
    private long _writeGeneration = NextGeneration();

    /// <summary>Generations are drawn from one counter for all partitions, so a company deleted and written again, or a
    /// partition a refresh replaced, never repeats a generation its predecessor had.</summary>
    private static long s_generations;

    private static long NextGeneration() => Interlocked.Increment(ref s_generations);

    /// <summary>
    /// Changes whenever what a search of this company returns may change (a write, its undo, a retrain, a merge), under
    /// the write lock, before the change is acknowledged: a result computed under a read lease that saw generation g is
    /// current exactly while the generation is still g. The query-result cache keys its entries by it.
    /// </summary>
    public long WriteGeneration => Volatile.Read(ref _writeGeneration);

    private bool _written; // a write reached the partition (or it was loaded from a commit); changed under the gate

    /// <summary>Creates a partition over <paramref name="vectors"/> (new and empty, or loaded from a commit).</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="settings">The index-wide settings.</param>
    /// <param name="vectors">The company's segments.</param>
    /// <param name="keywordsLoaded">True for a new company (its keyword side starts empty); false to load the keyword
    /// side from the segments on first use.</param>
    public CompanyPartition(string companyId, PartitionSettings settings, IvfIndex vectors, bool keywordsLoaded)
    {
        CompanyId = companyId;
        _settings = settings;
        _vectors = vectors;
        _written = !keywordsLoaded;
        if (keywordsLoaded)
        {
            _keywords = new InvertedIndex(settings.Options.Keywords);
            _documents = new DocumentTable();
        }
    }

    public string CompanyId { get; }

    /// <summary>For a reader: the signature of the committed files the partition shows, while nothing else was written
    /// to it (a refresh keeps the partition, with its loaded keyword side, when the new commit's signature is the same);
    /// null once anything else was written.</summary>
    public string? Signature { get; set; }

    /// <summary>Set when a refresh replaced the partition or its company was deleted.</summary>
    public bool IsRetired => _retired;

    /// <summary>How the keyword side was loaded after opening, once it was.</summary>
    public KeywordLoadStatistics? KeywordLoad { get; private set; }

    /// <summary>The last automatic retrain that failed (the write that triggered it stayed applied), or null.</summary>
    public Exception? LastRetrainError { get; private set; }

    /// <summary>Takes a read lease; false (and no lease) when the partition is retired.</summary>
    public bool TryEnterRead()
    {
        _lock.EnterRead();
        if (!_retired) return true;
        _lock.ExitRead();
        return false;
    }

    public void ExitRead() => _lock.ExitRead();

    /// <summary>Marks the partition retired once no reader holds a lease: new readers look the company up again.</summary>
    public void Retire()
    {
        _lock.EnterWrite();
        _retired = true;
        _lock.ExitWrite();
    }

    /// <summary>
    /// Retires a partition that no write ever reached (its company's first write failed or was cancelled), running
    /// <paramref name="remove"/> (taking it out of the table) under the writer gate, so that no write can land in it
    /// meanwhile: writers waiting for the gate find it retired and write to the company's next partition.
    /// </summary>
    /// <returns>False (nothing done) when a write reached it, or it is retired already.</returns>
    public bool TryRetireUnwritten(Action remove)
    {
        _gate.Wait();
        try
        {
            if (_written || _retired) return false;
            Install(() => _retired = true);
            remove();
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Releases the keyword index. Call only when no lease can reach the partition any more.</summary>
    public void Dispose()
    {
        _keywords?.Dispose();
        _gate.Dispose();
    }

    /// <summary>Runs <paramref name="change"/> with the writer gate held and the write lock taken around it.</summary>
    /// <param name="change">The change.</param>
    /// <param name="visible">Whether searches may see a different result afterwards (false only for the commit's
    /// freeze and swap, which move the same rows between memory and mapped segments); a visible change moves
    /// <see cref="WriteGeneration"/> on before readers are let back in, whether or not it completes.</param>
    private void Install(Action change, bool visible = true)
    {
        _lock.EnterWrite();
        try
        {
            change();
        }
        finally
        {
            if (visible) Volatile.Write(ref _writeGeneration, NextGeneration());
            _lock.ExitWrite();
        }
    }

    /// <summary>Builds the key map if needed (under the gate, installed under the write lock).</summary>
    public void EnsureKeyMap()
    {
        if (_vectors.HasKeyMap) return;
        _gate.Wait();
        try
        {
            EnsureKeyMapGated();
        }
        finally
        {
            _gate.Release();
        }
    }

    private void EnsureKeyMapGated()
    {
        if (!_vectors.HasKeyMap) Install(() => _vectors.EnsureKeyMap());
    }

    /// <summary>Loads the keyword side if needed.</summary>
    /// <exception cref="Exceptions.IndexCorruptedException">A keyword block is damaged.</exception>
    public void EnsureKeywords()
    {
        if (Volatile.Read(ref _keywords) is not null) return;
        _gate.Wait();
        try
        {
            EnsureKeywordsGated();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Builds the document table if needed.</summary>
    public void EnsureDocuments()
    {
        if (Volatile.Read(ref _documents) is not null) return;
        _gate.Wait();
        try
        {
            EnsureDocumentsGated();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The document table, rebuilt from the live records' reserved metadata: every record of a document carries the
    /// document's id and hash, so the table is exactly what the records say, whatever a crash interrupted.
    /// </summary>
    private void EnsureDocumentsGated()
    {
        if (_documents is not null) return;
        EnsureKeyMapGated();
        var table = new DocumentTable();
        foreach (var segment in _vectors.Segments)
        {
            for (var row = 0; row < segment.RowCount; row++)
            {
                if (segment.Deleted.Contains(row)) continue;
                var metadata = segment.GetMetadata(row);
                if (ReservedMetadata.Get(metadata, ReservedMetadata.Document) is { } document)
                    table.Add(segment.GetKey(row), document, ReservedMetadata.Get(metadata, ReservedMetadata.Hash) ?? "");
            }
        }
        Install(() => _documents = table);
    }
}

/// <summary>How a company's keyword partition was loaded on its first use after opening.</summary>
/// <param name="Elapsed">Time taken.</param>
/// <param name="Documents">Live records with keyword text.</param>
/// <param name="SegmentsFromBlocks">Segments whose stored postings were loaded as they are.</param>
/// <param name="SegmentsAnalyzed">Segments whose stored texts were analyzed again: written without a keyword block,
/// with other analysis options or a newer block layout, or not yet committed.</param>
internal readonly record struct KeywordLoadStatistics(TimeSpan Elapsed, int Documents, int SegmentsFromBlocks, int SegmentsAnalyzed);
