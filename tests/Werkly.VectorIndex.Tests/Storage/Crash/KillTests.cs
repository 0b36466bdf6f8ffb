using Werkly.VectorIndex.CrashTest;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Tests.Storage.Crash;

/// <summary>A child process commits batches in a loop and is SIGKILLed at random moments; after every kill the
/// directory must hold exactly the batches whose commit returned.</summary>
public class KillTests(ITestOutputHelper output)
{
    [Fact]
    public void After_each_of_25_SIGKILLs_the_store_holds_exactly_the_committed_batches()
    {
        using var temp = new TempDirectory("kill");
        var result = KillLoop.Run(temp.Path, kills: 25, seed: 20260601, maxDelayMs: 250, log: output.WriteLine);
        foreach (string failure in result.Failures) output.WriteLine(failure);
        output.WriteLine(result.Summary());
        Assert.True(result.Success, result.Summary() + Environment.NewLine + string.Join(Environment.NewLine, result.Failures));
        Assert.True(result.BatchesCommitted > 25, $"only {result.BatchesCommitted} batches were committed: the kills did not interrupt a working writer");
    }
}

/// <summary>The same through the public facade: <see cref="WerklyIndex.Commit"/> in a child killed at random moments.</summary>
public class FacadeKillTests(ITestOutputHelper output)
{
    [Fact]
    public void After_each_of_25_SIGKILLs_the_index_holds_exactly_the_committed_batches()
    {
        using var temp = new TempDirectory("facade-kill");
        var result = FacadeKillLoop.Run(temp.Path, kills: 25, seed: 20261129, maxDelayMs: 300, log: output.WriteLine);
        foreach (var failure in result.Failures) output.WriteLine(failure);
        output.WriteLine(result.Summary());
        Assert.True(result.Success, result.Summary() + Environment.NewLine + string.Join(Environment.NewLine, result.Failures));
        Assert.True(result.BatchesCommitted > 25, $"only {result.BatchesCommitted} batches were committed: the kills did not interrupt a working writer");
    }
}

/// <summary>The same through <see cref="WerklyIndex"/> with titles and texts: after every kill each live record is also the top keyword
/// hit for its own word, from the segments' keyword blocks.</summary>
public class HybridKillTests(ITestOutputHelper output)
{
    [Fact]
    public void After_each_of_12_SIGKILLs_vectors_and_keyword_blocks_hold_exactly_the_committed_batches()
    {
        using var temp = new TempDirectory("hybrid-kill");
        var result = FacadeKillLoop.Run(temp.Path, kills: 12, seed: 20261130, maxDelayMs: 300, log: output.WriteLine, hybrid: true);
        foreach (var failure in result.Failures) output.WriteLine(failure);
        output.WriteLine(result.Summary());
        Assert.True(result.Success, result.Summary() + Environment.NewLine + string.Join(Environment.NewLine, result.Failures));
        Assert.True(result.BatchesCommitted > 12, $"only {result.BatchesCommitted} batches were committed: the kills did not interrupt a working writer");
    }
}
