using Werkly.VectorIndex.CrashTest;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Tests.Storage.Crash;

/// <summary>
/// The tests that start child processes (kill loops, the dispose race, the read replica): they run one at a time, after
/// the parallel tests, so that on a 2-core machine their children are not starved by each other or by the rest of the
/// suite (a starved child makes too little progress between its start and its SIGKILL for the loop to mean anything).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChildProcessTests
{
    public const string Name = "Child processes";

    /// <summary>Logs a kill loop's failures and summary, then asserts it passed and that more than
    /// <paramref name="minimumDurable"/> units became durable (the kills interrupted a writer that was making progress).</summary>
    internal static void AssertKillLoop(KillLoopResult result, ITestOutputHelper output, long minimumDurable)
    {
        foreach (var failure in result.Failures) output.WriteLine(failure);
        output.WriteLine(result.Summary());
        Assert.True(result.Success, result.Summary() + Environment.NewLine + string.Join(Environment.NewLine, result.Failures));
        Assert.True(result.BatchesCommitted > minimumDurable,
            $"only {result.BatchesCommitted} {result.Unit} became durable: the kills did not interrupt a writer making progress (on a loaded machine a child may be starved between its start and its kill)");
    }
}
