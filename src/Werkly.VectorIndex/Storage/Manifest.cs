using System.Buffers;
using System.Text.RegularExpressions;
using MessagePack;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Storage;

/// <summary>A file of the index directory as the manifest records it: name, length and the random id in its header.</summary>
internal sealed record FileReference(string Name, long Length, ulong FileId);

/// <summary>One live segment of a company: its file, row count, and its current tombstone file (if any row is deleted).</summary>
internal sealed record SegmentEntry(long SegmentId, FileReference File, int RowCount, FileReference? TombstoneFile, int DeletedCount);

/// <summary>One company: its centroids file (null for a flat company), its live segments, and the caller's opaque per-company properties.</summary>
internal sealed record CompanyEntry(string CompanyId, int Dimensions, FileReference? CentroidsFile, IReadOnlyList<SegmentEntry> Segments, byte[]? Properties = null);

/// <summary>The content of the MANIFEST file: one commit of the whole directory.</summary>
/// <remarks>Encoded as one MessagePack map in a MANI block; unknown map keys are skipped on read, so later record
/// versions may add fields. Keep in sync with docs/FORMAT.md, section "Manifest".</remarks>
internal sealed partial record Manifest(long Generation, long NextFileNumber, byte[] CommitData, IReadOnlyList<CompanyEntry> Companies, FileReference? LogFile = null)
{
    /// <summary>The manifest of a new, empty directory.</summary>
    public static Manifest Empty { get; } = new(0, 1, [], []);

    /// <summary>Every file the manifest references.</summary>
    public IEnumerable<FileReference> Files()
    {
        if (LogFile is not null) yield return LogFile;
        foreach (var company in Companies)
        {
            if (company.CentroidsFile is not null) yield return company.CentroidsFile;
            foreach (var segment in company.Segments)
            {
                yield return segment.File;
                if (segment.TombstoneFile is not null) yield return segment.TombstoneFile;
            }
        }
    }

    /// <summary>True for names the directory creates for data files (seg-/cen-/del- plus 12 digits).</summary>
    public static bool IsDataFileName(string name) => DataFileName().IsMatch(name);

    /// <summary>The file number in a data file name.</summary>
    public static long FileNumberOf(string name) => long.Parse(name.AsSpan(4, 12), System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(seg-[0-9]{12}\.wvs|cen-[0-9]{12}\.wvc|del-[0-9]{12}\.wvd|wal-[0-9]{12}\.wvl)$", RegexOptions.CultureInvariant)]
    private static partial Regex DataFileName();

    /// <summary>Writes a complete MANIFEST file (header, MANI block, TOC, footer); does not sync.</summary>
    public void Write(IWritableFile file)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        var w = new MessagePackWriter(buffer);
        w.WriteMapHeader(LogFile is null ? 4 : 5);
        w.Write("generation"); w.Write(Generation);
        w.Write("nextFileNumber"); w.Write(NextFileNumber);
        w.Write("commitData"); w.Write(CommitData);
        if (LogFile is not null)
        {
            // The log grows, so it is recorded without a length: [name, fileId].
            w.Write("log"); w.WriteArrayHeader(2); w.Write(LogFile.Name); w.Write(LogFile.FileId);
        }
        w.Write("companies"); w.WriteArrayHeader(Companies.Count);
        foreach (var company in Companies)
        {
            bool hasProperties = company.Properties is { Length: > 0 };
            w.WriteMapHeader(hasProperties ? 5 : 4);
            w.Write("id"); w.Write(company.CompanyId);
            if (hasProperties)
            {
                w.Write("properties"); w.Write(company.Properties);
            }
            w.Write("dimensions"); w.Write(company.Dimensions);
            w.Write("centroids"); WriteReference(ref w, company.CentroidsFile);
            w.Write("segments"); w.WriteArrayHeader(company.Segments.Count);
            foreach (var segment in company.Segments)
            {
                w.WriteMapHeader(5);
                w.Write("id"); w.Write(segment.SegmentId);
                w.Write("file"); WriteReference(ref w, segment.File);
                w.Write("rows"); w.Write(segment.RowCount);
                w.Write("tombstones"); WriteReference(ref w, segment.TombstoneFile);
                w.Write("deleted"); w.Write(segment.DeletedCount);
            }
        }
        w.Flush();
        var writer = new BlockFileWriter(file, FileKind.Manifest);
        writer.WriteBlock(BlockTag.Manifest, 0, buffer.WrittenSpan);
        writer.Finish();
    }

    /// <summary>Reads and fully verifies a MANIFEST file.</summary>
    /// <exception cref="IndexCorruptedException">The file is missing, damaged or holds invalid content.</exception>
    /// <exception cref="IncompatibleFormatException">The file was written by a newer format.</exception>
    public static Manifest Read(IStorageDevice device, string path)
    {
        using var file = BlockFile.Open(device, path, FileKind.Manifest);
        if (file.Blocks.Length != 1 || file.Blocks[0].Tag != BlockTag.Manifest)
            throw file.Corrupt(FileHeader.Size, "a manifest holds exactly one MANI block.");
        file.Verify(0);
        long offset = file.PayloadOffset(0);
        try
        {
            var manifest = Decode(file.Payload(0).ToArray());
            Check(manifest);
            return manifest;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or FormatException or OverflowException or EndOfStreamException or ArgumentException)
        {
            throw new IndexCorruptedException(path, offset, $"the manifest content is invalid: {ex.Message}", ex);
        }
    }

    private static void WriteReference(ref MessagePackWriter w, FileReference? reference)
    {
        if (reference is null)
        {
            w.WriteNil();
            return;
        }
        w.WriteArrayHeader(3);
        w.Write(reference.Name);
        w.Write(reference.Length);
        w.Write(reference.FileId);
    }

    private static FileReference? ReadReference(ref MessagePackReader r)
    {
        if (r.TryReadNil()) return null;
        if (r.ReadArrayHeader() != 3) throw new FormatException("A file reference has 3 elements.");
        string name = r.ReadString() ?? throw new FormatException("A file name is nil.");
        long length = r.ReadInt64();
        ulong id = r.ReadUInt64();
        if (!IsDataFileName(name)) throw new FormatException($"'{name}' is not a data file name.");
        if (length <= 0) throw new FormatException($"File '{name}' has length {length}.");
        return new FileReference(name, length, id);
    }

    private static Manifest Decode(ReadOnlyMemory<byte> bytes)
    {
        var r = new MessagePackReader(bytes);
        long generation = -1, next = -1;
        byte[]? commitData = null;
        List<CompanyEntry>? companies = null;
        FileReference? log = null;
        int fields = r.ReadMapHeader();
        for (int i = 0; i < fields; i++)
        {
            switch (r.ReadString())
            {
                case "generation": generation = r.ReadInt64(); break;
                case "nextFileNumber": next = r.ReadInt64(); break;
                case "commitData": commitData = r.ReadBytes()?.ToArray() ?? []; break;
                case "companies":
                    int count = r.ReadArrayHeader();
                    companies = new List<CompanyEntry>(count);
                    for (int c = 0; c < count; c++) companies.Add(ReadCompany(ref r));
                    break;
                case "log":
                    if (r.ReadArrayHeader() != 2) throw new FormatException("The log reference has 2 elements.");
                    string name = r.ReadString() ?? throw new FormatException("The log name is nil.");
                    if (!name.StartsWith("wal-", StringComparison.Ordinal) || !IsDataFileName(name)) throw new FormatException($"'{name}' is not a log file name.");
                    log = new FileReference(name, 0, r.ReadUInt64());
                    break;
                default: r.Skip(); break;
            }
        }
        if (!r.End) throw new FormatException("Trailing bytes after the manifest.");
        if (generation < 0 || next < 1 || commitData is null || companies is null) throw new FormatException("A required manifest field is missing.");
        return new Manifest(generation, next, commitData, companies, log);
    }

    private static CompanyEntry ReadCompany(ref MessagePackReader r)
    {
        string? id = null;
        int dimensions = 0;
        FileReference? centroids = null;
        List<SegmentEntry>? segments = null;
        byte[]? properties = null;
        int fields = r.ReadMapHeader();
        for (int i = 0; i < fields; i++)
        {
            switch (r.ReadString())
            {
                case "id": id = r.ReadString(); break;
                case "dimensions": dimensions = r.ReadInt32(); break;
                case "centroids": centroids = ReadReference(ref r); break;
                case "properties": properties = r.ReadBytes()?.ToArray(); break;
                case "segments":
                    int count = r.ReadArrayHeader();
                    segments = new List<SegmentEntry>(count);
                    for (int s = 0; s < count; s++) segments.Add(ReadSegment(ref r));
                    break;
                default: r.Skip(); break;
            }
        }
        if (id is null || segments is null || dimensions <= 0) throw new FormatException("A company entry misses a required field.");
        Identifiers.ValidateCompanyId(id);
        return new CompanyEntry(id, dimensions, centroids, segments, properties);
    }

    private static SegmentEntry ReadSegment(ref MessagePackReader r)
    {
        long id = -1;
        FileReference? file = null, tombstones = null;
        int rows = -1, deleted = -1;
        int fields = r.ReadMapHeader();
        for (int i = 0; i < fields; i++)
        {
            switch (r.ReadString())
            {
                case "id": id = r.ReadInt64(); break;
                case "file": file = ReadReference(ref r); break;
                case "rows": rows = r.ReadInt32(); break;
                case "tombstones": tombstones = ReadReference(ref r); break;
                case "deleted": deleted = r.ReadInt32(); break;
                default: r.Skip(); break;
            }
        }
        if (id < 0 || file is null || rows < 0 || deleted < 0 || deleted > rows || (deleted > 0) != (tombstones is not null))
            throw new FormatException("A segment entry misses a required field or is inconsistent.");
        return new SegmentEntry(id, file, rows, tombstones, deleted);
    }

    private static void Check(Manifest manifest)
    {
        // File names are lower-case by pattern; company ids are exact (ordinal), so ids differing only in case are two companies.
        var names = new HashSet<string>(StringComparer.Ordinal);
        var companies = new HashSet<string>(StringComparer.Ordinal);
        foreach (var company in manifest.Companies)
        {
            if (!companies.Add(company.CompanyId)) throw new FormatException($"Company '{company.CompanyId}' appears twice.");
            var segmentIds = new HashSet<long>();
            foreach (var segment in company.Segments)
                if (!segmentIds.Add(segment.SegmentId)) throw new FormatException($"Segment {segment.SegmentId} of '{company.CompanyId}' appears twice.");
        }
        foreach (var file in manifest.Files())
        {
            if (!names.Add(file.Name)) throw new FormatException($"File '{file.Name}' is referenced twice.");
            if (FileNumberOf(file.Name) >= manifest.NextFileNumber) throw new FormatException($"File '{file.Name}' is numbered beyond the next file number.");
        }
    }
}
