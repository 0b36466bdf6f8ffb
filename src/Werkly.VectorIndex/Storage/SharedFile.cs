namespace Werkly.VectorIndex.Storage;

/// <summary>A mapped file shared by every <see cref="DirectoryState"/> that references it, reference-counted; the
/// last release unmaps it and, when a commit has retired it, deletes the file.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class SharedFile<T>(T value, string path, IStorageDevice device) where T : class, IDisposable
{
    private int _references = 1;
    private volatile bool _retired;

    /// <summary>The mapped object.</summary>
    public T Value { get; } = value;

    /// <summary>The file's path.</summary>
    public string Path { get; } = path;

    /// <summary>Adds a reference.</summary>
    public void AddReference()
    {
        if (Interlocked.Increment(ref _references) <= 1) throw new InvalidOperationException($"'{Path}' was already released.");
    }

    /// <summary>Adds a reference unless the last one was released already; false then.</summary>
    public bool TryAddReference()
    {
        int current;
        do
        {
            current = Volatile.Read(ref _references);
            if (current <= 0) return false;
        }
        while (Interlocked.CompareExchange(ref _references, current + 1, current) != current);
        return true;
    }

    /// <summary>Marks the file for deletion once the last reference is released.</summary>
    public void Retire() => _retired = true;

    /// <summary>Drops a reference; the last one unmaps (and deletes a retired file, best effort: a failure leaves an orphan the next writer removes).</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left > 0) return;
        if (left < 0) throw new InvalidOperationException($"'{Path}' was released too often.");
        Value.Dispose();
        if (_retired)
        {
            try
            {
                device.Delete(Path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}

/// <summary>One commit as held in memory: the manifest and the mapped files it references. Reference-counted by the
/// directory (while current) and by each <see cref="IndexSnapshot"/>.</summary>
internal sealed class DirectoryState
{
    private int _references = 1;

    public DirectoryState(Manifest manifest, IReadOnlyList<CompanySnapshot> companies)
    {
        Manifest = manifest;
        Companies = companies;
        CompanyById = companies.ToDictionary(c => c.CompanyId, StringComparer.Ordinal);
    }

    public Manifest Manifest { get; }

    public IReadOnlyList<CompanySnapshot> Companies { get; }

    public Dictionary<string, CompanySnapshot> CompanyById { get; }

    /// <summary>Adds a reference unless the state was already released; false then.</summary>
    public bool TryAddReference()
    {
        int current;
        do
        {
            current = Volatile.Read(ref _references);
            if (current == 0) return false;
        }
        while (Interlocked.CompareExchange(ref _references, current + 1, current) != current);
        return true;
    }

    /// <summary>Drops a reference; the last one releases every file.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        foreach (var company in Companies)
        {
            company.SharedCentroids?.Release();
            foreach (var segment in company.Segments) segment.SharedSegment.Release();
        }
    }
}
