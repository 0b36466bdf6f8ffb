using System.Collections.Concurrent;

namespace Werkly.VectorIndex.Storage;

/// <summary>
/// A task scheduler whose threads run at a lowered OS priority, for the parallel loops of work that runs on a lowered
/// <see cref="CommitThread"/> (k-means, list assignment, code training, probe calibration, merges): with the default
/// scheduler those loops would fan out to pool threads at normal priority and compete with searches as before; with this
/// one lowered work keeps its parallelism and still gives searchers the cores first.
/// </summary>
/// <remarks>One per priority, shared by the process (<see cref="For"/>). Threads start when tasks are queued, at most
/// one per core, and end after <see cref="IdleTimeout"/> without work, so an index that is never disposed leaves no
/// thread behind. A task runs inline only on a lowered thread, so no work of a lowered loop lands on a normal-priority
/// thread (nor creates one: on Linux a new thread inherits its creator's nice value).</remarks>
internal sealed class LoweredScheduler : TaskScheduler
{
    /// <summary>How long a helper thread waits for work before it ends.</summary>
    internal static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(2);

    private static readonly ConcurrentDictionary<ThreadPriority, LoweredScheduler> Shared = new();

    private readonly BlockingCollection<Task> _queue = [];
    private readonly ThreadPriority _priority;
    private readonly int _maxThreads;
    private int _threads;

    private LoweredScheduler(ThreadPriority priority, int maxThreads)
    {
        _priority = priority;
        _maxThreads = maxThreads;
    }

    /// <summary>The process's scheduler for <paramref name="priority"/>.</summary>
    public static LoweredScheduler For(ThreadPriority priority) =>
        Shared.GetOrAdd(priority, static p => new LoweredScheduler(p, Environment.ProcessorCount));

    /// <summary>Helper threads alive now (for tests).</summary>
    internal int ThreadCount => Volatile.Read(ref _threads);

    /// <inheritdoc/>
    public override int MaximumConcurrencyLevel => _maxThreads;

    /// <inheritdoc/>
    protected override void QueueTask(Task task)
    {
        _queue.Add(task);
        if (TryReserveThread())
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Werkly lowered ({_priority})" };
            thread.UnsafeStart();
        }
    }

    /// <inheritdoc/>
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        CommitThread.IsCurrent && TryExecuteTask(task);

    /// <inheritdoc/>
    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    private bool TryReserveThread()
    {
        while (true)
        {
            var threads = Volatile.Read(ref _threads);
            if (threads >= _maxThreads) return false;
            if (Interlocked.CompareExchange(ref _threads, threads + 1, threads) == threads) return true;
        }
    }

    private void Loop()
    {
        CommitThread.EnterLowered(_priority, this);
        while (true)
        {
            while (_queue.TryTake(out var task, IdleTimeout)) TryExecuteTask(task);
            Interlocked.Decrement(ref _threads);
            // A task queued while this thread was giving up found every thread reserved: take it on again.
            if (_queue.Count == 0 || !TryReserveThread()) return;
        }
    }
}
