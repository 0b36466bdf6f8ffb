using Werkly.VectorIndex.Ivf;

namespace Werkly.VectorIndex.Partitions;

internal sealed partial class CompanyPartition
{
    /// <summary>Takes the writer gate for a commit's freeze (the commit takes every partition's, in company id order).</summary>
    public void EnterGate(CancellationToken cancellationToken) => _gate.Wait(cancellationToken);

    public void ExitGate() => _gate.Release();

    /// <summary>Freezes the partition's uncommitted state for a commit (gate held); null when nothing changed.</summary>
    public CommitPlan? Freeze()
    {
        CommitPlan? plan = null;
        Install(() => plan = _vectors.PrepareCommit());
        return plan;
    }

    /// <summary>The IVF side, for turning a plan into a commit change (frozen segments are immutable).</summary>
    public IvfIndex Vectors => _vectors;

    /// <summary>After a successful commit: swaps the frozen segments for their committed (mapped) copies.</summary>
    public void CompleteCommit(CommitPlan plan, IReadOnlyDictionary<long, IvfSegment> committed)
    {
        _gate.Wait();
        try
        {
            Install(() => _vectors.CompleteCommit(plan, committed));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>After a failed commit: the frozen state stays pending for the next commit.</summary>
    public void AbortCommit(CommitPlan plan)
    {
        _gate.Wait();
        try
        {
            Install(() => _vectors.AbortCommit(plan));
        }
        finally
        {
            _gate.Release();
        }
    }
}
