namespace Werkly.VectorIndex.Storage;

/// <summary>How <see cref="IndexDirectory.Open"/> opens a directory.</summary>
internal sealed record IndexDirectoryOptions
{
    /// <summary>Open without the write lock: no commits, no creation, no clean-up; any number of read-only
    /// instances may coexist with one writer. <see cref="IndexDirectory.Refresh"/> picks up the writer's later commits.</summary>
    public bool ReadOnly { get; init; }
}
