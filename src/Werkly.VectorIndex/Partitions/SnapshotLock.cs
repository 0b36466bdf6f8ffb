namespace Werkly.VectorIndex.Partitions;

/// <summary>
/// A reader-writer lock whose read side is a lease, not owned by a thread: a search takes it once and may hand the work
/// to another thread (the keyword side of a hybrid search runs on the thread pool) under the same lease. Readers run
/// concurrently; the one writer (callers serialise writers themselves) waits until the leases drain and holds new
/// readers back meanwhile, so a writer is never starved.
/// </summary>
/// <remarks>Uncontended, a read lease costs two interlocked operations. Not reentrant for the writer.</remarks>
internal sealed class SnapshotLock
{
    private readonly object _gate = new(); // Monitor.Wait needs an object, not a System.Threading.Lock
    private int _readers;
    private int _writer; // 1 while a writer waits for readers or holds the lock

    /// <summary>Takes a read lease (waits while a writer holds or waits for the lock).</summary>
    public void EnterRead()
    {
        while (true)
        {
            Interlocked.Increment(ref _readers);
            if (Volatile.Read(ref _writer) == 0) return;
            ExitRead();
            lock (_gate)
            {
                while (Volatile.Read(ref _writer) != 0) Monitor.Wait(_gate);
            }
        }
    }

    /// <summary>Returns a read lease.</summary>
    public void ExitRead()
    {
        if (Interlocked.Decrement(ref _readers) == 0 && Volatile.Read(ref _writer) != 0)
        {
            lock (_gate) Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Takes the write side: new readers wait, and this returns once every read lease is returned.</summary>
    public void EnterWrite()
    {
        if (Interlocked.Exchange(ref _writer, 1) != 0) throw new InvalidOperationException("The snapshot lock has a writer already.");
        lock (_gate)
        {
            while (Volatile.Read(ref _readers) != 0) Monitor.Wait(_gate);
        }
    }

    /// <summary>Releases the write side and wakes the readers waiting for it.</summary>
    public void ExitWrite()
    {
        Volatile.Write(ref _writer, 0);
        lock (_gate) Monitor.PulseAll(_gate);
    }
}
