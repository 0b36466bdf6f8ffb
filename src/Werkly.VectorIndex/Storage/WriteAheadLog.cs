using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using MessagePack;
using Werkly.VectorIndex.Exceptions;

namespace Werkly.VectorIndex.Storage;

/// <summary>The write-ahead log file: a <see cref="FileHeader"/> followed by checksummed records, each holding a
/// group of <see cref="LogRecord"/>s appended (and fsynced) together.</summary>
/// <remarks>
/// <para>Record layout (docs/FORMAT.md, "Write-ahead log"): u32 tag "WREC", u32 payload length, u64 sequence number,
/// u64 XXH3-64 of those 16 bytes followed by the payload, u64 XXH3-64 of the first 16 bytes alone (so a damaged
/// length is never mistaken for a torn tail), then the MessagePack payload.</para>
/// <para>Replay stops at a torn tail: a last record whose header or payload is cut short by the end of the file, or an
/// all-zero remainder (a file extended by a crash before its data landed). Any other damaged record, including a
/// complete last record with a bad checksum, is corruption. Appends are durable when <see cref="Append"/> returns.</para>
/// <para>Not thread-safe: <see cref="IndexDirectory"/> serializes appends with commits.</para>
/// </remarks>
internal sealed class WriteAheadLog : IDisposable
{
    /// <summary>"WREC" as a little-endian u32.</summary>
    public const uint RecordTag = 'W' | ('R' << 8) | ('E' << 16) | ('C' << 24);

    /// <summary>Bytes before a record's payload.</summary>
    public const int RecordHeaderBytes = 32;

    /// <summary>Largest payload of one record.</summary>
    public const int MaxPayloadBytes = 256 << 20;

    private readonly IWritableFile _file;
    private long _sequence;

    private WriteAheadLog(IWritableFile file, ulong fileId, long sequence)
    {
        _file = file;
        FileId = fileId;
        _sequence = sequence;
    }

    /// <summary>The log file's path.</summary>
    public string Path => _file.Path;

    /// <summary>An append failed and its bytes could not be cut off again: the log's tail may hold a record that was
    /// reported as failed, so nothing may be appended behind it.</summary>
    public bool TailDamaged { get; private set; }

    /// <summary>The random id in the file's header.</summary>
    public ulong FileId { get; }

    /// <summary>Creates an empty log (header only), fsynced.</summary>
    public static WriteAheadLog Create(IStorageDevice device, string path)
    {
        var file = device.Create(path);
        try
        {
            ulong id = BlockFileWriter.NewFileId();
            var header = FileHeader.Create(FileKind.WriteAheadLog, id);
            file.Write(header.AsBytes());
            file.Sync();
            return new WriteAheadLog(file, id, 0);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing, replayed log for appending after its last valid record.</summary>
    public static WriteAheadLog OpenForAppend(IStorageDevice device, string path, ulong fileId, long lastSequence) =>
        new(device.OpenAppend(path), fileId, lastSequence);

    /// <summary>Appends <paramref name="records"/> as one record and fsyncs: all of them survive a crash, or none.</summary>
    /// <remarks>When the write or the fsync fails, the file is cut back to its length before the append, so a record the
    /// caller was told failed is not replayed by the next open (after a failed fsync its bytes may still reach the disk
    /// from the page cache or the stream's buffer). If cutting back fails too, <see cref="TailDamaged"/> is set and the
    /// caller must not append to this log again.</remarks>
    /// <exception cref="IOException">The append failed; the log holds what it held before (unless <see cref="TailDamaged"/>).</exception>
    public void Append(IReadOnlyList<LogRecord> records)
    {
        var payload = Encode(records);
        if (payload.Length > MaxPayloadBytes) throw new ArgumentException($"The log records encode to {payload.Length} bytes; at most {MaxPayloadBytes} fit in one append.", nameof(records));
        var bytes = new byte[RecordHeaderBytes + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, RecordTag);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), _sequence + 1);
        payload.CopyTo(bytes.AsSpan(RecordHeaderBytes));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(24), StorageFormat.Checksum(bytes.AsSpan(0, 16)));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), Checksum(bytes));
        if (TailDamaged) throw new InvalidOperationException($"The write-ahead log '{Path}' has a damaged tail; start a new log.");
        long start = _file.Length;
        try
        {
            _file.Write(bytes);
            _file.Sync();
        }
        catch
        {
            try
            {
                _file.Truncate(start);
            }
#pragma warning disable CA1031 // The append's own failure is the one the caller sees.
            catch
#pragma warning restore CA1031
            {
                TailDamaged = true;
            }
            throw;
        }
        _sequence++;
    }

    /// <summary>Reads every record of the log at <paramref name="path"/>.</summary>
    /// <returns>The records, the sequence number of the last one, and whether a torn tail was dropped.</returns>
    /// <exception cref="IndexCorruptedException">The log is missing, damaged before its tail, or belongs to another commit.</exception>
    /// <exception cref="IncompatibleFormatException">The log was written by a newer format.</exception>
    public static (List<LogRecord> Records, long LastSequence, bool TornTail) Replay(IStorageDevice device, string path, ulong expectedFileId)
    {
        byte[] bytes;
        try
        {
            using var stream = device.OpenRead(path);
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new IndexCorruptedException(path, -1, "the write-ahead log is missing.", ex);
        }
        if (bytes.Length < FileHeader.Size) throw new IndexCorruptedException(path, bytes.Length, "the write-ahead log is shorter than its header.");
        FileHeader.Validate(bytes, path, FileKind.WriteAheadLog, expectedFileId);

        var records = new List<LogRecord>();
        long sequence = 0;
        int position = FileHeader.Size;
        while (position < bytes.Length)
        {
            var rest = bytes.AsSpan(position);
            if (rest.IndexOfAnyExcept((byte)0) < 0) return (records, sequence, true);
            if (rest.Length < RecordHeaderBytes) return (records, sequence, true);
            uint tag = BinaryPrimitives.ReadUInt32LittleEndian(rest);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(rest[4..]);
            long recordSequence = BinaryPrimitives.ReadInt64LittleEndian(rest[8..]);
            if (tag != RecordTag || length > MaxPayloadBytes || StorageFormat.Checksum(rest[..16]) != BinaryPrimitives.ReadUInt64LittleEndian(rest[24..]))
                throw new IndexCorruptedException(path, position, "invalid write-ahead log record header.");
            if (RecordHeaderBytes + (long)length > rest.Length) return (records, sequence, true);
            var record = rest[..(RecordHeaderBytes + (int)length)];
            if (Checksum(record) != BinaryPrimitives.ReadUInt64LittleEndian(rest[16..]))
                throw new IndexCorruptedException(path, position, "write-ahead log record checksum mismatch.");
            if (recordSequence != sequence + 1)
                throw new IndexCorruptedException(path, position + 8, $"write-ahead log record {recordSequence} follows {sequence}.");
            try
            {
                records.AddRange(Decode(bytes.AsMemory(position + RecordHeaderBytes, (int)length)));
            }
            catch (Exception ex) when (ex is MessagePackSerializationException or FormatException or ArgumentException or EndOfStreamException or OverflowException)
            {
                throw new IndexCorruptedException(path, position + RecordHeaderBytes, "a write-ahead log record cannot be decoded.", ex);
            }
            sequence = recordSequence;
            position += record.Length;
        }
        return (records, sequence, false);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();

    private static ulong Checksum(ReadOnlySpan<byte> record)
    {
        var hash = new XxHash3();
        hash.Append(record[..16]);
        hash.Append(record[RecordHeaderBytes..]);
        return hash.GetCurrentHashAsUInt64();
    }

    // Payload: array of [companyId str, key str | nil, vector bin (f32 LE) | nil, metadata bin (MetadataCodec map) | nil];
    // a nil key (and nil vector and metadata) deletes the whole company.
    private static byte[] Encode(IReadOnlyList<LogRecord> records)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(records.Count);
        var metadata = new ArrayBufferWriter<byte>();
        foreach (var record in records)
        {
            w.WriteArrayHeader(4);
            w.Write(record.CompanyId);
            if (record.IsCompanyDelete) w.WriteNil();
            else w.Write(record.Key);
            if (record.Vector is { } vector) w.Write(MemoryMarshal.AsBytes(vector.Span));
            else w.WriteNil();
            if (record.Metadata is { } map)
            {
                metadata.ResetWrittenCount();
                MetadataCodec.Write(metadata, map);
                w.Write(metadata.WrittenSpan);
            }
            else
            {
                w.WriteNil();
            }
        }
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static List<LogRecord> Decode(ReadOnlyMemory<byte> payload)
    {
        var r = new MessagePackReader(payload);
        int count = r.ReadArrayHeader();
        var records = new List<LogRecord>(count);
        for (int i = 0; i < count; i++)
        {
            if (r.ReadArrayHeader() != 4) throw new FormatException("A log entry has 4 fields.");
            string company = r.ReadString() ?? throw new FormatException("Nil company id.");
            string? key = r.ReadString();
            float[]? vector = null;
            if (!r.TryReadNil())
            {
                var bytes = r.ReadBytes() ?? throw new FormatException("Nil vector bytes.");
                if (bytes.Length % sizeof(float) != 0) throw new FormatException("Vector bytes are not whole floats.");
                vector = new float[bytes.Length / sizeof(float)];
                bytes.CopyTo(MemoryMarshal.AsBytes(vector.AsSpan()));
            }
            Dictionary<string, MetadataValue>? metadata = null;
            if (!r.TryReadNil())
            {
                var bytes = r.ReadBytes() ?? throw new FormatException("Nil metadata bytes.");
                metadata = MetadataCodec.Read(bytes.ToArray());
            }
            if (vector is null && metadata is not null) throw new FormatException("A delete carries metadata.");
            if (key is null && vector is not null) throw new FormatException("An upsert has no key.");
            records.Add(key is null ? LogRecord.DeleteCompany(company) : vector is null ? LogRecord.Delete(company, key) : LogRecord.Upsert(company, key, vector, metadata));
        }
        if (!r.End) throw new FormatException("Trailing bytes after the log entries.");
        return records;
    }
}
