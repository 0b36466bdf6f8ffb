using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Werkly.VectorIndex.Storage;

/// <summary>
/// The thread a commit's heavy work runs on when <see cref="WerklyIndexOptions.CommitPriority"/> is below normal: tiered
/// merges, keyword-block encoding, writing, checksumming and fsyncing segment files; and (on an instance of its own) the
/// build of an automatic retrain: k-means, assignment, code training, calibration. None of that holds a lock a
/// search takes, so running it at a lower OS scheduling priority gives the searchers the cores first. Parallel loops
/// of that work run on a <see cref="LoweredScheduler"/> of the same priority (<see cref="CurrentScheduler"/>), so
/// they keep their parallelism without running on normal-priority pool threads. The phases that
/// do hold such locks (a merge's install, the freeze, the swap) stay on the committing thread at its own priority:
/// a lowered thread must never hold a lock searches wait for (priority inversion).
/// </summary>
/// <remarks>
/// A dedicated thread, because the priority cannot be raised back without privileges on Linux (an unprivileged thread
/// may raise its nice value, not lower it), and .NET's <see cref="Thread.Priority"/> is a no-op on Linux: there it is
/// set with <c>setpriority(PRIO_PROCESS, gettid(), nice)</c> (nice 10 for <see cref="ThreadPriority.BelowNormal"/>,
/// 19 for <see cref="ThreadPriority.Lowest"/>); on Windows through <see cref="Thread.Priority"/>; elsewhere the work runs
/// at normal priority. One caller at a time (the index's commit gate serialises them); <see cref="Run{T}"/> blocks the
/// caller until the work ends and rethrows its exception. Created with <c>threadPerRun</c> (automatic retrains, which
/// writers of different companies run concurrently), each call runs on a thread of its own instead, so calls never
/// wait for one another. Parallel loops run on the process's <see cref="LoweredScheduler"/> for the priority.
/// </remarks>
internal sealed partial class CommitThread : IDisposable
{
    [ThreadStatic]
    private static bool t_isCommitThread;

    [ThreadStatic]
    private static TaskScheduler? t_scheduler;

    private readonly Lock _runGate = new();
    private readonly SemaphoreSlim _posted = new(0);
    private readonly SemaphoreSlim _done = new(0);
    private readonly bool _threadPerRun;
    private Thread? _thread;
    private Action? _work;
    private volatile bool _disposed;

    /// <param name="priority">The priority work runs at.</param>
    /// <param name="name">The thread's name.</param>
    /// <param name="threadPerRun">Run each call on a new thread (concurrent callers), not on one long-lived thread.</param>
    public CommitThread(ThreadPriority priority, string name = "Werkly commit", bool threadPerRun = false)
    {
        // Where the priority cannot be lowered, a dedicated thread would only serialise the work for nothing.
        Priority = OperatingSystem.IsLinux() || OperatingSystem.IsWindows() ? priority : ThreadPriority.Normal;
        Name = name;
        _threadPerRun = threadPerRun;
    }

    /// <summary>The thread's name.</summary>
    public string Name { get; }

    /// <summary>The priority work runs at; <see cref="ThreadPriority.Normal"/> runs it on the caller's thread.</summary>
    public ThreadPriority Priority { get; }

    /// <summary>Whether the current thread is a lowered thread: a commit thread or one of its scheduler's (work there
    /// fans out only to <see cref="CurrentScheduler"/>: pool threads would run it at normal priority).</summary>
    public static bool IsCurrent => t_isCommitThread;

    /// <summary>On a lowered thread, the scheduler its parallel loops must use (threads at the same priority); null
    /// elsewhere (use the default scheduler).</summary>
    public static TaskScheduler? CurrentScheduler => t_scheduler;

    /// <summary>Test hook: called with a phase name ("merge-build", "merge-install", "freeze", "write", "swap") on the
    /// thread that runs the phase.</summary>
    public Action<string>? PhaseHook { get; set; }

    /// <summary>Reports <paramref name="phase"/> to <see cref="PhaseHook"/> from the current thread.</summary>
    public void Observe(string phase) => PhaseHook?.Invoke(phase);

    /// <summary>Runs <paramref name="work"/> at <see cref="Priority"/> and returns its result (its exception rethrown).</summary>
    public T Run<T>(Func<T> work)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Priority == ThreadPriority.Normal) return work();
        if (_threadPerRun) return RunOnNewThread(work);
        lock (_runGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _thread ??= Start();
            var context = ExecutionContext.Capture();
            T result = default!;
            ExceptionDispatchInfo? error = null;
            _work = () =>
            {
                try
                {
                    if (context is null) result = work();
                    else ExecutionContext.Run(context, _ => result = work(), null);
                }
#pragma warning disable CA1031 // Rethrown on the caller's thread.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    error = ExceptionDispatchInfo.Capture(ex);
                }
            };
            _posted.Release();
            _done.Wait();
            error?.Throw();
            return result;
        }
    }

    private T RunOnNewThread<T>(Func<T> work)
    {
        var context = ExecutionContext.Capture();
        T result = default!;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            EnterLowered(Priority, LoweredScheduler.For(Priority));
            try
            {
                if (context is null) result = work();
                else ExecutionContext.Run(context, _ => result = work(), null);
            }
#pragma warning disable CA1031 // Rethrown on the caller's thread.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error = ExceptionDispatchInfo.Capture(ex);
            }
        }) { IsBackground = true, Name = Name };
        thread.UnsafeStart();
        thread.Join();
        error?.Throw();
        return result;
    }

    /// <summary>Ends the thread (after the work in progress, if any).</summary>
    public void Dispose()
    {
        Thread? thread;
        lock (_runGate)
        {
            if (_disposed) return;
            _disposed = true;
            thread = _thread;
            _work = null;
            if (thread is not null) _posted.Release();
        }
        thread?.Join();
        _posted.Dispose();
        _done.Dispose();
    }

    private Thread Start()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = Name };
        thread.UnsafeStart();
        return thread;
    }

    /// <summary>Marks the current thread as lowered (its loops use <paramref name="scheduler"/>) and lowers its priority.</summary>
    internal static void EnterLowered(ThreadPriority priority, TaskScheduler scheduler)
    {
        t_isCommitThread = true;
        t_scheduler = scheduler;
        Lower(priority);
    }

    private void Loop()
    {
        EnterLowered(Priority, LoweredScheduler.For(Priority));
        while (true)
        {
            _posted.Wait();
            var work = _work;
            if (work is null) return;
            _work = null;
            work();
            _done.Release();
        }
    }

    /// <summary>The nice value a priority maps to on Linux.</summary>
    public static int NiceOf(ThreadPriority priority) => priority switch
    {
        ThreadPriority.Lowest => 19,
        ThreadPriority.BelowNormal => 10,
        _ => 0,
    };

    /// <summary>Lowers the current thread's scheduling priority (best effort: a failure leaves it unchanged).</summary>
    private static void Lower(ThreadPriority priority)
    {
        if (OperatingSystem.IsWindows())
        {
            Thread.CurrentThread.Priority = priority;
            return;
        }
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            _ = NativeMethods.SetPriority(NativeMethods.PrioProcess, NativeMethods.GetTid(), NiceOf(priority));
        }
        catch (EntryPointNotFoundException)
        {
            // A C library without gettid (glibc before 2.30): the work runs at normal priority.
        }
    }

    /// <summary>The current thread's nice value on Linux (null elsewhere or when it cannot be read).</summary>
    internal static int? CurrentNice()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            Marshal.SetLastPInvokeError(0);
            var nice = NativeMethods.GetPriority(NativeMethods.PrioProcess, NativeMethods.GetTid());
            return nice == -1 && Marshal.GetLastPInvokeError() != 0 ? null : nice;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    private static partial class NativeMethods
    {
        // PRIO_PROCESS with a thread id sets that one thread's nice value on Linux (threads are tasks).
        public const int PrioProcess = 0;

        [LibraryImport("libc", EntryPoint = "gettid")]
        public static partial int GetTid();

        [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
        public static partial int SetPriority(int which, int who, int nice);

        [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
        public static partial int GetPriority(int which, int who);
    }
}
