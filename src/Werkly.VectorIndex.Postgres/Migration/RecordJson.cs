using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Werkly.VectorIndex.Postgres.Migration;

/// <summary>
/// One index record as a JSON object — <c>{"company","key","vector","text","title","metadata"}</c>, plus
/// <c>"document"</c> and <c>"contentHash"</c> for a record of a document — the JSONL line
/// format and the metadata column of a Postgres document collection. Metadata values are tagged with their kind so that
/// each reads back exactly (<c>{"year":{"integer":"2024"}}</c>: integers and decimals as strings, numbers as JSON
/// numbers, dates as round-trip strings with the offset, DateTime as ticks and kind).
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class RecordJson
{
    public static JsonObject Metadata(IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        var json = new JsonObject();
        if (metadata is null) return json;
        foreach (var (name, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            JsonNode? tagged = value.Kind switch
            {
                MetadataKind.Null => new JsonObject { ["null"] = true },
                MetadataKind.String => new JsonObject { ["string"] = value.AsString() },
                MetadataKind.Number => new JsonObject { ["number"] = value.AsNumber() },
                MetadataKind.Boolean => new JsonObject { ["boolean"] = value.AsBoolean() },
                MetadataKind.Integer => new JsonObject { ["integer"] = value.AsInteger().ToString(CultureInfo.InvariantCulture) },
                MetadataKind.Decimal => new JsonObject { ["decimal"] = value.AsDecimal().ToString(CultureInfo.InvariantCulture) },
                MetadataKind.Date => new JsonObject
                {
                    ["date"] = value.AsDate().UtcTicks.ToString(CultureInfo.InvariantCulture),
                    ["offsetMinutes"] = (int)value.AsDate().Offset.TotalMinutes,
                },
                MetadataKind.DateTime => new JsonObject
                {
                    ["dateTime"] = value.AsDateTime().Ticks.ToString(CultureInfo.InvariantCulture),
                    ["kind"] = (int)value.AsDateTime().Kind,
                },
                MetadataKind.StringList => new JsonObject { ["strings"] = new JsonArray([.. value.AsStringList().Select(s => JsonValue.Create(s))]) },
                MetadataKind.IntegerList => new JsonObject { ["integers"] = new JsonArray([.. value.AsIntegerList().Select(i => JsonValue.Create(i.ToString(CultureInfo.InvariantCulture)))]) },
                MetadataKind.NumberList => new JsonObject { ["numbers"] = new JsonArray([.. value.AsNumberList().Select(n => JsonValue.Create(n))]) },
                _ => throw new InvalidOperationException($"Metadata kind {value.Kind} has no JSON form."),
            };
            json[name] = tagged;
        }
        return json;
    }

    /// <exception cref="InvalidDataException">The JSON is not a metadata object this format writes.</exception>
    public static Dictionary<string, MetadataValue> Metadata(JsonObject? json)
    {
        var metadata = new Dictionary<string, MetadataValue>(StringComparer.Ordinal);
        if (json is null) return metadata;
        foreach (var (name, node) in json)
        {
            if (node is not JsonObject tagged || tagged.Count == 0) throw new InvalidDataException($"Metadata '{name}' is not a tagged value.");
            var first = tagged.First();
            var value = first.Value;
            metadata[name] = first.Key switch
            {
                "null" => MetadataValue.Null,
                "string" => MetadataValue.FromString(value!.GetValue<string>()),
                "number" => MetadataValue.FromNumber(value!.GetValue<double>()),
                "boolean" => MetadataValue.FromBoolean(value!.GetValue<bool>()),
                "integer" => MetadataValue.FromInteger(long.Parse(value!.GetValue<string>(), CultureInfo.InvariantCulture)),
                "decimal" => MetadataValue.FromDecimal(decimal.Parse(value!.GetValue<string>(), NumberStyles.Number, CultureInfo.InvariantCulture)),
                "date" => MetadataValue.FromDate(FromUtc(long.Parse(value!.GetValue<string>(), CultureInfo.InvariantCulture), tagged["offsetMinutes"]!.GetValue<int>())),
                "dateTime" => MetadataValue.FromDateTime(new DateTime(long.Parse(value!.GetValue<string>(), CultureInfo.InvariantCulture), (DateTimeKind)tagged["kind"]!.GetValue<int>())),
                "strings" => MetadataValue.FromStringList(value!.AsArray().Select(n => n!.GetValue<string>())),
                "integers" => MetadataValue.FromIntegerList([.. value!.AsArray().Select(n => long.Parse(n!.GetValue<string>(), CultureInfo.InvariantCulture))]),
                "numbers" => MetadataValue.FromNumberList([.. value!.AsArray().Select(n => n!.GetValue<double>())]),
                var other => throw new InvalidDataException($"Metadata '{name}' has unknown kind '{other}'."),
            };
        }
        return metadata;
    }

    private static DateTimeOffset FromUtc(long utcTicks, int offsetMinutes) =>
        new DateTimeOffset(utcTicks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(offsetMinutes));

    /// <summary>One JSONL line of a record (of <paramref name="document"/> with <paramref name="contentHash"/>, or of none).</summary>
    public static string Line(string company, VectorRecord record, string? document = null, string? contentHash = null)
    {
        var json = new JsonObject
        {
            ["company"] = company,
            ["key"] = record.Key,
            ["vector"] = new JsonArray([.. record.Vector.ToArray().Select(v => JsonValue.Create(v))]),
            ["text"] = record.Text,
            ["title"] = record.Title,
            ["metadata"] = Metadata(record.Metadata),
        };
        if (document is not null)
        {
            json["document"] = document;
            json["contentHash"] = contentHash;
        }
        return json.ToJsonString();
    }

    /// <summary>The record of one JSONL line.</summary>
    /// <exception cref="InvalidDataException">The line is not a record (the message says what is missing).</exception>
    public static (string Company, VectorRecord Record, string? Document, string? ContentHash) Parse(string line, long lineNumber)
    {
        try
        {
            var json = JsonNode.Parse(line)?.AsObject() ?? throw new InvalidDataException("not a JSON object");
            var company = json["company"]?.GetValue<string>() ?? throw new InvalidDataException("no \"company\"");
            var key = json["key"]?.GetValue<string>() ?? throw new InvalidDataException("no \"key\"");
            var vector = json["vector"]?.AsArray().Select(n => n!.GetValue<float>()).ToArray() ?? throw new InvalidDataException("no \"vector\"");
            var record = new VectorRecord(key, vector, Metadata(json["metadata"] as JsonObject))
            {
                Text = json["text"]?.GetValue<string>(),
                Title = json["title"]?.GetValue<string>(),
            };
            var document = json["document"]?.GetValue<string>();
            var contentHash = json["contentHash"]?.GetValue<string>();
            if (document is not null && contentHash is null) throw new InvalidDataException($"record '{key}' has a \"document\" but no \"contentHash\"");
            return (company, record, document, contentHash);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new InvalidDataException($"JSONL line {lineNumber}: {ex.Message}", ex);
        }
    }
}
