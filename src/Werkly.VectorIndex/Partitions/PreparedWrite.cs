using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Distance.Kernels;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Partitions;

/// <summary>
/// One write, validated and prepared before any lock is taken: keys, stored metadata maps (with the reserved title,
/// text and document entries), vectors padded to the stride, analyzed titles and texts, and the keys to delete. Applying
/// it can then no longer fail on its input, so it is applied to every side of a partition or to none.
/// </summary>
internal sealed class PreparedWrite
{
    private PreparedWrite(string[] keys, IReadOnlyDictionary<string, MetadataValue>?[] metadata, ReadOnlyMemory<float>[] vectors, float[] padded, string[] deletes,
        string[] keywordKeys, AnalyzedBatch keywords, DocumentUpdate[] documents)
    {
        Keys = keys;
        Vectors = vectors;
        Metadata = metadata;
        Padded = padded;
        Deletes = deletes;
        KeywordKeys = keywordKeys;
        Keywords = keywords;
        Documents = documents;
    }

    /// <summary>Keys of the records to write, each once (a key repeated in the input keeps its last occurrence).</summary>
    public string[] Keys { get; }

    /// <summary>The map stored with each record.</summary>
    public IReadOnlyDictionary<string, MetadataValue>?[] Metadata { get; }

    /// <summary>The vectors as given (the write-ahead log stores these, so a replay computes exactly the same rows).</summary>
    public ReadOnlyMemory<float>[] Vectors { get; }

    /// <summary>Vectors padded to the stride (normalized under cosine), one row per key.</summary>
    public float[] Padded { get; }

    /// <summary>Keys to delete before the records are written.</summary>
    public string[] Deletes { get; }

    /// <summary>Keys of the records that have a title or text, with their analyzed fields in <see cref="Keywords"/>.</summary>
    public string[] KeywordKeys { get; }

    public AnalyzedBatch Keywords { get; }

    /// <summary>Documents whose previous records this write deletes (their ids).</summary>
    public DocumentUpdate[] Documents { get; }

    /// <summary>Whether the write changes nothing.</summary>
    public bool IsEmpty => Keys.Length == 0 && Deletes.Length == 0 && Documents.Length == 0;

    /// <summary>Validates and prepares a write of <paramref name="upserts"/> after deleting <paramref name="deletes"/>.</summary>
    /// <exception cref="ArgumentNullException">A list or record is null.</exception>
    /// <exception cref="Exceptions.InvalidIdentifierException">A key is invalid.</exception>
    /// <exception cref="Exceptions.DimensionMismatchException">A vector has the wrong length.</exception>
    /// <exception cref="Exceptions.InvalidVectorException">A vector is not finite, too large, or zero under cosine.</exception>
    /// <exception cref="ArgumentException">Metadata, a title or a text is invalid.</exception>
    public static PreparedWrite Create(WerklyIndexOptions options, TextAnalyzer analyzer, IReadOnlyList<VectorRecord> upserts, IReadOnlyList<string> deletes,
        IReadOnlyList<DocumentUpdate>? documents = null)
    {
        ArgumentNullException.ThrowIfNull(upserts);
        ArgumentNullException.ThrowIfNull(deletes);
        var deleteKeys = new string[deletes.Count];
        for (var i = 0; i < deletes.Count; i++)
        {
            Identifiers.ValidateKey(deletes[i] ?? throw new ArgumentNullException(nameof(deletes), $"Key {i} to delete is null."));
            deleteKeys[i] = deletes[i];
        }

        // Records from the plain list and from documents, in order; a key keeps its last occurrence.
        var records = new List<(VectorRecord Record, DocumentUpdate? Document, string Name)>(upserts.Count);
        for (var i = 0; i < upserts.Count; i++)
            records.Add((upserts[i] ?? throw new ArgumentNullException(nameof(upserts), $"Record {i} is null."), null, $"{nameof(upserts)}[{i}]"));
        var documentList = documents is null ? [] : documents.ToArray();
        var documentIds = new HashSet<string>(StringComparer.Ordinal);
        for (var d = 0; d < documentList.Length; d++)
        {
            var document = documentList[d] ?? throw new ArgumentNullException(nameof(documents), $"Document {d} is null.");
            ValidateDocument(document, $"documents[{d}]");
            if (!documentIds.Add(document.DocumentId))
                throw new ArgumentException($"Document '{document.DocumentId}' appears twice in one write.", nameof(documents));
            for (var i = 0; i < document.Records.Count; i++)
                records.Add((document.Records[i] ?? throw new ArgumentNullException(nameof(documents), $"Record {i} of document '{document.DocumentId}' is null."),
                    document, $"documents[{d}].Records[{i}]"));
        }
        var last = new Dictionary<string, int>(records.Count, StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            var (record, document, name) = records[i];
            Identifiers.ValidateKey(record.Key);
            if (document is not null && last.TryGetValue(record.Key, out var earlier) && records[earlier].Document is { } other && other != document)
                throw new ArgumentException($"Key '{record.Key}' belongs to documents '{other.DocumentId}' and '{document.DocumentId}' in one write.", nameof(documents));
            last[record.Key] = i;
            ValidateRecord(record, name);
        }

        var count = last.Count;
        var keys = new string[count];
        var metadata = new IReadOnlyDictionary<string, MetadataValue>?[count];
        var vectors = new ReadOnlyMemory<float>[count];
        var names = new string[count];
        var keywordKeys = new List<string>();
        var texts = new List<(string?, string?)>();
        var n = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var (record, document, name) = records[i];
            if (last[record.Key] != i) continue;
            keys[n] = record.Key;
            vectors[n] = record.Vector;
            names[n] = name;
            metadata[n] = StoredMetadata(record, document);
            if (record.Title is not null || record.Text is not null)
            {
                keywordKeys.Add(record.Key);
                texts.Add((record.Title, record.Text));
            }
            n++;
        }
        var stride = BlockKernel.StrideFor(options.Dimensions);
        var padded = new float[count * stride];
        for (var i = 0; i < count; i++)
        {
            VectorValidation.Validate(vectors[i].Span, options.Dimensions, options.Metric, names[i] + "." + nameof(VectorRecord.Vector));
            VectorValidation.Pad(vectors[i].Span, padded.AsSpan(i * stride, stride), options.Metric);
        }
        return new PreparedWrite(keys, metadata, vectors, padded, deleteKeys, [.. keywordKeys], AnalyzedBatch.Create(analyzer, texts), documentList);
    }

    /// <summary>
    /// A write replayed from the write-ahead log: records as they were stored (their metadata maps already hold the
    /// reserved title, text and document entries, and were validated when first written).
    /// </summary>
    public static PreparedWrite Replayed(WerklyIndexOptions options, TextAnalyzer analyzer,
        IReadOnlyList<(string Key, ReadOnlyMemory<float> Vector, IReadOnlyDictionary<string, MetadataValue>? Metadata)> written, IReadOnlyList<string> deletes)
    {
        var stride = BlockKernel.StrideFor(options.Dimensions);
        var keys = new string[written.Count];
        var metadata = new IReadOnlyDictionary<string, MetadataValue>?[written.Count];
        var vectors = new ReadOnlyMemory<float>[written.Count];
        var padded = new float[written.Count * stride];
        var keywordKeys = new List<string>();
        var texts = new List<(string?, string?)>();
        for (var i = 0; i < written.Count; i++)
        {
            var (key, vector, stored) = written[i];
            keys[i] = key;
            vectors[i] = vector;
            metadata[i] = stored;
            VectorValidation.Validate(vector.Span, options.Dimensions, options.Metric, nameof(written));
            VectorValidation.Pad(vector.Span, padded.AsSpan(i * stride, stride), options.Metric);
            var title = ReservedMetadata.Get(stored, ReservedMetadata.Title);
            var text = ReservedMetadata.Get(stored, ReservedMetadata.Text);
            if (title is null && text is null) continue;
            keywordKeys.Add(key);
            texts.Add((title, text));
        }
        return new PreparedWrite(keys, metadata, vectors, padded, [.. deletes], [.. keywordKeys], AnalyzedBatch.Create(analyzer, texts), []);
    }

    private static void ValidateDocument(DocumentUpdate document, string name)
    {
        Identifiers.ValidateKey(document.DocumentId);
        ArgumentNullException.ThrowIfNull(document.ContentHash, name + "." + nameof(DocumentUpdate.ContentHash));
        ArgumentNullException.ThrowIfNull(document.Records, name + "." + nameof(DocumentUpdate.Records));
        if (document.ContentHash.Length is 0 or > 128)
            throw new ArgumentException($"The content hash of document '{document.DocumentId}' must be 1 to 128 characters; got {document.ContentHash.Length}.", name);
        Identifiers.ValidateText(document.ContentHash, $"content hash of document '{document.DocumentId}'", name);
    }

    private static void ValidateRecord(VectorRecord record, string name)
    {
        if (record.Metadata is { } metadata)
        {
            foreach (var (key, value) in metadata)
            {
                if (key is null) throw new ArgumentException($"{name} has a null metadata key.", name);
                if (key.Length is 0 or > ReservedMetadata.MaxKeyLength)
                    throw new ArgumentException($"Metadata key '{Shorten(key)}' of record '{record.Key}' must be 1 to {ReservedMetadata.MaxKeyLength} characters.", name);
                if (ReservedMetadata.IsReserved(key))
                    throw new ArgumentException($"Metadata key '{key}' of record '{record.Key}' is reserved (keys starting with '{ReservedMetadata.Prefix}').", name);
                Identifiers.ValidateText(key, $"metadata key of record '{record.Key}'", name);
                ValidateValue(value, $"metadata value '{key}' of record '{record.Key}'", name);
            }
        }
        ValidateText(record.Title, "title", record, name);
        ValidateText(record.Text, "text", record, name);
    }

    /// <summary>Rejects values that could not be read back exactly: a default (kind-less) value, a lone surrogate.</summary>
    internal static void ValidateValue(MetadataValue value, string what, string name)
    {
        if (value.Kind == MetadataKind.String)
        {
            var text = value.AsString() ?? throw new ArgumentException($"The {what} is default(MetadataValue); create values with MetadataValue.From… or an implicit conversion.", name);
            Identifiers.ValidateText(text, what, name);
        }
    }

    private static void ValidateText(string? text, string field, VectorRecord record, string name)
    {
        if (text is null) return;
        if (text.Length > ReservedMetadata.MaxTextLength)
            throw new ArgumentException($"The {field} of record '{record.Key}' has {text.Length:N0} characters; at most {ReservedMetadata.MaxTextLength:N0} are allowed (split it into chunks).", name);
        Identifiers.ValidateText(text, $"{field} of record '{record.Key}'", name);
    }

    /// <summary>The map stored with a record: a copy of the caller's (so later changes to it cannot reach the index) plus
    /// the reserved entries; null when there is nothing to store.</summary>
    private static Dictionary<string, MetadataValue>? StoredMetadata(VectorRecord record, DocumentUpdate? document)
    {
        var extra = (record.Title is null ? 0 : 1) + (record.Text is null ? 0 : 1) + (document is null ? 0 : 2);
        if (record.Metadata is null && extra == 0) return null;
        var map = new Dictionary<string, MetadataValue>((record.Metadata?.Count ?? 0) + extra, StringComparer.Ordinal);
        if (record.Metadata is not null)
        {
            foreach (var (key, value) in record.Metadata) map[key] = value;
        }
        if (record.Title is not null) map[ReservedMetadata.Title] = record.Title;
        if (record.Text is not null) map[ReservedMetadata.Text] = record.Text;
        if (document is not null)
        {
            map[ReservedMetadata.Document] = document.DocumentId;
            map[ReservedMetadata.Hash] = document.ContentHash;
        }
        return map;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
