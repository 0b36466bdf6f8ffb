namespace Werkly.VectorIndex.Partitions;

/// <summary>
/// A company's documents: for each document id its content hash and the keys of its live records, derived from the
/// records themselves (each carries its document id and hash in reserved metadata). It is never stored on its own, so
/// it cannot disagree with the records after a crash: it is rebuilt from them on first use after opening.
/// </summary>
/// <remarks>Guarded by the owning partition: changed under its write lock (with the writer gate held), read under a
/// read lease.</remarks>
internal sealed class DocumentTable
{
    private readonly Dictionary<string, (string Hash, HashSet<string> Keys)> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _documentOfKey = new(StringComparer.Ordinal);

    public int Count => _documents.Count;

    /// <summary>The document of a live record, or null.</summary>
    public string? DocumentOf(string key) => _documentOfKey.GetValueOrDefault(key);

    public bool TryGet(string documentId, out DocumentInfo info)
    {
        if (_documents.TryGetValue(documentId, out var entry))
        {
            info = new DocumentInfo(documentId, entry.Hash, entry.Keys.Count);
            return true;
        }
        info = default;
        return false;
    }

    /// <summary>The keys of a document's live records (empty when unknown).</summary>
    public IReadOnlyCollection<string> KeysOf(string documentId) =>
        _documents.TryGetValue(documentId, out var entry) ? entry.Keys : [];

    public DocumentInfo[] All() => [.. _documents.Select(d => new DocumentInfo(d.Key, d.Value.Hash, d.Value.Keys.Count)).OrderBy(d => d.DocumentId, StringComparer.Ordinal)];

    /// <summary>Records that <paramref name="key"/> now holds a record of <paramref name="documentId"/> (null: of no
    /// document), moving it from whatever document held it before. Appends the inverse to <paramref name="undo"/>.</summary>
    public void Set(string key, string? documentId, string? hash, List<Action>? undo)
    {
        var previous = _documentOfKey.GetValueOrDefault(key);
        if (previous is not null)
        {
            var (oldHash, keys) = _documents[previous];
            keys.Remove(key);
            _documentOfKey.Remove(key);
            if (keys.Count == 0) _documents.Remove(previous);
            undo?.Add(() => Add(key, previous, oldHash));
        }
        if (documentId is not null)
        {
            var oldEntry = _documents.TryGetValue(documentId, out var e) ? e.Hash : null;
            Add(key, documentId, hash!);
            undo?.Add(() =>
            {
                Remove(key);
                if (oldEntry is not null && _documents.TryGetValue(documentId, out var entry)) _documents[documentId] = (oldEntry, entry.Keys);
            });
        }
    }

    /// <summary>Adds a live record of a document (rebuilding, or undoing).</summary>
    public void Add(string key, string documentId, string hash)
    {
        if (_documents.TryGetValue(documentId, out var entry))
        {
            entry.Keys.Add(key);
            if (entry.Hash != hash) _documents[documentId] = (hash, entry.Keys);
        }
        else
        {
            _documents[documentId] = (hash, new HashSet<string>(StringComparer.Ordinal) { key });
        }
        _documentOfKey[key] = documentId;
    }

    private void Remove(string key)
    {
        if (!_documentOfKey.Remove(key, out var documentId)) return;
        var (_, keys) = _documents[documentId];
        keys.Remove(key);
        if (keys.Count == 0) _documents.Remove(documentId);
    }
}
