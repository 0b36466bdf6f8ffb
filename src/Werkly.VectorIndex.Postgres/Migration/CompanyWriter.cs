using System.Security.Cryptography;
using System.Text;

namespace Werkly.VectorIndex.Postgres.Migration;

/// <summary>
/// Writes one company's incoming records into an embedded index in batches, each document whole: records of no document
/// with <see cref="WerklyIndex.Apply"/>, documents with <see cref="WerklyIndex.ReplaceDocuments"/> once their last record
/// has arrived. A document's records must arrive one after another (records of no document may come in between).
/// </summary>
/// <remarks>Not thread-safe: one reader feeds it.</remarks>
internal sealed class CompanyWriter(WerklyIndex target, string company, long skipped, IProgress<MigrationProgress>? progress, CancellationToken cancellationToken)
{
    private const int BatchSize = 1_000;

    private readonly List<VectorRecord> _plain = [];
    private readonly List<DocumentUpdate> _documents = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<VectorRecord> _open = [];
    private string? _openDocument;
    private string? _openHash;
    private int _pending;
    private long _written;

    /// <summary>Adds a record of <paramref name="document"/> (null: of no document).</summary>
    /// <param name="record">The record.</param>
    /// <param name="document">Its document, or null.</param>
    /// <param name="contentHash">The document's content hash; null computes one from the document's keys, titles and texts.</param>
    /// <param name="source">Names the source in error messages.</param>
    /// <exception cref="InvalidDataException">The document's records are not consecutive, or carry different hashes.</exception>
    public void Add(VectorRecord record, string? document, string? contentHash, string source)
    {
        if (document is null)
        {
            _plain.Add(record);
        }
        else
        {
            if (!string.Equals(document, _openDocument, StringComparison.Ordinal))
            {
                Close();
                if (!_seen.Add(document))
                    throw new InvalidDataException($"{source}: the records of document '{document}' of company '{company}' are not consecutive (record '{record.Key}' comes after another document's); a document's records must come one after another.");
                (_openDocument, _openHash) = (document, contentHash);
            }
            else if (!string.Equals(contentHash, _openHash, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{source}: record '{record.Key}' of document '{document}' of company '{company}' has content hash '{contentHash}'; the document's earlier records have '{_openHash}'.");
            }
            _open.Add(record);
        }
        if (++_pending >= BatchSize && _pending > _open.Count) Flush();
    }

    /// <summary>Counts a record an earlier, interrupted run already wrote.</summary>
    public void Skip() => skipped++;

    /// <summary>Writes what is buffered, the last document included.</summary>
    /// <returns>Records written.</returns>
    public long Complete()
    {
        Close();
        Flush();
        progress?.Report(new MigrationProgress(company, _written, skipped));
        return _written;
    }

    private void Close()
    {
        if (_openDocument is null) return;
        _documents.Add(new DocumentUpdate(_openDocument, _openHash ?? HashOf(_open), [.. _open]));
        _open.Clear();
        _openDocument = _openHash = null;
    }

    // Writes the records of no document and the closed documents; the open one may still grow.
    private void Flush()
    {
        if (_plain.Count == 0 && _documents.Count == 0) return;
        cancellationToken.ThrowIfCancellationRequested();
        var count = _plain.Count + _documents.Sum(d => d.Records.Count);
        if (_plain.Count > 0) target.Apply(company, _plain, [], cancellationToken);
        if (_documents.Count > 0) target.ReplaceDocuments(company, _documents, cancellationToken);
        _written += count;
        _pending -= count;
        _plain.Clear();
        _documents.Clear();
        progress?.Report(new MigrationProgress(company, _written, skipped));
    }

    // A document without a stored hash (a pgvector table): the lower-case hex SHA-256 of its records' keys, titles and texts.
    private static string HashOf(List<VectorRecord> records)
    {
        var payload = new StringBuilder();
        foreach (var record in records) payload.Append(record.Key).Append('\0').Append(record.Title).Append('\0').Append(record.Text).Append('\0');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(payload.ToString())));
    }
}
