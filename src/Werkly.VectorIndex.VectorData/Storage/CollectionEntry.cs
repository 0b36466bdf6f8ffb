using Werkly.VectorIndex.VectorData.Engine;

namespace Werkly.VectorIndex.VectorData.Storage;

/// <summary>One open collection: its schema, its engine, and the lease that keeps the engine alive while calls run.</summary>
/// <remarks>Every engine call runs inside <see cref="Read{T}"/>; deleting the collection or closing the store takes the
/// lease exclusively, so an engine is never disposed (its files unmapped) under a running search. Writes are
/// serialised by <see cref="WriteGate"/>.</remarks>
internal sealed class CollectionEntry : IDisposable
{
    private readonly ReaderWriterLockSlim _lease = new(LockRecursionPolicy.SupportsRecursion);
    private bool _closed;

    public CollectionEntry(string name, string? directory, CollectionSchema schema, EngineCollection engine)
    {
        Name = name;
        Directory = directory;
        Schema = schema;
        Engine = engine;
    }

    public string Name { get; }

    /// <summary>The collection's folder, or null in memory.</summary>
    public string? Directory { get; }

    public CollectionSchema Schema { get; }

    public EngineCollection Engine { get; }

    /// <summary>Serialises writes (upserts, deletes, their commits).</summary>
    public SemaphoreSlim WriteGate { get; } = new(1, 1);

    /// <summary>Runs <paramref name="read"/> against the engine unless the collection was deleted or its store closed.</summary>
    /// <exception cref="InvalidOperationException">The collection was deleted meanwhile.</exception>
    public T Read<T>(Func<EngineCollection, T> read)
    {
        _lease.EnterReadLock();
        try
        {
            if (_closed) throw new InvalidOperationException($"Collection '{Name}' was deleted or its store was closed.");
            return read(Engine);
        }
        finally
        {
            _lease.ExitReadLock();
        }
    }

    /// <summary>Waits for running calls, then disposes the engine; later calls throw.</summary>
    public void Dispose()
    {
        _lease.EnterWriteLock();
        try
        {
            if (_closed) return;
            _closed = true;
            Engine.Dispose();
        }
        finally
        {
            _lease.ExitWriteLock();
        }
    }
}
