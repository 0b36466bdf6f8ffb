using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Werkly.VectorIndex.VectorData.Engine;

namespace Werkly.VectorIndex.VectorData.Storage;

/// <summary>
/// The collections of one store folder (or of one in-memory store), shared by every <see cref="WerklyVectorStore"/>
/// and standalone collection opened on that folder in this process, so that scoped and transient registrations reuse
/// the open indexes instead of fighting over the folder's write lock. Reference-counted: the indexes close when the
/// last store or collection holding the root is disposed.
/// </summary>
/// <remarks>Layout: <c>{folder}/{collection}/collection.json</c> (the schema) and <c>{folder}/{collection}/index/</c>
/// (the engine's files). A sub-folder without a schema is not a collection. Thread-safe.</remarks>
internal sealed partial class StoreRoot
{
    private const string SchemaFile = "collection.json";
    private const string IndexFolder = "index";

    private static readonly Dictionary<string, StoreRoot> Shared = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, CollectionEntry> _open = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    // Set once the last reference is given back: the root opens nothing more, and a store opening the folder meanwhile
    // waits for its engines to close (they hold the folder's write lock) instead of meeting their lock.
    private readonly TaskCompletionSource _closedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _closing;
    private bool _closed;
    private int _references;

    private StoreRoot(string? directory, bool durableWrites)
    {
        DirectoryPath = directory;
        DurableWrites = durableWrites;
    }

    /// <summary>Test hook: called with the folder's full path when <see cref="Acquire"/> is about to wait for a root of
    /// that folder that is closing.</summary>
    internal static Action<string>? ClosingWaitHook { get; set; }

    /// <summary>The store folder, or null in memory.</summary>
    public string? DirectoryPath { get; }

    /// <summary>Whether the collections' engines make each write durable when it returns (the first store to open the
    /// folder in this process decides, since its stores share the open engines).</summary>
    public bool DurableWrites { get; }

    /// <summary>A root for <paramref name="directory"/> (shared within the process), or a new in-memory root for null.</summary>
    public static StoreRoot Acquire(string? directory, bool durableWrites = true)
    {
        if (directory is null) return new StoreRoot(null, durableWrites) { _references = 1 };
        var full = Path.GetFullPath(directory);
        while (true)
        {
            StoreRoot? closing;
            lock (Shared)
            {
                if (!Shared.TryGetValue(full, out var root))
                {
                    Directory.CreateDirectory(full);
                    Shared[full] = root = new StoreRoot(full, durableWrites);
                }
                if (!root._closing)
                {
                    root._references++;
                    return root;
                }
                closing = root;
            }
            // The last store on this folder is closing its engines (waiting for searches in flight): wait, then open anew.
            ClosingWaitHook?.Invoke(full);
            closing._closedSignal.Task.GetAwaiter().GetResult();
        }
    }

    /// <summary>Gives back one reference; the last one closes every open collection.</summary>
    public void Release()
    {
        if (DirectoryPath is not null)
        {
            lock (Shared)
            {
                if (--_references > 0) return;
                _closing = true;
            }
        }
        else if (Interlocked.Decrement(ref _references) > 0)
        {
            return;
        }
        try
        {
            // Nothing opens after this (Find and GetOrCreate check it under the same gate), so every engine is disposed.
            lock (_gate) _closed = true;
            foreach (var entry in _open.Values) entry.Dispose();
            _open.Clear();
        }
        finally
        {
            // Only now may another root open the folder: the engines' write locks are released.
            if (DirectoryPath is not null)
            {
                lock (Shared) Shared.Remove(DirectoryPath);
            }
            _closedSignal.TrySetResult();
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="name"/> can name a collection (it becomes a folder name).</summary>
    public static void ValidateName(string name, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, paramName);
        if (!NamePattern().IsMatch(name))
            throw new ArgumentException(
                $"Collection name '{name}' is not valid: use 1 to 128 characters of A-Z, a-z, 0-9, '_', '-' and '.', starting with a letter or digit.", paramName);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    /// <summary>Whether collection <paramref name="name"/> exists.</summary>
    public bool Exists(string name) => _open.ContainsKey(name) || (DirectoryPath is not null && File.Exists(SchemaPath(name)));

    /// <summary>The names of the existing collections.</summary>
    public IReadOnlyList<string> Names()
    {
        var names = new SortedSet<string>(_open.Keys, StringComparer.Ordinal);
        if (DirectoryPath is not null && Directory.Exists(DirectoryPath))
        {
            foreach (var folder in Directory.EnumerateDirectories(DirectoryPath))
            {
                var name = Path.GetFileName(folder);
                if (File.Exists(Path.Combine(folder, SchemaFile))) names.Add(name);
            }
        }
        return [.. names];
    }

    /// <summary>The open collection <paramref name="name"/>, opening it from disk when it exists there; null when it does not exist.</summary>
    public CollectionEntry? Find(string name)
    {
        if (_open.TryGetValue(name, out var entry)) return entry;
        if (DirectoryPath is null || !File.Exists(SchemaPath(name))) return null;
        lock (_gate)
        {
            ThrowIfClosed();
            if (_open.TryGetValue(name, out entry)) return entry;
            var path = SchemaPath(name);
            var schema = CollectionSchema.FromJson(File.ReadAllBytes(path), path);
            return _open[name] = Open(name, schema);
        }
    }

    /// <summary>The collection <paramref name="name"/>, created with <paramref name="schema"/> when it does not exist.</summary>
    /// <exception cref="InvalidOperationException">It exists with another schema.</exception>
    public CollectionEntry GetOrCreate(string name, CollectionSchema schema)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            var entry = Find(name);
            if (entry is not null)
            {
                entry.Schema.EnsureCompatible(schema, name);
                return entry;
            }
            entry = Open(name, schema);
            if (DirectoryPath is not null)
            {
                // The schema is written last: a folder without one (a crash during creation) is not a collection.
                var path = SchemaPath(name);
                var temporary = path + ".tmp";
                using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
                {
                    file.Write(schema.ToJson());
                    file.Flush(flushToDisk: true);
                }
                File.Move(temporary, path, overwrite: true);
            }
            return _open[name] = entry;
        }
    }

    /// <summary>Deletes collection <paramref name="name"/> and its files; nothing when it does not exist.</summary>
    public void Delete(string name)
    {
        lock (_gate)
        {
            if (_open.TryRemove(name, out var entry)) entry.Dispose();
            if (DirectoryPath is null) return;
            var folder = Path.Combine(DirectoryPath, name);
            if (!Directory.Exists(folder)) return;
            // The schema goes first, so a crash mid-way leaves a folder that is no longer a collection.
            File.Delete(SchemaPath(name));
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The open collections (for committing them all).</summary>
    public IEnumerable<CollectionEntry> OpenCollections => _open.Values;

    private CollectionEntry Open(string name, CollectionSchema schema)
    {
        string? folder = DirectoryPath is null ? null : Path.Combine(DirectoryPath, name);
        var engine = EngineCollection.Open(folder is null ? null : Path.Combine(folder, IndexFolder), schema.ToEngine(), DurableWrites);
        return new CollectionEntry(name, folder, schema, engine);
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once the last store or collection holding this root has
    /// been disposed (a call that raced that disposal; <see cref="_gate"/> held).</summary>
    private void ThrowIfClosed()
    {
        if (_closed) throw new ObjectDisposedException(nameof(WerklyVectorStore), "The vector store was disposed.");
    }

    private string SchemaPath(string name) => Path.Combine(DirectoryPath!, name, SchemaFile);
}
