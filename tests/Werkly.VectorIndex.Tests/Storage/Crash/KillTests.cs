using Werkly.VectorIndex.CrashTest;
using Xunit.Abstractions;

namespace Werkly.VectorIndex.Tests.Storage.Crash;

/// <summary>A child process commits batches in a loop and is SIGKILLed at random moments; after every kill the
/// directory must hold exactly the batches whose commit returned.</summary>
[Collection(ChildProcessTests.Name)]
public class KillTests(ITestOutputHelper output)
{
    [Fact]
    public void After_each_of_25_SIGKILLs_the_store_holds_exactly_the_committed_batches()
    {
        using var temp = new TempDirectory("kill");
        var result = KillLoop.Run(temp.Path, kills: 25, seed: 20260601, maxDelayMs: 250, log: output.WriteLine);
        ChildProcessTests.AssertKillLoop(result, output, minimumDurable: 25);
    }
}

/// <summary>The same through the public facade: <see cref="WerklyIndex.Commit"/> in a child killed at random moments.</summary>
[Collection(ChildProcessTests.Name)]
public class FacadeKillTests(ITestOutputHelper output)
{
    [Fact]
    public void After_each_of_25_SIGKILLs_the_index_holds_exactly_the_committed_batches()
    {
        using var temp = new TempDirectory("facade-kill");
        var result = FacadeKillLoop.Run(temp.Path, kills: 25, seed: 20261129, maxDelayMs: 300, log: output.WriteLine);
        ChildProcessTests.AssertKillLoop(result, output, minimumDurable: 25);
    }
}

/// <summary>The same through <see cref="WerklyIndex"/> with titles and texts: after every kill each live record is also the top keyword
/// hit for its own word, from the segments' keyword blocks.</summary>
[Collection(ChildProcessTests.Name)]
public class HybridKillTests(ITestOutputHelper output)
{
    [Fact]
    public void After_each_of_12_SIGKILLs_vectors_and_keyword_blocks_hold_exactly_the_committed_batches()
    {
        using var temp = new TempDirectory("hybrid-kill");
        var result = FacadeKillLoop.Run(temp.Path, kills: 12, seed: 20261130, maxDelayMs: 300, log: output.WriteLine, hybrid: true);
        ChildProcessTests.AssertKillLoop(result, output, minimumDurable: 12);
    }
}

/// <summary><see cref="Durability.PerWrite"/>: concurrent writers acknowledge single writes (group-committed fsyncs), a
/// commit now and then; after every SIGKILL each acknowledged write is present and nothing never written appears.</summary>
[Collection(ChildProcessTests.Name)]
public class PerWriteKillTests(ITestOutputHelper output)
{
    [Fact]
    public void After_each_of_20_SIGKILLs_every_acknowledged_write_is_present()
    {
        using var temp = new TempDirectory("per-write-kill");
        var result = PerWriteKillLoop.Run(temp.Path, kills: 20, seed: 20261201, maxDelayMs: 400, log: output.WriteLine);
        ChildProcessTests.AssertKillLoop(result, output, minimumDurable: 3 * 20);
    }
}
