using System.Buffers;
using MessagePack;

namespace Werkly.VectorIndex.Storage;

/// <summary>Encodes a record's metadata map as MessagePack: a map of string keys to str (string), float64 (number),
/// bool (boolean) or timestamp extension -1 (date, UTC).</summary>
/// <remarks>Keep in sync with docs/FORMAT.md, section "Metadata encoding". Thread-safe (stateless).</remarks>
internal static class MetadataCodec
{
    /// <summary>Appends the encoding of <paramref name="metadata"/> to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, IReadOnlyDictionary<string, MetadataValue> metadata)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteMapHeader(metadata.Count);
        foreach (var (key, value) in metadata)
        {
            writer.Write(key);
            switch (value.Kind)
            {
                case MetadataKind.String: writer.Write(value.AsString()); break;
                case MetadataKind.Number: writer.Write(value.AsNumber()); break;
                case MetadataKind.Boolean: writer.Write(value.AsBoolean()); break;
                case MetadataKind.Date: writer.Write(value.AsDate().UtcDateTime); break;
                default: throw new ArgumentException($"Unknown metadata kind {value.Kind}.", nameof(metadata));
            }
        }
        writer.Flush();
    }

    /// <summary>Decodes one map; throws <see cref="MessagePackSerializationException"/> or <see cref="FormatException"/> on malformed input.</summary>
    public static Dictionary<string, MetadataValue> Read(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        int count = reader.ReadMapHeader();
        var map = new Dictionary<string, MetadataValue>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string key = reader.ReadString() ?? throw new FormatException("A metadata key is nil.");
            MetadataValue value = reader.NextMessagePackType switch
            {
                MessagePackType.String => MetadataValue.FromString(reader.ReadString()!),
                MessagePackType.Float => MetadataValue.FromNumber(reader.ReadDouble()),
                MessagePackType.Boolean => MetadataValue.FromBoolean(reader.ReadBoolean()),
                MessagePackType.Extension => MetadataValue.FromDate(new DateTimeOffset(reader.ReadDateTime(), TimeSpan.Zero)),
                var other => throw new FormatException($"Unexpected MessagePack type {other} for a metadata value."),
            };
            if (!map.TryAdd(key, value)) throw new FormatException($"Duplicate metadata key '{key}'.");
        }
        if (!reader.End) throw new FormatException("Trailing bytes after a metadata map.");
        return map;
    }
}
