using System.Globalization;
using Werkly.VectorIndex.CrashTest;
using Werkly.VectorIndex.Tests.Storage;
using Werkly.VectorIndex.Tests.Storage.Crash;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Tests.Index;

/// <summary>
/// Issue 10, defect 8 (a read-only reader never saw a later commit: 0 of 305,737 checks): a writer process writes
/// batches in a loop (<see cref="ReplicaWriter"/>) while this process reads the same directory read-only, through
/// explicit <see cref="WerklyIndex.Refresh"/> calls and through an automatically refreshing instance searched by two
/// threads. The view advances; after a refresh it is never older than what the writer acknowledged before the refresh
/// began; a thread's view never goes back; and it is never partial (every record of a company carries one batch).
/// </summary>
[Collection(ChildProcessTests.Name)]
public class ReadReplicaTests(ITestOutputHelper output)
{
    private const int TargetBatches = 120;

    [Fact]
    public void A_reader_follows_a_committing_writer_and_never_sees_an_old_or_partial_state() => Run(Durability.OnCommit);

    [Fact]
    public void A_reader_sees_per_write_durable_writes_without_a_commit() => Run(Durability.PerWrite);

    private void Run(Durability durability)
    {
        using var temp = new TempDirectory("replica");
        var options = ReplicaWriter.Options(durability);
        long acked = -1, committed = -1, committedGeneration = 0;
        using var firstCommit = new ManualResetEventSlim();
        var errors = new List<string>();
        using var writer = ChildProcess.Start("replica-writer", temp.Path, 0, "--durability", durability == Durability.PerWrite ? "per-write" : "on-commit");
        writer.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            var parts = e.Data.Split(' ');
            if (parts[0] == "acked") Interlocked.Exchange(ref acked, long.Parse(parts[1], CultureInfo.InvariantCulture));
            if (parts[0] == "committed")
            {
                Interlocked.Exchange(ref committedGeneration, long.Parse(parts[2], CultureInfo.InvariantCulture));
                Interlocked.Exchange(ref committed, long.Parse(parts[1], CultureInfo.InvariantCulture));
                if (durability == Durability.OnCommit) Interlocked.Exchange(ref acked, long.Parse(parts[1], CultureInfo.InvariantCulture));
                firstCommit.Set();
            }
        };
        writer.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (errors) errors.Add(e.Data);
        };
        writer.BeginOutputReadLine();
        writer.BeginErrorReadLine();
        try
        {
            Assert.True(firstCommit.Wait(TimeSpan.FromSeconds(120)) && !writer.HasExited, "the writer never committed: " + string.Join(" | ", errors));
            using var explicitReader = WerklyIndex.Open(temp.Path, options, readOnly: true);
            using var automatic = WerklyIndex.Open(temp.Path, options with { RefreshInterval = TimeSpan.FromMilliseconds(20) }, readOnly: true);

            // Two threads search the automatically refreshing reader the whole time.
            using var stop = new CancellationTokenSource();
            var watchers = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() => Watch(automatic, stop.Token), TaskCreationOptions.LongRunning)).ToArray();

            var refreshes = 0;
            var seen = new long[ReplicaWriter.Companies.Length];
            while (Interlocked.Read(ref acked) < TargetBatches && !writer.HasExited)
            {
                var before = Interlocked.Read(ref acked);
                var generationBefore = Interlocked.Read(ref committedGeneration);
                var committedBefore = Interlocked.Read(ref committed);
                explicitReader.Refresh();
                refreshes++;
                Assert.True(explicitReader.Generation >= generationBefore, $"after a refresh the reader shows generation {explicitReader.Generation}, but {generationBefore} was committed before it began");
                for (var c = 0; c < seen.Length; c++)
                {
                    var view = View(explicitReader, ReplicaWriter.Companies[c]);
                    Assert.True(view >= before, $"{ReplicaWriter.Companies[c]}: after a refresh the reader shows batch {view}, but batch {before} was acknowledged before it began");
                    Assert.True(view >= committedBefore, $"{ReplicaWriter.Companies[c]}: batch {view} is older than the commit of batch {committedBefore}");
                    Assert.True(view >= seen[c], $"{ReplicaWriter.Companies[c]}: the view went back from batch {seen[c]} to {view}");
                    seen[c] = view;
                }
            }
            Assert.False(writer.HasExited, "the writer stopped: " + string.Join(" | ", errors));

            // The automatic reader catches up with what was acknowledged (a liveness guard, not a timing assertion).
            var last = Interlocked.Read(ref acked);
            Assert.True(SpinWait.SpinUntil(() => ReplicaWriter.Companies.All(c => View(automatic, c) >= last), TimeSpan.FromSeconds(60)),
                $"the automatically refreshing reader did not reach batch {last}");
            stop.Cancel();
            var observed = watchers.Select(w => w.GetAwaiter().GetResult()).ToArray();
            output.WriteLine($"{durability}: writer acknowledged {last} batches, {refreshes} explicit refreshes; the watchers saw {string.Join(" and ", observed.Select(o => $"{o.Distinct} distinct views in {o.Searches} searches"))}");
            Assert.All(observed, o => Assert.True(o.Distinct > 5, $"a watcher saw only {o.Distinct} distinct views: the automatic refresh did not advance"));
        }
        finally
        {
            ChildProcess.Kill(writer);
            writer.WaitForExit();
        }
    }

    /// <summary>The batch a company's view shows, after checking it is whole: all its records, one batch number.</summary>
    private static long View(WerklyIndex index, string company)
    {
        var hits = index.Search(company, ReplicaWriter.Vector(0, 0), 100);
        Assert.Equal(ReplicaWriter.RecordsPerBatch, hits.Length);
        var batches = hits.Select(h => (long)h.Metadata!["batch"].AsNumber()).Distinct().ToArray();
        Assert.True(batches.Length == 1, $"{company}: a partial view holding batches {string.Join(", ", batches)}");
        return batches[0];
    }

    /// <summary>Searches until stopped; each company's view never goes back.</summary>
    private static (int Searches, int Distinct) Watch(WerklyIndex index, CancellationToken stop)
    {
        var seen = new long[ReplicaWriter.Companies.Length];
        var distinct = new HashSet<long>();
        var searches = 0;
        while (!stop.IsCancellationRequested)
        {
            for (var c = 0; c < seen.Length; c++)
            {
                var view = View(index, ReplicaWriter.Companies[c]);
                Assert.True(view >= seen[c], $"{ReplicaWriter.Companies[c]}: the automatically refreshed view went back from batch {seen[c]} to {view}");
                seen[c] = view;
                distinct.Add(view);
                searches++;
            }
        }
        return (searches, distinct.Count);
    }
}
