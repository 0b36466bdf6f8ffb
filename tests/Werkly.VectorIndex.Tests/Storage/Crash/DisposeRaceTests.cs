using Werkly.VectorIndex.CrashTest;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Tests.Storage.Crash;

/// <summary>
/// Issue 10, defect 1: <see cref="WerklyIndex.Dispose"/> racing four searching threads and a writer on a committed
/// ~10k-row index, 200 iterations in 5 child processes (a crash kills the child, so it is caught by its exit code).
/// Each iteration: no crash, the threads see only <see cref="ObjectDisposedException"/>, Dispose does not throw, and the
/// next iteration opens the directory for writing at once.
/// </summary>
[Collection(ChildProcessTests.Name)]
public class DisposeRaceTests(ITestOutputHelper output)
{
    [Fact]
    public void Dispose_racing_searches_and_a_writer_never_crashes_and_always_releases_the_lock()
    {
        using var temp = new TempDirectory("dispose-race");
        var result = DisposeRaceLoop.Run(temp.Path, children: 5, iterations: 40, seed: 20261202, log: output.WriteLine);
        foreach (var failure in result.Failures) output.WriteLine(failure);
        output.WriteLine(result.Summary());
        Assert.True(result.Success, result.Summary() + Environment.NewLine + string.Join(Environment.NewLine, result.Failures.Take(20)));
        // The race hit live operations, not an idle index.
        Assert.True(result.StoppedByDispose > result.Iterations, result.Summary());
    }
}
