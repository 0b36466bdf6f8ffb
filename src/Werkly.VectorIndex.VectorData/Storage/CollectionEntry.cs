using Werkly.VectorIndex.VectorData.Engine;

namespace Werkly.VectorIndex.VectorData.Storage;

/// <summary>One open collection: its schema, its engine, and the lease that keeps the engine alive while calls run.</summary>
/// <remarks>Every engine call runs inside a lease (<see cref="Enter"/> or <see cref="Read{T}"/>); deleting the collection
/// or closing the store closes the entry to new leases and waits for the running ones, so an engine is never disposed
/// (its files unmapped) under a running search. Writes are serialised by <see cref="WriteGate"/>.</remarks>
internal sealed class CollectionEntry : IDisposable
{
    // Running leases; Dispose adds int.MinValue, so the count stays negative once closed and a new lease sees it. One
    // interlocked add per lease (a search takes one): a ReaderWriterLockSlim costs a thread-local lookup and far more code
    // on this path, which runs cold after every search has streamed its lists through the caches.
    private int _leases;
    private readonly object _closeGate = new();

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

    /// <summary>Takes a lease on the engine (leases nest); dispose it when the call is done.</summary>
    /// <exception cref="InvalidOperationException">The collection was deleted or its store closed.</exception>
    public Lease Enter()
    {
        if (Interlocked.Increment(ref _leases) < 0)
        {
            Interlocked.Decrement(ref _leases);
            throw new InvalidOperationException($"Collection '{Name}' was deleted or its store was closed.");
        }
        return new Lease(this);
    }

    /// <summary>Runs <paramref name="read"/> against the engine unless the collection was deleted or its store closed.</summary>
    /// <exception cref="InvalidOperationException">The collection was deleted meanwhile.</exception>
    public T Read<T>(Func<EngineCollection, T> read)
    {
        using var lease = Enter();
        return read(Engine);
    }

    /// <summary>Closes the entry to new leases, waits for running ones, then disposes the engine; later calls throw.</summary>
    public void Dispose()
    {
        lock (_closeGate)
        {
            if (Volatile.Read(ref _leases) < 0) return;
            Interlocked.Add(ref _leases, int.MinValue);
            var spin = new SpinWait();
            while (Volatile.Read(ref _leases) != int.MinValue) spin.SpinOnce();
            Engine.Dispose();
        }
    }

    /// <summary>A lease on the engine of an entry (see <see cref="Enter"/>).</summary>
    public readonly struct Lease(CollectionEntry entry) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref entry._leases);
    }
}
