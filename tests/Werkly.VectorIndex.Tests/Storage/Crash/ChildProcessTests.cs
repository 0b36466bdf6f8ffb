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
}
