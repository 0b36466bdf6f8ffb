using System.Diagnostics;
using System.Globalization;
using Werkly.VectorIndex.Distance;

namespace Werkly.VectorIndex.CrashTest;

/// <summary>
/// The kill loop one level up, through the public facade: a child process opens a <see cref="WerklyIndex"/>, applies
/// batches (upserts, replacements, deletes, retrains, company deletes) and calls <see cref="WerklyIndex.Commit"/> after
/// each, printing "committed N" when it returns. After every SIGKILL the index must reopen holding exactly the batches
/// whose commit returned (the one in flight may or may not have landed), record by record and vector by vector.
/// With <c>hybrid</c> the child writes through a <see cref="HybridIndex"/> (each record with a unique word in its text),
/// and after every kill each live record must also be the top keyword hit for its word, loaded from the segments'
/// keyword blocks with no segment analyzed again.
/// </summary>
internal static class FacadeKillLoop
{
    public const int Dimensions = 16;
    private const string Progress = "progress";

    public static readonly WerklyIndexOptions Options = new() { Dimensions = Dimensions, FlatSearchThreshold = 300, Lists = 4 };

    /// <summary>Applies batch <paramref name="batch"/> to an index (the child) or to the model (the verifier).</summary>
    private static void Apply(long batch, long seed, IBatchTarget target)
    {
        var company = batch % 3 == 0 ? "globex" : "acme";
        var upserts = new List<VectorRecord>();
        for (var i = 0; i < 12; i++)
            upserts.Add(new VectorRecord($"k{batch}-{i}", Vector(seed, batch, i)));
        if (batch >= 2) upserts.Add(new VectorRecord($"k{batch - 2}-5", Vector(seed, batch, 100))); // replace
        var deletes = batch >= 4 ? Enumerable.Range(0, 4).Select(i => $"k{batch - 4}-{i}").ToArray() : [];
        target.Apply(company, upserts, deletes);
        if (batch % 15 == 14) target.Retrain("acme");
        if (batch % 40 == 39) target.DeleteCompany("globex");
        target.Apply(Progress, [new VectorRecord("marker", Vector(seed, batch, -1), new Dictionary<string, MetadataValue> { ["batch"] = batch })], []);
    }

    private static float[] Vector(long seed, long batch, int i)
    {
        var rng = new Random(unchecked((int)(seed * 1_000_003 + batch * 7_919 + i * 104_729)));  // not HashCode: it is seeded per process
        var v = new float[Dimensions];
        for (var d = 0; d < Dimensions; d++) v[d] = (float)(rng.NextDouble() * 2 - 1);
        v[0] += 0.5f;
        return v;
    }

    /// <summary>The word only record <paramref name="key"/>'s text holds (letters and digits: one term, unstemmed).</summary>
    private static string WordOf(string key) => "w" + key.Replace("-", "x", StringComparison.Ordinal) + "z";

    public static KillLoopResult Run(string directory, int kills, long seed, int maxDelayMs, Action<string>? log = null, bool hybrid = false)
    {
        var clock = Stopwatch.StartNew();
        var rng = new Random(unchecked((int)seed));
        var failures = new List<string>();
        long verified = -1;
        int matched = 0, unacked = 0;
        Directory.CreateDirectory(directory);
        for (var kill = 0; kill < kills && failures.Count < 5; kill++)
        {
            var (acked, failure) = ChildProcess.RunUntilKilled(hybrid ? "hybrid-child" : "facade-child", directory, seed, "committed ", verified, rng, maxDelayMs);
            if (failure is not null)
            {
                failures.Add($"kill {kill}: {failure}");
                continue;
            }
            try
            {
                using var index = WerklyIndex.Open(directory, Options, readOnly: true);
                var found = BatchOf(index);
                if (found < acked || found > acked + 1)
                {
                    failures.Add($"kill {kill}: the index holds batches up to {found} but commits up to {acked} had returned.");
                    continue;
                }
                if (found == acked + 1) unacked++;
                var model = new ModelTarget();
                for (long b = 0; b <= found; b++) Apply(b, seed, model);
                var expected = model.Describe();
                var actual = Describe(index);
                if (!string.Equals(expected, actual, StringComparison.Ordinal))
                {
                    failures.Add($"kill {kill}: content after batch {found} differs from the model: {KillLoop.FirstDifference(expected, actual, maxLineChars: 60)}");
                    continue;
                }
                if (hybrid && CheckKeywords(index) is { } problem)
                {
                    failures.Add($"kill {kill}: after batch {found}: {problem}");
                    continue;
                }
                verified = found;
                matched++;
                log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"kill {kill + 1}/{kills}: batch {found} (acked {acked}) matched"));
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or ArgumentException)
            {
                failures.Add($"kill {kill}: reopening failed: {ex}");
            }
        }
        return new KillLoopResult(kills, matched, verified + 1, unacked, failures, clock.Elapsed);
    }

    /// <summary>Every live record is the top keyword hit for its own word, and no segment had to be analyzed again.</summary>
    private static string? CheckKeywords(WerklyIndex index)
    {
        foreach (var company in index.Companies.Order(StringComparer.Ordinal))
        {
            foreach (var key in index.GetKeys(company))
            {
                var hits = index.Search(company, new SearchQuery { Mode = SearchMode.Keyword, Text = WordOf(key), Top = 2 });
                if (hits.Count != 1 || hits[0].Key != key) return $"keyword search for {company}/{key} found [{string.Join(", ", hits.Select(h => h.Key))}]";
            }
            if (index.KeywordLoadOf(company) is { SegmentsAnalyzed: > 0 } load) return $"company {company}: {load.SegmentsAnalyzed} segments had no usable keyword block";
        }
        return null;
    }

    /// <summary>The child: apply and commit batches forever, printing "committed N" after each commit returns.</summary>
    public static int RunChild(string directory, long seed, bool hybrid = false)
    {
        var index = ChildProcess.OpenWhenUnlocked(() => WerklyIndex.Open(directory, Options));
        var batch = BatchOf(index);
        Console.Out.WriteLine($"ready {batch}");
        Console.Out.Flush();
        IBatchTarget target = hybrid ? new HybridTarget(index) : new IndexTarget(index);
        while (true)
        {
            batch++;
            Apply(batch, seed, target);
            index.Commit();
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"committed {batch}"));
            Console.Out.Flush();
        }
    }


    private static long BatchOf(WerklyIndex index)
    {
        if (!index.ContainsCompany(Progress)) return -1;
        var hit = index.Search(Progress, Vector(0, 0, 0), 1);
        return hit.Length == 0 ? -1 : (long)hit[0].Metadata!["batch"].AsNumber();
    }

    /// <summary>Every company, key and stored vector, in a canonical text form.</summary>
    private static string Describe(WerklyIndex index)
    {
        var lines = new List<string>();
        var vector = new float[Dimensions];
        foreach (var company in index.Companies.Order(StringComparer.Ordinal))
        {
            foreach (var key in index.GetKeys(company).Order(StringComparer.Ordinal))
            {
                if (!index.TryGetVector(company, key, vector)) throw new InvalidOperationException($"{company}/{key} is listed but has no vector.");
                lines.Add($"{company}/{key} {string.Join(',', vector.Select(x => x.ToString("R", CultureInfo.InvariantCulture)))}");
            }
        }
        return string.Join('\n', lines);
    }

    private interface IBatchTarget
    {
        void Apply(string company, IReadOnlyList<VectorRecord> upserts, IReadOnlyList<string> deletes);
        void Retrain(string company);
        void DeleteCompany(string company);
    }

    private sealed class IndexTarget(WerklyIndex index) : IBatchTarget
    {
        public void Apply(string company, IReadOnlyList<VectorRecord> upserts, IReadOnlyList<string> deletes) => index.Apply(company, upserts, deletes);

        public void Retrain(string company)
        {
            if (index.ContainsCompany(company)) index.Retrain(company);
        }

        public void DeleteCompany(string company) => index.DeleteCompany(company);
    }

    private sealed class HybridTarget(WerklyIndex index) : IBatchTarget
    {
        public void Apply(string company, IReadOnlyList<VectorRecord> upserts, IReadOnlyList<string> deletes) =>
            index.Apply(company, [.. upserts.Select(r => r with
            {
                Title = r.Key.EndsWith("-0", StringComparison.Ordinal) ? "first record" : null,
                Text = $"{WordOf(r.Key)} shared words of every record",
            })], deletes);

        public void Retrain(string company)
        {
            if (index.ContainsCompany(company)) index.Retrain(company);
        }

        public void DeleteCompany(string company) => index.DeleteCompany(company);
    }

    /// <summary>The independent model: dictionaries of normalised vectors.</summary>
    private sealed class ModelTarget : IBatchTarget
    {
        private readonly SortedDictionary<string, SortedDictionary<string, float[]>> _companies = new(StringComparer.Ordinal);

        public void Apply(string company, IReadOnlyList<VectorRecord> upserts, IReadOnlyList<string> deletes)
        {
            if (!_companies.TryGetValue(company, out var records))
                _companies[company] = records = new SortedDictionary<string, float[]>(StringComparer.Ordinal);
            foreach (var key in deletes) records.Remove(key);
            foreach (var record in upserts)
            {
                var v = record.Vector.ToArray();
                VectorDistance.Normalize(v, v);
                records[record.Key] = v;
            }
        }

        public void Retrain(string company)
        {
        }

        public void DeleteCompany(string company) => _companies.Remove(company);

        public string Describe() => string.Join('\n', _companies.SelectMany(c => c.Value.Select(r =>
            $"{c.Key}/{r.Key} {string.Join(',', r.Value.Select(x => x.ToString("R", CultureInfo.InvariantCulture)))}")));
    }
}
