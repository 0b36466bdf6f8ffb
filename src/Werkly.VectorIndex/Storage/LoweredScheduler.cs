using System.Collections.Concurrent;

namespace Werkly.VectorIndex.Storage;

/// <summary>
/// A task scheduler whose threads run at a lowered OS priority, for the parallel loops of work that runs on a
/// <see cref="CommitThread"/> (k-means, list assignment, code training, probe calibration): with the default scheduler
/// those loops would fan out to pool threads at normal priority and compete with searches as before; with this one a
/// lowered commit or retrain keeps its parallelism and still gives searchers the cores first.
/// </summary>
/// <remarks>Threads start with the first task and live until <see cref="Dispose"/>. A task is run inline only on a
/// lowered thread (the commit thread or one of these), so no work of a lowered loop lands on a normal-priority thread.</remarks>
internal sealed class LoweredScheduler : TaskScheduler, IDisposable
{
    private readonly BlockingCollection<Task> _queue = [];
    private readonly ThreadPriority _priority;
    private readonly int _threadCount;
    private readonly string _name;
    private readonly Lock _startGate = new();
    private Thread[]? _threads;

    public LoweredScheduler(ThreadPriority priority, int threads, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _priority = priority;
        _threadCount = threads;
        _name = name;
    }

    /// <inheritdoc/>
    public override int MaximumConcurrencyLevel => _threadCount;

    /// <summary>Ends the threads once the queued tasks have run.</summary>
    public void Dispose()
    {
        Thread[]? threads;
        lock (_startGate)
        {
            if (_queue.IsAddingCompleted) return;
            _queue.CompleteAdding();
            threads = _threads;
        }
        if (threads is not null)
        {
            foreach (var thread in threads)
            {
                if (thread != Thread.CurrentThread) thread.Join();
            }
        }
        _queue.Dispose();
    }

    /// <inheritdoc/>
    protected override void QueueTask(Task task)
    {
        StartThreads();
        _queue.Add(task);
    }

    /// <inheritdoc/>
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        CommitThread.IsCurrent && TryExecuteTask(task);

    /// <inheritdoc/>
    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    private void StartThreads()
    {
        if (Volatile.Read(ref _threads) is not null) return;
        lock (_startGate)
        {
            if (_threads is not null) return;
            var threads = new Thread[_threadCount];
            for (var i = 0; i < threads.Length; i++)
            {
                threads[i] = new Thread(Loop) { IsBackground = true, Name = $"{_name} {i + 1}" };
                threads[i].UnsafeStart();
            }
            Volatile.Write(ref _threads, threads);
        }
    }

    private void Loop()
    {
        CommitThread.EnterLowered(_priority, this);
        foreach (var task in _queue.GetConsumingEnumerable()) TryExecuteTask(task);
    }
}
