namespace Werkly.VectorIndex.Partitions;

/// <summary>
/// The metadata keys the index keeps beside a record's own: its title, text, document and the document's content hash
/// are stored in the record's metadata map under these keys (one encoding on disk for every field), and stripped from
/// what callers see as the record's metadata.
/// </summary>
internal static class ReservedMetadata
{
    /// <summary>Keys starting with this are the index's own.</summary>
    public const string Prefix = "werkly:";

    public const string Title = "werkly:title";
    public const string Text = "werkly:text";
    public const string Document = "werkly:document";
    public const string Hash = "werkly:hash";

    /// <summary>Longest metadata key a caller may use.</summary>
    public const int MaxKeyLength = 256;

    /// <summary>Longest title or text (characters): far beyond any chunk, small enough to stay a record, not a file.</summary>
    public const int MaxTextLength = 8 << 20;

    public static bool IsReserved(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The string stored under a reserved <paramref name="key"/>, or null.</summary>
    public static string? Get(IReadOnlyDictionary<string, MetadataValue>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var value) && value.Kind == MetadataKind.String ? value.AsString() : null;

    /// <summary>The caller's part of a stored map (null when the record has none).</summary>
    public static IReadOnlyDictionary<string, MetadataValue>? UserPart(IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        if (metadata is null) return null;
        Dictionary<string, MetadataValue>? user = null;
        foreach (var (name, value) in metadata)
        {
            if (IsReserved(name)) continue;
            (user ??= new Dictionary<string, MetadataValue>(metadata.Count, StringComparer.Ordinal))[name] = value;
        }
        return user;
    }
}
