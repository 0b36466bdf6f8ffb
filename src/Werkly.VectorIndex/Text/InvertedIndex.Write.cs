namespace Werkly.VectorIndex.Text;

internal sealed partial class InvertedIndex
{
    /// <summary>The terms of one document's fields, analyzed before the write lock is taken.</summary>
    private sealed class AnalyzedDocument : ITermSink
    {
        public const int RetainedChars = 1 << 20;

        public char[] Chars = new char[4096];
        public int CharCount;
        public int[] Starts = new int[512];
        public int[] Lengths = new int[512];
        public int[] Fields = new int[512];
        public int Count;
        public int CurrentField;

        public void Clear()
        {
            CharCount = 0;
            Count = 0;
        }

        public void Add(scoped ReadOnlySpan<char> term)
        {
            if (CharCount + term.Length > Chars.Length) Array.Resize(ref Chars, Math.Max(Chars.Length * 2, CharCount + term.Length));
            if (Count == Starts.Length)
            {
                Array.Resize(ref Starts, Count * 2);
                Array.Resize(ref Lengths, Count * 2);
                Array.Resize(ref Fields, Count * 2);
            }
            term.CopyTo(Chars.AsSpan(CharCount));
            Starts[Count] = CharCount;
            Lengths[Count] = term.Length;
            Fields[Count] = CurrentField;
            Count++;
            CharCount += term.Length;
        }
    }

    /// <summary>A reference to an <see cref="AnalyzedDocument"/> that satisfies the analyzer's sink constraint.</summary>
    private readonly struct DocumentSink(AnalyzedDocument document) : ITermSink
    {
        public void Add(scoped ReadOnlySpan<char> term) => document.Add(term);
    }

    [ThreadStatic] private static AnalyzedDocument? t_analyzed;

    // Writer scratch (used under the write lock only): per-term counts of the document being added.
    private int[] _scratchCounts = new int[64];
    private int[] _scratchTouched = new int[64];

    /// <summary>Adds a document, or replaces the document that has the same key.</summary>
    /// <param name="key">The record key (1 to 512 characters, no control characters).</param>
    /// <param name="title">The title field; null or empty for none.</param>
    /// <param name="body">The body field; null or empty for none.</param>
    /// <exception cref="Exceptions.InvalidIdentifierException">The key is empty, too long or has control characters.</exception>
    public void Upsert(string key, string? title, string? body)
    {
        Identifiers.ValidateKey(key);
        var analyzed = t_analyzed ??= new AnalyzedDocument();
        Analyze(analyzed, title, body);
        EnterWrite();
        try
        {
            if (_docIds.TryGetValue(key, out var previous)) DeleteDocument(previous);
            AddDocument(key, analyzed);
            MaybeCompact();
        }
        finally
        {
            _lock.ExitWriteLock();
            if (analyzed.Chars.Length > AnalyzedDocument.RetainedChars) t_analyzed = null; // do not pin one huge document's buffers
        }
    }

    /// <summary>Adds or replaces many documents.</summary>
    /// <param name="documents">The documents; a key repeated in the sequence keeps its last document.</param>
    /// <param name="cancellationToken">Stops between documents; those already written stay.</param>
    /// <returns>How many documents were written.</returns>
    /// <exception cref="Exceptions.InvalidIdentifierException">A key is invalid; the documents before it are written.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public int UpsertRange(IEnumerable<KeywordDocument> documents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var written = 0;
        foreach (var document in documents)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Upsert(document.Key, document.Title, document.Body);
            written++;
        }
        return written;
    }

    /// <summary>Removes the document with <paramref name="key"/>.</summary>
    /// <returns>True when a document was removed; false when the key was not present.</returns>
    /// <exception cref="Exceptions.InvalidIdentifierException">The key is empty, too long or has control characters.</exception>
    public bool Delete(string key)
    {
        Identifiers.ValidateKey(key);
        EnterWrite();
        try
        {
            if (!_docIds.TryGetValue(key, out var doc)) return false;
            DeleteDocument(doc);
            MaybeCompact();
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private void Analyze(AnalyzedDocument analyzed, string? title, string? body)
    {
        analyzed.Clear();
        var sink = new DocumentSink(analyzed);
        analyzed.CurrentField = TitleField;
        _analyzer.Analyze(title, ref sink);
        analyzed.CurrentField = BodyField;
        _analyzer.Analyze(body, ref sink);
    }

    private void AddDocument(string key, AnalyzedDocument analyzed) =>
        AddDocument(key, analyzed.Chars, analyzed.Starts, analyzed.Lengths, analyzed.Fields, 0, analyzed.Count);

    /// <summary>Appends a document whose analyzed terms are entries [<paramref name="from"/>, <paramref name="to"/>) of the arrays.</summary>
    private void AddDocument(string key, char[] chars, int[] starts, int[] termLengths, int[] fields, int from, int to)
    {
        var doc = _docCount;
        EnsureDocCapacity(doc + 1);
        _keys[doc] = key;
        _docIds[key] = doc;

        for (var field = 0; field < FieldCount; field++)
        {
            // Count term frequencies of this field, remembering first occurrences in order.
            var touched = 0;
            var length = 0;
            for (var t = from; t < to; t++)
            {
                if (fields[t] != field) continue;
                var term = chars.AsSpan(starts[t], termLengths[t]);
                var id = TermId(term);
                if (_scratchCounts[id]++ == 0)
                {
                    if (touched == _scratchTouched.Length) Array.Resize(ref _scratchTouched, touched * 2);
                    _scratchTouched[touched++] = id;
                }
                length++;
            }
            _fieldLengths[field][doc] = length;
            _totalLength[field] += length;

            var postings = _postings[field];
            for (var i = 0; i < touched; i++)
            {
                var id = _scratchTouched[i];
                var list = postings[id] ??= new PostingList();
                list.Add(doc, _scratchCounts[id], length);
                _scratchCounts[id] = 0;
                if (!_forwardStale) _docTerms.Add((id << 1) | field); // a stale forward index is rebuilt from the postings
            }
        }
        if (!_forwardStale) _docTermStart[doc + 1] = _docTerms.Count;
        _docCount++;
        _liveCount++;
    }

    private int TermId(ReadOnlySpan<char> term)
    {
        if (_termLookup.TryGetValue(term, out var id)) return id;
        id = _terms.Count;
        var text = new string(term);
        _terms.Add(text);
        _termIds.Add(text, id);
        if (id == _scratchCounts.Length)
        {
            Array.Resize(ref _scratchCounts, id * 2);
            for (var f = 0; f < FieldCount; f++) Array.Resize(ref _postings[f], id * 2);
        }
        return id;
    }

    private void DeleteDocument(int doc)
    {
        EnsureForwardIndex();
        _deleted[doc >> 6] |= 1UL << doc;
        _docIds.Remove(_keys[doc]!);
        _keys[doc] = null;
        _liveCount--;
        for (var field = 0; field < FieldCount; field++) _totalLength[field] -= _fieldLengths[field][doc];
        for (var i = _docTermStart[doc]; i < _docTermStart[doc + 1]; i++)
        {
            var entry = _docTerms[i];
            _postings[entry & 1][entry >> 1]!.LiveDocFreq--;
        }
    }

    /// <summary>Leaves the forward index to be built from the postings by the first delete or compaction, if any: for
    /// an index that is only appended to (a segment's keyword index being encoded).</summary>
    internal void DeferForwardIndex()
    {
        EnterWrite();
        try
        {
            _forwardStale = true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Rebuilds the forward index from the postings when it is stale (write lock held).</summary>
    private void EnsureForwardIndex()
    {
        if (!_forwardStale) return;
        var starts = new int[_docTermStart.Length];
        for (var field = 0; field < FieldCount; field++)
        {
            for (var id = 0; id < _terms.Count; id++)
            {
                if (_postings[field][id] is not { } list) continue;
                for (var p = 0; p < list.Count; p++) starts[list.DocAt(p) + 1]++;
            }
        }
        for (var doc = 0; doc < _docCount; doc++) starts[doc + 1] += starts[doc];
        var forward = new IntPages(starts[_docCount]);
        var fill = starts.AsSpan(0, _docCount).ToArray();
        for (var field = 0; field < FieldCount; field++)
        {
            for (var id = 0; id < _terms.Count; id++)
            {
                if (_postings[field][id] is not { } list) continue;
                for (var p = 0; p < list.Count; p++) forward[fill[list.DocAt(p)]++] = (id << 1) | field;
            }
        }
        _docTermStart = starts;
        _docTerms = forward;
        _forwardStale = false;
    }

    private void EnsureDocCapacity(int count)
    {
        if (count <= _keys.Length) return; // the deletion bitmap always covers the key array
        var capacity = Math.Max(count, _keys.Length * 2);
        Array.Resize(ref _keys, capacity);
        for (var f = 0; f < FieldCount; f++) Array.Resize(ref _fieldLengths[f], capacity);
        Array.Resize(ref _docTermStart, capacity + 1);
        Array.Resize(ref _deleted, (capacity + 63) >> 6);
    }

    /// <summary>Rewrites the index without deleted documents once they are at least half of it.</summary>
    private void MaybeCompact()
    {
        var deleted = _docCount - _liveCount;
        if (deleted < 64 || deleted < _liveCount) return;
        Compact();
    }

    /// <summary>Renumbers live documents densely (keeping their order) and rewrites every posting list.</summary>
    internal void Compact()
    {
        EnsureForwardIndex();
        var remap = new int[_docCount];
        var next = 0;
        for (var doc = 0; doc < _docCount; doc++) remap[doc] = IsDeleted(doc) ? -1 : next++;

        for (var field = 0; field < FieldCount; field++)
        {
            var lengths = _fieldLengths[field];
            var postings = _postings[field];
            for (var id = 0; id < _terms.Count; id++)
            {
                var old = postings[id];
                if (old is null) continue;
                if (old.LiveDocFreq == 0)
                {
                    postings[id] = null;
                    continue;
                }
                var list = new PostingList(old.LiveDocFreq);
                for (var p = 0; p < old.Count; p++)
                {
                    var doc = remap[old.DocAt(p)];
                    if (doc >= 0) list.Add(doc, old.FreqAt(p), lengths[old.DocAt(p)]);
                }
                postings[id] = list;
            }
            var newLengths = new int[Math.Max(64, next)];
            for (var doc = 0; doc < _docCount; doc++)
            {
                if (remap[doc] >= 0) newLengths[remap[doc]] = lengths[doc];
            }
            _fieldLengths[field] = newLengths;
        }

        var keys = new string?[Math.Max(64, next)];
        var starts = new int[keys.Length + 1];
        var forward = new IntPages();
        for (var doc = 0; doc < _docCount; doc++)
        {
            var target = remap[doc];
            if (target < 0) continue;
            keys[target] = _keys[doc];
            _docIds[_keys[doc]!] = target;
            starts[target] = forward.Count;
            for (var i = _docTermStart[doc]; i < _docTermStart[doc + 1]; i++) forward.Add(_docTerms[i]);
        }
        starts[next] = forward.Count;
        _keys = keys;
        _docTermStart = starts;
        _docTerms = forward;
        _deleted = new ulong[(keys.Length + 63) >> 6];
        _docCount = next;
    }
}
