namespace Werkly.VectorIndex.Text;

/// <summary>The analyzed fields of a batch of documents, ready to be appended under the write lock.</summary>
/// <remarks>Built by <see cref="Create"/> without touching any index, so a write analyzes its texts before any lock is
/// taken. Immutable once built.</remarks>
internal sealed class AnalyzedBatch : ITermSink
{
    /// <summary>Analyzes the title and body of each document with <paramref name="analyzer"/> (thread-safe).</summary>
    public static AnalyzedBatch Create(TextAnalyzer analyzer, IReadOnlyList<(string? Title, string? Body)> documents)
    {
        var batch = new AnalyzedBatch();
        var sink = new BatchSink(batch);
        foreach (var (title, body) in documents)
        {
            batch.CurrentField = InvertedIndex.TitleField;
            analyzer.Analyze(title, ref sink);
            batch.CurrentField = InvertedIndex.BodyField;
            analyzer.Analyze(body, ref sink);
            batch.DocumentStarts.Add(batch.TermCount);
        }
        return batch;
    }

    /// <summary>A reference to the batch that satisfies the analyzer's sink constraint.</summary>
    private readonly struct BatchSink(AnalyzedBatch batch) : ITermSink
    {
        public void Add(scoped ReadOnlySpan<char> term) => batch.Add(term);
    }

    internal char[] Chars = new char[1024];
    internal int CharCount;
    internal int[] Starts = new int[256];
    internal int[] Lengths = new int[256];
    internal int[] Fields = new int[256];
    internal int TermCount;
    internal int CurrentField;

    /// <summary>Term range of document d: [DocumentStarts[d], DocumentStarts[d + 1]).</summary>
    internal readonly List<int> DocumentStarts = [0];

    /// <summary>Documents in the batch.</summary>
    public int Count => DocumentStarts.Count - 1;

    public void Add(scoped ReadOnlySpan<char> term)
    {
        if (CharCount + term.Length > Chars.Length) Array.Resize(ref Chars, Math.Max(Chars.Length * 2, CharCount + term.Length));
        if (TermCount == Starts.Length)
        {
            Array.Resize(ref Starts, TermCount * 2);
            Array.Resize(ref Lengths, TermCount * 2);
            Array.Resize(ref Fields, TermCount * 2);
        }
        term.CopyTo(Chars.AsSpan(CharCount));
        Starts[TermCount] = CharCount;
        Lengths[TermCount] = term.Length;
        Fields[TermCount] = CurrentField;
        TermCount++;
        CharCount += term.Length;
    }
}

/// <summary>What one <see cref="InvertedIndex.Apply"/> changed, in order, so that <see cref="InvertedIndex.Undo"/> can take it back.</summary>
internal sealed class KeywordUndo
{
    internal readonly List<(int Document, string Key, bool Added)> Changes = [];
}

internal sealed partial class InvertedIndex
{
    /// <summary>
    /// Deletes <paramref name="deletes"/>, then adds document i of <paramref name="batch"/> under <paramref name="keys"/>[i],
    /// replacing a live document with the same key; records every change in <paramref name="undo"/>. Keys are
    /// validated already. No compaction runs here (it would renumber what <paramref name="undo"/> refers to): call
    /// <see cref="CompactIfNeeded"/> once the whole write has succeeded.
    /// </summary>
    internal void Apply(AnalyzedBatch batch, IReadOnlyList<string> keys, IReadOnlyList<string> deletes, KeywordUndo undo)
    {
        if (batch.Count != keys.Count) throw new ArgumentException($"The batch holds {batch.Count} documents for {keys.Count} keys.", nameof(keys));
        EnterWrite();
        try
        {
            foreach (var key in deletes)
            {
                if (!_docIds.TryGetValue(key, out var doc)) continue;
                DeleteDocument(doc);
                undo.Changes.Add((doc, key, false));
            }
            for (var i = 0; i < keys.Count; i++)
            {
                var key = keys[i];
                if (_docIds.TryGetValue(key, out var previous))
                {
                    DeleteDocument(previous);
                    undo.Changes.Add((previous, key, false));
                }
                AddDocument(key, batch.Chars, batch.Starts, batch.Lengths, batch.Fields, batch.DocumentStarts[i], batch.DocumentStarts[i + 1]);
                undo.Changes.Add((_docCount - 1, key, true));
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Deletes one document, recording it in <paramref name="undo"/>; false when the key is not present.</summary>
    internal bool Delete(string key, KeywordUndo undo)
    {
        EnterWrite();
        try
        {
            if (!_docIds.TryGetValue(key, out var doc)) return false;
            DeleteDocument(doc);
            undo.Changes.Add((doc, key, false));
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Takes back the changes <paramref name="undo"/> recorded, newest first: added documents are deleted again
    /// (their postings stay until the next compaction, as any deleted document's), deleted ones are restored.</summary>
    internal void Undo(KeywordUndo undo)
    {
        EnterWrite();
        try
        {
            for (var i = undo.Changes.Count - 1; i >= 0; i--)
            {
                var (doc, key, added) = undo.Changes[i];
                if (added) DeleteDocument(doc);
                else Restore(doc, key);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>The keys of the live documents (a snapshot; for consistency checks).</summary>
    internal string[] LiveKeys()
    {
        EnterRead();
        try
        {
            return [.. _docIds.Keys];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Compacts once deleted documents make up half the index (after a successful write).</summary>
    internal void CompactIfNeeded()
    {
        EnterWrite();
        try
        {
            MaybeCompact();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Brings a deleted document back, with its statistics (the inverse of <see cref="DeleteDocument"/>).</summary>
    private void Restore(int doc, string key)
    {
        _deleted[doc >> 6] &= ~(1UL << doc);
        _keys[doc] = key;
        _docIds[key] = doc;
        _liveCount++;
        for (var field = 0; field < FieldCount; field++) _totalLength[field] += _fieldLengths[field][doc];
        for (var i = _docTermStart[doc]; i < _docTermStart[doc + 1]; i++)
        {
            var entry = _docTerms[i];
            _postings[entry & 1][entry >> 1]!.LiveDocFreq++;
        }
    }
}
