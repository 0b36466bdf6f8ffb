using System.Diagnostics;
using System.Globalization;
using Werkly.VectorIndex.Distance;

namespace Werkly.VectorIndex.CrashTest;

/// <summary>
/// The kill loop for <see cref="Durability.PerWrite"/>: a child opens a <see cref="WerklyIndex"/> with per-write
/// durability and runs <see cref="Writers"/> writer threads at once (their appends share fsyncs: group commit), each
/// owning one company and making small writes (single upserts with and without text, deletes, document replacements and
/// deletions, now and then a company deletion), printing "acked W N" after each write N of writer W returns; writer 0
/// also commits every <see cref="CommitEvery"/> writes (so commits run during other writers' appends). After every
/// SIGKILL the reopened index must hold, for each writer, exactly its writes 0..N for N its last acknowledged write or
/// the one in flight (written before the kill, maybe logged): every acknowledged write is present, and nothing that was
/// never written appears; the three sides of each company agree.
/// </summary>
internal static class PerWriteKillLoop
{
    public const int Dimensions = 8;
    public const int Writers = 3;
    private const int CommitEvery = 25;

    public static readonly WerklyIndexOptions Options = new()
    {
        Dimensions = Dimensions,
        FlatSearchThreshold = 30,
        Lists = 3,
        TrainingIterations = 3,
        Durability = Durability.PerWrite,
    };

    private static string CompanyOf(int writer) => $"w{writer}";

    private static float[] Vector(long seed, int writer, long n)
    {
        var rng = new Random(unchecked((int)(seed * 1_000_003 + writer * 7_919 + n * 104_729)));
        var v = new float[Dimensions];
        for (var d = 0; d < Dimensions; d++) v[d] = (float)(rng.NextDouble() * 2 - 1);
        v[0] += 0.5f;
        return v;
    }

    private static VectorRecord Record(string key, long seed, int writer, long n) =>
        new(key, Vector(seed, writer, n), new Dictionary<string, MetadataValue> { ["n"] = n })
        {
            Text = n % 3 == 0 ? null : $"written by op{n}x",
            Title = n % 4 == 1 ? $"title {key}" : null,
        };

    /// <summary>Write <paramref name="n"/> of <paramref name="writer"/>, on the index or on the model.</summary>
    private static void Apply(long seed, int writer, long n, ITarget target)
    {
        var company = CompanyOf(writer);
        switch (n % 10)
        {
            case 6:
                target.Delete(company, $"k{(n * 7) % 30}");
                break;
            case 7:
                var document = $"d{n % 4}";
                var chunks = 1 + (int)(n % 3);
                target.ReplaceDocument(company, document, $"h{n}", [.. Enumerable.Range(0, chunks).Select(c => Record($"{document}#{c}", seed, writer, n * 10 + c))]);
                break;
            case 8:
                target.DeleteDocument(company, $"d{(n * 3) % 4}");
                break;
            case 9 when n % 50 == 49:
                target.DeleteCompany(company);
                break;
            default:
                target.Upsert(company, Record($"k{n % 30}", seed, writer, n));
                break;
        }
    }

    public static KillLoopResult Run(string directory, int kills, long seed, int maxDelayMs, Action<string>? log = null)
    {
        var clock = Stopwatch.StartNew();
        var rng = new Random(unchecked((int)seed));
        var failures = new List<string>();
        var next = new long[Writers]; // the first write each writer has not made yet (verified)
        int matched = 0, unacked = 0;
        Directory.CreateDirectory(directory);
        for (var kill = 0; kill < kills && failures.Count < 5; kill++)
        {
            var acked = (long[])next.Clone();
            for (var w = 0; w < Writers; w++) acked[w]--;
            using var progressed = new ManualResetEventSlim();
            var failure = ChildProcess.RunUntilKilled("per-write-child", directory, seed, line =>
            {
                // "acked W N"
                var parts = line.Split(' ');
                if (parts.Length == 3 && parts[0] == "acked")
                {
                    var w = int.Parse(parts[1], CultureInfo.InvariantCulture);
                    var n = long.Parse(parts[2], CultureInfo.InvariantCulture);
                    lock (acked) acked[w] = Math.Max(acked[w], n);
                    progressed.Set();
                }
            }, rng, maxDelayMs, rng.Next(2) == 0 ? progressed : null, "--resume", string.Join(',', next)); // see the remarks of the other overload
            if (failure is not null)
            {
                failures.Add($"kill {kill}: {failure}");
                continue;
            }
            try
            {
                using var index = WerklyIndex.Open(directory, Options, readOnly: true);
                var problem = (string?)null;
                for (var w = 0; w < Writers && problem is null; w++)
                {
                    var company = CompanyOf(w);
                    var actual = Describe(index, company);
                    // Acknowledged writes 0..acked must all be there; the one in flight may be.
                    var withInFlight = Model(seed, w, acked[w] + 1).Describe(company);
                    var withoutInFlight = Model(seed, w, acked[w]).Describe(company);
                    if (actual == withInFlight)
                    {
                        if (withInFlight != withoutInFlight) unacked++;
                        next[w] = acked[w] + 2;
                    }
                    else if (actual == withoutInFlight)
                    {
                        next[w] = acked[w] + 1;
                    }
                    else
                    {
                        problem = $"writer {w} acknowledged writes 0..{acked[w]}, but {company} matches neither that nor one more write: " +
                                  KillLoop.FirstDifference(withoutInFlight, actual, maxLineChars: 80);
                    }
                    if (problem is null && index.ContainsCompany(company) && index.CheckConsistency(company) is { Count: > 0 } differences)
                        problem = $"{company}: {string.Join("; ", differences)}";
                }
                if (problem is not null)
                {
                    failures.Add($"kill {kill}: {problem}");
                    continue;
                }
                matched++;
                log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"kill {kill + 1}/{kills}: acked [{string.Join(",", acked)}], now at [{string.Join(",", next)}]: matched"));
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or ArgumentException)
            {
                failures.Add($"kill {kill}: reopening failed: {ex}");
            }
        }
        return new KillLoopResult(kills, matched, next.Sum(), unacked, failures, clock.Elapsed, "acknowledged writes");
    }

    /// <summary>The child: <see cref="Writers"/> threads write from their resume points until killed.</summary>
    public static int RunChild(string directory, long seed, long[] resume)
    {
        var index = ChildProcess.OpenWhenUnlocked(() => WerklyIndex.Open(directory, Options));
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        var threads = Enumerable.Range(0, Writers).Select(w => new Thread(() =>
        {
            var target = new IndexTarget(index);
            for (var n = resume[w]; ; n++)
            {
                Apply(seed, w, n, target);
                lock (Console.Out)
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"acked {w} {n}"));
                    Console.Out.Flush();
                }
                if (w == 0 && n % CommitEvery == CommitEvery - 1) index.Commit();
            }
        })).ToList();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        return 0;
    }

    /// <summary>Writer <paramref name="writer"/>'s company after its writes 0..<paramref name="last"/>.</summary>
    private static ModelTarget Model(long seed, int writer, long last)
    {
        var model = new ModelTarget();
        for (long n = 0; n <= last; n++) Apply(seed, writer, n, model);
        return model;
    }

    /// <summary>A company's records (key, vector, title, text, metadata, document) and documents, in a canonical text form.</summary>
    private static string Describe(WerklyIndex index, string company)
    {
        if (!index.ContainsCompany(company)) return "(no company)";
        var lines = new List<string>();
        foreach (var key in index.GetKeys(company).Order(StringComparer.Ordinal))
        {
            if (!index.TryGetRecord(company, key, out var record)) throw new InvalidOperationException($"{company}/{key} is listed but cannot be read.");
            lines.Add(Line(key, record.Vector.Span, record.Title, record.Text, record.Metadata?["n"].AsNumber()));
        }
        foreach (var document in index.GetDocuments(company)) lines.Add($"document {document.DocumentId} {document.ContentHash} {document.RecordCount}");
        return string.Join('\n', lines);
    }

    private static string Line(string key, ReadOnlySpan<float> vector, string? title, string? text, double? n) =>
        $"{key} [{string.Join(',', vector.ToArray().Select(x => x.ToString("R", CultureInfo.InvariantCulture)))}] '{title}' '{text}' n={n?.ToString(CultureInfo.InvariantCulture)}";

    private interface ITarget
    {
        void Upsert(string company, VectorRecord record);
        void Delete(string company, string key);
        void ReplaceDocument(string company, string document, string hash, IReadOnlyList<VectorRecord> records);
        void DeleteDocument(string company, string document);
        void DeleteCompany(string company);
    }

    private sealed class IndexTarget(WerklyIndex index) : ITarget
    {
        public void Upsert(string company, VectorRecord record) => index.Upsert(company, record);

        public void Delete(string company, string key) => index.Delete(company, key);

        public void ReplaceDocument(string company, string document, string hash, IReadOnlyList<VectorRecord> records) =>
            index.ReplaceDocuments(company, [new DocumentUpdate(document, hash, records)]);

        public void DeleteDocument(string company, string document) => index.DeleteDocument(company, document);

        public void DeleteCompany(string company) => index.DeleteCompany(company);
    }

    /// <summary>The independent model of one writer's company.</summary>
    private sealed class ModelTarget : ITarget
    {
        private SortedDictionary<string, (VectorRecord Record, float[] Stored, string? Document, string? Hash)>? _records;

        public void Upsert(string company, VectorRecord record) => Put(record, null, null);

        private void Put(VectorRecord record, string? document, string? hash)
        {
            var stored = record.Vector.ToArray();
            VectorDistance.Normalize(stored, stored);
            (_records ??= new(StringComparer.Ordinal))[record.Key] = (record, stored, document, hash);
        }

        public void Delete(string company, string key) => _records?.Remove(key);

        public void ReplaceDocument(string company, string document, string hash, IReadOnlyList<VectorRecord> records)
        {
            if (_records is not null)
            {
                foreach (var key in _records.Where(r => r.Value.Document == document).Select(r => r.Key).ToList()) _records.Remove(key);
            }
            if (records.Count == 0) return;
            foreach (var record in records) Put(record, document, hash);
        }

        public void DeleteDocument(string company, string document) => ReplaceDocument(company, document, "-", []);

        public void DeleteCompany(string company) => _records = null;

        public string Describe(string company)
        {
            if (_records is null) return "(no company)";
            var lines = _records.Select(r => Line(r.Key, r.Value.Stored, r.Value.Record.Title, r.Value.Record.Text, r.Value.Record.Metadata?["n"].AsNumber())).ToList();
            foreach (var document in _records.Where(r => r.Value.Document is not null).GroupBy(r => r.Value.Document!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
                lines.Add($"document {document.Key} {document.First().Value.Hash} {document.Count()}");
            return string.Join('\n', lines);
        }
    }
}
