using Microsoft.Extensions.AI;

namespace Werkly.VectorIndex.Postgres;

/// <summary>Settings of a <see cref="PostgresVectorStore"/>.</summary>
/// <remarks>Read when the store is created; later changes have no effect.</remarks>
public sealed class PostgresVectorStoreOptions
{
    /// <summary>The Postgres schema holding the catalog (<c>werkly_schema</c>, <c>werkly_collections</c>,
    /// <c>werkly_partitions</c>) and the collections' tables; created when missing. Defaults to <c>public</c>.</summary>
    public string Schema { get; set; } = "public";

    /// <summary>The embedding generator for vector properties that hold text, when neither the collection nor the property
    /// names one.</summary>
    public IEmbeddingGenerator? EmbeddingGenerator { get; set; }

    /// <summary>The name reported as <c>VectorStoreName</c> in metadata and exceptions. Defaults to the database name.</summary>
    public string? Name { get; set; }

    /// <summary>Rows a tenant's partition needs before it gets an IVFFlat index (the embedded engine's flat-search
    /// threshold, 20,000); below it every search is exact. The index is rebuilt, with lists chosen as the embedded engine
    /// chooses them (rows/1000, √rows beyond 1M), each time the partition has doubled.</summary>
    public int IvfFlatThreshold { get; set; } = 20_000;

    /// <summary>The recall@10 the probes of each partition are calibrated to when its index is built (as the embedded
    /// engine calibrates its default probes). Defaults to 0.95.</summary>
    public double TargetRecall { get; set; } = 0.95;

    /// <summary>How often a read (get, search, list) is retried after a transient failure (a dropped connection, a
    /// failover). Writes are never retried: a write whose outcome is unknown is reported. Defaults to 3.</summary>
    public int MaxReadRetries { get; set; } = 3;

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Schema, nameof(Schema));
        if (IvfFlatThreshold < 1) throw new ArgumentOutOfRangeException(nameof(IvfFlatThreshold), IvfFlatThreshold, "IvfFlatThreshold must be at least 1.");
        if (TargetRecall is < 0.5 or > 1 || double.IsNaN(TargetRecall))
            throw new ArgumentOutOfRangeException(nameof(TargetRecall), TargetRecall, "TargetRecall must be between 0.5 and 1.");
        if (MaxReadRetries is < 0 or > 10) throw new ArgumentOutOfRangeException(nameof(MaxReadRetries), MaxReadRetries, "MaxReadRetries must be between 0 and 10.");
    }
}
