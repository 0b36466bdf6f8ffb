using System.Collections.Concurrent;
using Werkly.VectorIndex.Ivf;
using Werkly.VectorIndex.Storage;

namespace Werkly.VectorIndex.Tests.Storage.Facade;

/// <summary>
/// <see cref="WerklyIndexOptions.CommitPriority"/>: a commit's lock-free work (merge builds, keyword blocks, file
/// writes) runs on a lowered thread; the phases that hold locks searches wait for stay on the committing thread.
/// </summary>
public class CommitPriorityTests
{
    private static WerklyIndexOptions Options(ThreadPriority priority) =>
        new() { Dimensions = 16, FlatSearchThreshold = 200, Lists = 4, CommitPriority = priority };

    /// <summary>Enough commits of a trained company (codes, centroids) and a flat one, with texts, deletes and
    /// replacements, that tiered merges run.</summary>
    private static void WriteAndCommit(WerklyIndex index)
    {
        var vectors = TestData.Clustered(600, 16, 12, 0.1f, seed: 5);
        index.Upsert("trained", [.. Enumerable.Range(0, 300).Select(i => new VectorRecord($"t{i}", vectors[i]) { Title = $"title {i % 7}", Text = $"text number {i} about {i % 13}" })]);
        index.Upsert("flat", [.. Enumerable.Range(0, 40).Select(i => new VectorRecord($"f{i}", vectors[300 + i]) { Text = $"flat text {i}" })]);
        index.Commit();
        for (var commit = 0; commit < IvfIndex.MaxSegments + 3; commit++)
        {
            var at = 340 + commit * 20;
            index.Upsert("trained", [.. Enumerable.Range(at, 10).Select(i => new VectorRecord($"t{i}", vectors[i]) { Text = $"later text {i}" })]);
            index.Upsert("trained", [new VectorRecord($"t{commit}", vectors[at + 10]) { Text = "a replacement" }]);
            index.Delete("trained", $"t{commit + 100}");
            index.Upsert("flat", [.. Enumerable.Range(at + 11, 5).Select(i => new VectorRecord($"f{i}", vectors[i]))]);
            index.Commit();
        }
    }

    /// <summary>The segment and tombstone files by name, each without its header and footer (which carry a random file
    /// id, and checksums over it).</summary>
    private static Dictionary<string, byte[]> Files(string directory) =>
        Directory.GetFiles(directory).Where(f => f.EndsWith(".wvs", StringComparison.Ordinal) || f.EndsWith(".wvd", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetFileName(f), f => File.ReadAllBytes(f)[FileHeader.Size..^FileFooter.Size]);

    [Fact]
    public void Commits_at_a_lower_priority_write_the_same_files()
    {
        Dictionary<string, byte[]>? expected = null;
        foreach (var priority in new[] { ThreadPriority.Normal, ThreadPriority.Normal, ThreadPriority.BelowNormal, ThreadPriority.Lowest })
        {
            using var temp = new TempDirectory("priority");
            using (var index = WerklyIndex.Open(temp.Path, Options(priority)))
            {
                WriteAndCommit(index);
                Assert.True(index.GetStatistics("trained").ListCount > 1);
            }
            var files = Files(temp.Path);
            Assert.True(files.Keys.Count(f => f.EndsWith(".wvs", StringComparison.Ordinal)) > IvfIndex.MaxSegments, $"{files.Count} files");
            if (expected is null)
            {
                expected = files;
                continue;
            }
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), files.Keys.Order(StringComparer.Ordinal));
            foreach (var (name, bytes) in expected)
            {
                var at = bytes.AsSpan().CommonPrefixLength(files[name]);
                Assert.True(bytes.AsSpan().SequenceEqual(files[name]), $"{name} ({bytes.Length} bytes) differs at {priority} from byte {at}");
            }
        }
    }

    [Theory]
    [InlineData(ThreadPriority.BelowNormal)]
    [InlineData(ThreadPriority.Lowest)]
    public void Lock_holding_phases_stay_on_the_committing_thread_and_only_the_rest_is_lowered(ThreadPriority priority)
    {
        using var temp = new TempDirectory("priority");
        using var index = WerklyIndex.Open(temp.Path, Options(priority));
        var seen = new ConcurrentQueue<(string Phase, int Thread, int? Nice)>();
        index.CommitWorker!.PhaseHook = phase => seen.Enqueue((phase, Environment.CurrentManagedThreadId, CommitThread.CurrentNice()));
        var callerNice = CommitThread.CurrentNice();
        WriteAndCommit(index);

        Assert.Equal(callerNice, CommitThread.CurrentNice());
        var phases = seen.ToArray();
        foreach (var name in new[] { "freeze", "write", "swap", "merge-build", "merge-install" }) Assert.Contains(phases, p => p.Phase == name);
        var caller = Environment.CurrentManagedThreadId;
        foreach (var (phase, thread, nice) in phases)
        {
            var lowered = phase is "write" or "merge-build";
            Assert.True(lowered ? thread != caller : thread == caller, $"{phase} ran on thread {thread}, the caller is {caller}");
            if (OperatingSystem.IsLinux())
            {
                Assert.NotNull(nice);
                Assert.Equal(lowered ? Math.Max(callerNice!.Value, CommitThread.NiceOf(priority)) : callerNice, nice);
            }
        }
    }

    [Fact]
    public void At_normal_priority_every_phase_runs_on_the_committing_thread()
    {
        using var temp = new TempDirectory("priority");
        using var index = WerklyIndex.Open(temp.Path, Options(ThreadPriority.Normal));
        var threads = new ConcurrentQueue<(string Phase, int Thread)>();
        index.CommitWorker!.PhaseHook = phase => threads.Enqueue((phase, Environment.CurrentManagedThreadId));
        WriteAndCommit(index);
        Assert.Contains(threads, t => t.Phase == "merge-build");
        Assert.All(threads, t => Assert.Equal(Environment.CurrentManagedThreadId, t.Thread));
    }

    [Fact]
    public void A_failure_on_the_commit_thread_reaches_the_caller_and_the_writes_stay_pending()
    {
        using var temp = new TempDirectory("priority");
        var options = Options(ThreadPriority.BelowNormal);
        using (var index = WerklyIndex.Open(temp.Path, options))
        {
            index.Upsert("acme", [new VectorRecord("a", TestData.Clustered(1, 16, 1, 0.1f, seed: 1)[0]) { Text = "some text" }]);
            index.KeywordBlockTransform = _ => throw new IOException("injected");
            var error = Assert.Throws<IOException>(() => index.Commit());
            Assert.Equal("injected", error.Message);
            index.KeywordBlockTransform = null;
            index.Commit();
        }
        using var reopened = WerklyIndex.Open(temp.Path, options);
        Assert.Equal(1, reopened.Count("acme"));
        Assert.Equal("a", Assert.Single(reopened.Search("acme", new SearchQuery { Text = "text", Mode = SearchMode.Keyword })).Key);
    }

    [Fact]
    public void Commits_go_on_after_the_priority_changes_and_a_disposed_index_ends_its_thread()
    {
        using var temp = new TempDirectory("priority");
        var index = WerklyIndex.Open(temp.Path, Options(ThreadPriority.Normal));
        index.Upsert("acme", [new VectorRecord("a", TestData.Clustered(1, 16, 1, 0.1f, seed: 1)[0])]);
        var first = index.Commit();
        index.SetCommitPriority(ThreadPriority.Lowest);
        index.Upsert("acme", [new VectorRecord("b", TestData.Clustered(1, 16, 1, 0.1f, seed: 2)[0])]);
        Assert.Equal(first + 1, index.Commit());
        var worker = index.CommitWorker!;
        index.Dispose();
        Assert.Throws<ObjectDisposedException>(() => worker.Run(() => 0));
    }

    [Theory]
    [InlineData(ThreadPriority.BelowNormal)]
    [InlineData(ThreadPriority.Lowest)]
    public void An_automatic_retrain_is_built_on_a_lowered_thread_and_gives_the_lists_of_a_normal_one(ThreadPriority priority)
    {
        var vectors = TestData.Clustered(700, 16, 12, 0.1f, seed: 9);
        var records = vectors.Select((v, i) => new VectorRecord($"r{i}", v)).ToArray();
        using var normal = new WerklyIndex(Options(ThreadPriority.Normal));
        using var lowered = new WerklyIndex(Options(priority));
        var seen = new ConcurrentQueue<(string Phase, int Thread, int? Nice)>();
        lowered.RetrainWorker!.PhaseHook = phase => seen.Enqueue((phase, Environment.CurrentManagedThreadId, CommitThread.CurrentNice()));
        var callerNice = CommitThread.CurrentNice();
        // 300 rows train the lists (threshold 200); 700 are past 2× since, so a second automatic retrain runs.
        foreach (var index in new[] { normal, lowered })
        {
            index.Upsert("acme", records[..300]);
            index.Upsert("acme", records[300..]);
        }

        Assert.Equal(callerNice, CommitThread.CurrentNice());
        var builds = seen.Where(p => p.Phase == "retrain-build").ToArray();
        Assert.Equal(2, builds.Length);
        foreach (var (_, thread, nice) in builds)
        {
            Assert.NotEqual(Environment.CurrentManagedThreadId, thread);
            if (OperatingSystem.IsLinux()) Assert.Equal(Math.Max(callerNice!.Value, CommitThread.NiceOf(priority)), nice);
        }
        Assert.True(lowered.GetStatistics("acme").ListCount > 1);
        Assert.Equal(normal.GetStatistics("acme").ListCount, lowered.GetStatistics("acme").ListCount);
        Assert.Equal(normal.GetStatistics("acme").DefaultProbes, lowered.GetStatistics("acme").DefaultProbes);
        foreach (var query in vectors.Take(50))
        {
            var expected = normal.Search("acme", query, 10, new SearchOptions { Probes = 1 });
            var actual = lowered.Search("acme", query, 10, new SearchOptions { Probes = 1 });
            Assert.Equal(expected.Select(h => (h.Key, h.Score)), actual.Select(h => (h.Key, h.Score)));
        }
    }

    [Fact]
    public void Parallel_loops_of_lowered_work_run_in_parallel_on_lowered_threads_only()
    {
        using var worker = new CommitThread(ThreadPriority.BelowNormal, "test lowered");
        if (worker.Priority == ThreadPriority.Normal) return; // no lowered threads where priorities cannot be lowered
        var callerNice = CommitThread.CurrentNice();
        var seen = new ConcurrentBag<(int Thread, int? Nice, bool Lowered)>();
        var met = 0;
        worker.Run(() =>
        {
            using var barrier = new Barrier(2);
            var options = new ParallelOptions { MaxDegreeOfParallelism = 2, TaskScheduler = CommitThread.CurrentScheduler! };
            Parallel.For(0, 2, options, _ =>
            {
                // Both iterations wait for each other: they finish only if two threads run the loop at once.
                if (barrier.SignalAndWait(TimeSpan.FromSeconds(30))) Interlocked.Increment(ref met);
                seen.Add((Environment.CurrentManagedThreadId, CommitThread.CurrentNice(), CommitThread.IsCurrent));
            });
            return 0;
        });
        Assert.Equal(2, met);
        Assert.Equal(2, seen.Select(s => s.Thread).Distinct().Count());
        Assert.All(seen, s => Assert.True(s.Lowered));
        if (OperatingSystem.IsLinux()) Assert.All(seen, s => Assert.Equal(Math.Max(callerNice!.Value, 10), s.Nice));
        Assert.Null(CommitThread.CurrentScheduler);
    }

    [Theory]
    [InlineData(ThreadPriority.AboveNormal)]
    [InlineData(ThreadPriority.Highest)]
    [InlineData((ThreadPriority)42)]
    public void Priorities_above_normal_are_rejected(ThreadPriority priority)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Options(priority).Validate());
        Assert.Equal(nameof(WerklyIndexOptions.CommitPriority), error.ParamName);
    }
}
