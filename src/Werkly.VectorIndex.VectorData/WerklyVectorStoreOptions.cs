using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.AI;

namespace Werkly.VectorIndex.VectorData;

/// <summary>Settings of a <see cref="WerklyVectorStore"/>.</summary>
/// <remarks>Read when the store is created; later changes have no effect. Validated at start-up when registered
/// through <c>AddWerklyVectorStore</c>.</remarks>
public sealed class WerklyVectorStoreOptions
{
    /// <summary>
    /// The folder holding the store: one sub-folder per collection, each an index that opens instantly (memory-mapped)
    /// and survives restarts. Null keeps every collection in memory.
    /// </summary>
    [MinLength(1)]
    public string? DirectoryPath { get; set; }

    /// <summary>
    /// Make every upsert and delete durable when its call returns (as with a database): the engine appends it to its
    /// write-ahead log and fsyncs before returning, sharing one fsync among concurrent writers, and folds the log into
    /// segment files every 50,000 records and on <see cref="WerklyVectorStore.CommitAsync"/>. Defaults to true. Set false
    /// for bulk loads that call <see cref="WerklyVectorStore.CommitAsync"/> themselves; writes not yet committed are then
    /// lost when the process dies (never half-applied). Ignored in memory.
    /// </summary>
    public bool DurableWrites { get; set; } = true;

    /// <summary>
    /// The embedding generator for vector properties that hold text (or other input) instead of vectors, and for
    /// searching by text, when neither the collection nor the property names one. Null: none (the DI registration
    /// takes one from the container when it has one).
    /// </summary>
    public IEmbeddingGenerator? EmbeddingGenerator { get; set; }

    /// <summary>The name reported as <c>VectorStoreName</c> in metadata and exceptions. Defaults to the folder name,
    /// or "memory".</summary>
    [MaxLength(256)]
    public string? Name { get; set; }
}
