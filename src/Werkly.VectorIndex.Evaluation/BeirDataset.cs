using System.IO.Compression;
using System.Text.Json;

namespace Werkly.VectorIndex.Evaluation;

/// <summary>A document of a BEIR-layout corpus.</summary>
/// <param name="Id">The document id (<c>_id</c>).</param>
/// <param name="Title">The title, possibly empty.</param>
/// <param name="Text">The body text.</param>
public sealed record BeirDocument(string Id, string Title, string Text);

/// <summary>A query of a BEIR-layout test collection.</summary>
/// <param name="Id">The query id (<c>_id</c>).</param>
/// <param name="Text">The query text.</param>
public sealed record BeirQuery(string Id, string Text);

/// <summary>
/// A test collection in the BEIR layout: <c>corpus.jsonl</c>, <c>queries.jsonl</c> and <c>qrels/test.tsv</c>.
/// Each <c>.jsonl</c> file may also be given gzipped as <c>.jsonl.gz</c>.
/// </summary>
public sealed class BeirDataset
{
    /// <summary>A collection held in memory (for example one built by a test).</summary>
    /// <param name="corpus">The documents.</param>
    /// <param name="queries">The queries, judged or not.</param>
    /// <param name="judgments">Query id → (document id → gain).</param>
    /// <exception cref="ArgumentNullException">An argument or element is null.</exception>
    /// <exception cref="ArgumentException">Two documents or two queries share an id.</exception>
    public BeirDataset(IEnumerable<BeirDocument> corpus, IEnumerable<BeirQuery> queries,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> judgments)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(judgments);
        Corpus = [.. corpus];
        Queries = [.. queries];
        RequireUniqueIds(Corpus.Select(d => d?.Id), "document", nameof(corpus));
        RequireUniqueIds(Queries.Select(q => q?.Id), "query", nameof(queries));
        Judgments = judgments.ToDictionary(p => p.Key, p => p.Value ?? throw new ArgumentNullException(nameof(judgments), $"The judgments of query '{p.Key}' are null."), StringComparer.Ordinal);
    }

    /// <summary>The documents, in file order.</summary>
    public IReadOnlyList<BeirDocument> Corpus { get; }

    /// <summary>All queries in file order, judged or not.</summary>
    public IReadOnlyList<BeirQuery> Queries { get; }

    /// <summary>Graded judgments: query id → (document id → gain). Only gains above zero count as relevant.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Judgments { get; }

    /// <summary>The queries that have at least one judgment, which are the ones metrics average over.</summary>
    public IEnumerable<BeirQuery> JudgedQueries => Queries.Where(q => Judgments.ContainsKey(q.Id));

    /// <summary>Loads a BEIR-layout directory.</summary>
    /// <param name="directory">The folder holding <c>corpus.jsonl</c>, <c>queries.jsonl</c> and <c>qrels/test.tsv</c>.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing.</exception>
    /// <exception cref="InvalidDataException">A line cannot be parsed (the message names the file and line), or two
    /// documents or two queries share an id.</exception>
    public static BeirDataset Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"BEIR directory '{directory}' does not exist.");

        var corpus = new List<BeirDocument>();
        foreach (var (root, line, path) in ReadJsonLines(directory, "corpus.jsonl"))
        {
            corpus.Add(new BeirDocument(
                RequiredString(root, "_id", path, line),
                OptionalString(root, "title"),
                OptionalString(root, "text")));
        }

        var queries = new List<BeirQuery>();
        foreach (var (root, line, path) in ReadJsonLines(directory, "queries.jsonl"))
            queries.Add(new BeirQuery(RequiredString(root, "_id", path, line), OptionalString(root, "text")));

        var qrelsPath = Path.Combine(directory, "qrels", "test.tsv");
        if (!File.Exists(qrelsPath))
            throw new FileNotFoundException($"BEIR judgments file '{qrelsPath}' is missing.", qrelsPath);
        var judgments = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(qrelsPath))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var parts = line.Split('\t');
            if (lineNumber == 1 && parts.Length >= 3 && !int.TryParse(parts[2], out _)) continue; // header
            if (parts.Length < 3 || !int.TryParse(parts[2], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var gain))
                throw new InvalidDataException($"'{qrelsPath}' line {lineNumber}: expected 'query-id<TAB>corpus-id<TAB>score'.");
            if (!judgments.TryGetValue(parts[0], out var docs))
                judgments[parts[0]] = docs = new Dictionary<string, int>(StringComparer.Ordinal);
            docs[parts[1]] = gain;
        }

        try
        {
            return new BeirDataset(corpus, queries,
                judgments.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, int>)p.Value, StringComparer.Ordinal));
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"'{directory}': {ex.Message}", ex);
        }
    }

    private static void RequireUniqueIds(IEnumerable<string?> ids, string what, string parameter)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (id is null) throw new ArgumentNullException(parameter, $"A {what} or its id is null.");
            if (!seen.Add(id)) throw new ArgumentException($"Two {what} entries have the id '{id}'.", parameter);
        }
    }

    private static IEnumerable<(JsonElement Root, int Line, string Path)> ReadJsonLines(string directory, string fileName)
    {
        var plain = Path.Combine(directory, fileName);
        var gz = plain + ".gz";
        var path = File.Exists(plain) ? plain : File.Exists(gz) ? gz : throw new FileNotFoundException($"BEIR file '{plain}' (or '{gz}') is missing.", plain);
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"'{path}' line {lineNumber}: {ex.Message}", ex);
            }
            using (doc)
                yield return (doc.RootElement.Clone(), lineNumber, path);
        }
    }

    private static string RequiredString(JsonElement root, string name, string path, int line) =>
        root.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? value.ToString()
            : throw new InvalidDataException($"'{path}' line {line}: missing \"{name}\".");

    private static string OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";
}
