using Werkly.VectorIndex.VectorData.Engine;
using Werkly.VectorIndex.VectorData.Model;
using Werkly.VectorIndex.VectorData.Storage;

namespace Werkly.VectorIndex.VectorData;

public partial class WerklyCollection<TKey, TRecord>
{
    /// <inheritdoc />
    public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return UpsertAsync([record], cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Atomic: every record is validated (key, tenant, values, vector) and embedded before anything changes.
    /// A Guid key configured as auto-generated and left empty gets a new Guid, written back to the record.</remarks>
    /// <exception cref="ArgumentException">A record cannot be stored exactly (the message names the record and property).</exception>
    public override async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var list = records as IReadOnlyList<TRecord> ?? records.ToList();
        if (list.Count == 0) return;
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is null) throw new ArgumentNullException(nameof(records), $"Record {i} is null.");
        }
        var entry = Entry("Upsert");
        RecordInputs.GenerateKeys(_model, list);
        var generated = await RecordInputs.GenerateEmbeddingsAsync(_mapper, list, cancellationToken).ConfigureAwait(false);

        var writes = new EngineWrite[list.Count];
        var seen = new Dictionary<string, int>(list.Count, StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var write = _mapper.ToEngine(list[i], i, generated?[i], nameof(records));
            entry.Engine.ValidateVector(write.Vector.Span, nameof(records));
            writes[i] = write;
            seen[write.Key] = i;
        }
        // A key repeated in the batch keeps its last occurrence.
        IReadOnlyList<EngineWrite> batch = seen.Count == writes.Length ? writes : [.. seen.Values.Order().Select(i => writes[i])];

        await WriteAsync(entry, "Upsert", engine => engine.Write(batch, [], cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return DeleteAsync([key], cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Keys that do not exist are ignored. Atomic like <see cref="UpsertAsync(IEnumerable{TRecord}, CancellationToken)"/>.</remarks>
    public override async Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var encoded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys) encoded.Add(_mapper.Keys.Encode(key, nameof(keys)));
        if (encoded.Count == 0) return;
        var entry = Entry("Delete");
        await WriteAsync(entry, "Delete", engine => engine.Write([], encoded, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(CollectionEntry entry, string operation, Action<EngineCollection> write, CancellationToken cancellationToken)
    {
        await entry.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // With DurableWrites the engine logs and fsyncs the write before it returns; nothing else to do.
            Run(operation, () => entry.Read(engine => { write(engine); return 0; }));
        }
        finally
        {
            entry.WriteGate.Release();
        }
    }
}
