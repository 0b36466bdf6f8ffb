using Werkly.VectorIndex.Storage;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Partitions;

/// <summary>
/// <see cref="Durability.PerWrite"/>: each write's effects become one group in the directory's write-ahead log, fsynced
/// (with the groups of concurrent writers) before the write returns; a commit moves the log past what it wrote.
/// </summary>
internal sealed class DirectoryWriteLog(IndexDirectory directory) : IWriteLog
{
    public ValueTask AppendAsync(string companyId, WriteEffects effects, CancellationToken cancellationToken)
    {
        var records = new List<LogRecord>(effects.Deleted.Count + effects.Written.Count);
        foreach (var key in effects.Deleted) records.Add(LogRecord.Delete(companyId, key));
        foreach (var (key, vector, metadata) in effects.Written) records.Add(LogRecord.Upsert(companyId, key, vector, metadata));
        return new ValueTask(directory.AppendLogAsync(records, cancellationToken));
    }

    /// <summary>Logs the deletion of a company.</summary>
    public void DeleteCompany(string companyId) => directory.AppendLog([LogRecord.DeleteCompany(companyId)]);
}

/// <summary>Turns replayed write-ahead log records back into writes, in order.</summary>
internal static class LogReplay
{
    /// <summary>
    /// Consecutive records of one company become one write (upserts after deletes; a key seen twice, or a delete after
    /// an upsert, starts a new write so the order is kept). A null write deletes the company.
    /// </summary>
    public static IEnumerable<(string CompanyId, PreparedWrite? Write)> Group(IReadOnlyList<LogRecord> records, WerklyIndexOptions options, TextAnalyzer analyzer)
    {
        var i = 0;
        while (i < records.Count)
        {
            var company = records[i].CompanyId;
            if (records[i].IsCompanyDelete)
            {
                yield return (company, null);
                i++;
                continue;
            }
            var deletes = new List<string>();
            var written = new List<(string, ReadOnlyMemory<float>, IReadOnlyDictionary<string, MetadataValue>?)>();
            var keys = new HashSet<string>(StringComparer.Ordinal);
            for (; i < records.Count && records[i].CompanyId == company && !records[i].IsCompanyDelete; i++)
            {
                var record = records[i];
                var key = record.Key!;
                if (!keys.Add(key) || (record.IsDelete && written.Count > 0)) break;
                if (record.IsDelete) deletes.Add(key);
                else written.Add((key, record.Vector!.Value, record.Metadata));
            }
            yield return (company, PreparedWrite.Replayed(options, analyzer, written, deletes));
        }
    }
}
