using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Werkly.VectorIndex.Ivf;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.Tests.Storage.Facade;

/// <summary>Runs alone: these tests observe process-wide state (the threads of the process, a static probe in the
/// build loops) that other tests' indexes would disturb.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoweredWorkGroup
{
    public const string Name = "Lowered work";
}

/// <summary>
/// Lowered work (a commit's merges, automatic retrains below normal priority) keeps its parallel loops on lowered
/// threads, lets writers of different companies retrain at once, and leaves no thread behind.
/// </summary>
[Collection(LoweredWorkGroup.Name)]
public class LoweredWorkTests
{
    private static WerklyIndexOptions Options(ThreadPriority priority) =>
        new() { Dimensions = 16, FlatSearchThreshold = 200, Lists = 4, CommitPriority = priority };

    [Theory]
    [InlineData(ThreadPriority.BelowNormal)]
    [InlineData(ThreadPriority.Lowest)]
    public void Every_thread_of_a_retrains_and_a_merges_parallel_loops_is_lowered(ThreadPriority priority)
    {
        var seen = new ConcurrentQueue<(int Thread, bool Lowered, int? Nice)>();
        var callerNice = CommitThread.CurrentNice();
        IvfIndex.ParallelWorkerProbe = () => seen.Enqueue((Environment.CurrentManagedThreadId, CommitThread.IsCurrent, CommitThread.CurrentNice()));
        try
        {
            using var temp = new TempDirectory("lowered");
            using var index = WerklyIndex.Open(temp.Path, Options(priority) with { MaxDegreeOfParallelism = 2 });
            var vectors = TestData.Clustered(3_000, 16, 12, 0.1f, seed: 5);
            index.Upsert("acme", [.. vectors[..2_000].Select((v, i) => new VectorRecord($"r{i}", v))]); // trains: a retrain
            Assert.NotEmpty(seen);
            var retrain = seen.Count;
            index.Commit();
            for (var c = 0; c < IvfIndex.MaxSegments + 1; c++)
            {
                index.Upsert("acme", [.. vectors.Skip(2_000 + c * 100).Take(100).Select((v, i) => new VectorRecord($"m{c}-{i}", v))]);
                index.Commit(); // past MaxSegments: the commit merges, assigning the merged rows to lists
            }
            Assert.True(seen.Count > retrain, "no merge ran its assignment loop");
        }
        finally
        {
            IvfIndex.ParallelWorkerProbe = null;
        }
        var caller = Environment.CurrentManagedThreadId;
        foreach (var (thread, lowered, nice) in seen)
        {
            Assert.True(lowered, $"thread {thread} ran a lowered loop without being lowered");
            Assert.NotEqual(caller, thread);
            if (OperatingSystem.IsLinux()) Assert.Equal(Math.Max(callerNice!.Value, CommitThread.NiceOf(priority)), nice);
        }
    }

    [Theory]
    [InlineData(ThreadPriority.Normal)]
    [InlineData(ThreadPriority.BelowNormal)]
    public async Task A_write_to_one_company_does_not_wait_for_another_companys_automatic_retrain(ThreadPriority priority)
    {
        var vectors = TestData.Clustered(600, 16, 12, 0.1f, seed: 9);
        using var index = new WerklyIndex(Options(priority));
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = 0;
        index.RetrainWorker!.PhaseHook = phase =>
        {
            if (phase != "retrain-build" || Interlocked.Exchange(ref first, 1) != 0) return;
            entered.Set();
            release.Wait(TimeSpan.FromMinutes(1)); // company a's retrain build holds on until b's write is done
        };
        var a = Task.Factory.StartNew(() => index.Upsert("a", [.. vectors[..300].Select((v, i) => new VectorRecord($"a{i}", v))]), TaskCreationOptions.LongRunning);
        try
        {
            Assert.True(entered.Wait(TimeSpan.FromMinutes(1)));
            // Writes to different companies run in parallel: b's write and its own automatic retrain finish while a's
            // retrain is still being built (if they waited for it, they would wait until the release below; the minute
            // is a deadlock bound, not a timing claim).
            var b = Task.Factory.StartNew(() => index.Upsert("b", [.. vectors[300..].Select((v, i) => new VectorRecord($"b{i}", v))]), TaskCreationOptions.LongRunning);
            Assert.Same(b, await Task.WhenAny(b, Task.Delay(TimeSpan.FromMinutes(1))));
            await b;
            Assert.True(index.GetStatistics("b").ListCount > 1);
            Assert.False(a.IsCompleted);
        }
        finally
        {
            release.Set();
            await a;
        }
        Assert.True(index.GetStatistics("a").ListCount > 1);
    }

    [Fact]
    public void Undisposed_in_memory_indexes_leave_no_lowered_thread_behind()
    {
        var vectors = TestData.Clustered(300, 16, 12, 0.1f, seed: 9);
        TrainAndForget(vectors); // warm-up (pool, JIT, the shared lowered scheduler)
        var scheduler = LoweredScheduler.For(ThreadPriority.BelowNormal);
        WaitUntil(() => scheduler.ThreadCount == 0);
        var before = ProcessThreads();
        const int indexes = 5;
        for (var i = 0; i < indexes; i++) TrainAndForget(vectors);
        // The retrain threads end with their retrain; the scheduler's helpers after their idle timeout.
        WaitUntil(() => scheduler.ThreadCount == 0);
        Assert.True(ProcessThreads() - before < indexes, $"{ProcessThreads() - before} threads left by {indexes} unreachable in-memory indexes");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TrainAndForget(float[][] vectors)
    {
        var index = new WerklyIndex(Options(ThreadPriority.BelowNormal));
        index.Upsert("acme", [.. vectors.Select((v, i) => new VectorRecord($"r{i}", v))]); // one automatic retrain
        Assert.True(index.GetStatistics("acme").ListCount > 1);
        // Not disposed: an in-memory index holds no file or lock.
    }

    private static int ProcessThreads()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }

    /// <summary>Waits for a condition that a background thread makes true (generous bound: a wait, not a timing claim).</summary>
    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(1), "the condition did not become true within a minute");
            Thread.Sleep(50);
        }
    }
}
