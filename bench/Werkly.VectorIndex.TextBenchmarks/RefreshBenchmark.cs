using System.Diagnostics;

namespace Werkly.VectorIndex.TextBenchmarks;

/// <summary>
/// A read replica's cost of following a writer: <see cref="WerklyIndex.Refresh"/> after each commit against opening the
/// index again, measured alternately in one run. 70,000 Cranfield chunks over 20 companies (3 segments each); each
/// round the writer replaces 10 records of one company and commits. Also the first keyword search afterwards, in a
/// company the commit did not touch (a refresh keeps its loaded keyword side; a reopen loads it again) and in the one it did.
/// </summary>
internal static class RefreshBenchmark
{
    private const int Dimensions = 384;
    private const int Companies = 20;

    public static int Run(int rounds)
    {
        rounds = rounds > 0 ? rounds : 20;
        var docs = Corpus.Repeated();
        var queries = Corpus.Queries();
        var options = new WerklyIndexOptions { Dimensions = Dimensions };
        var dir = Path.Combine(Path.GetTempPath(), "werkly-refresh-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var writer = WerklyIndex.Open(dir, options);
            var perCompany = docs.Length / Companies;
            for (var segment = 0; segment < 3; segment++)
            {
                for (var c = 0; c < Companies; c++)
                {
                    var slice = docs.Skip(c * perCompany).Take(perCompany).ToArray();
                    var part = slice.Skip(segment * perCompany / 3).Take(perCompany / 3);
                    writer.Apply(Company(c), [.. part.Select((d, i) => new VectorRecord(d.Id, Vector(d.Id.GetHashCode(StringComparison.Ordinal))) { Title = d.Title, Text = d.Text })], []);
                }
                writer.Commit();
            }
            Console.WriteLine($"{docs.Length:N0} chunks, {Companies} companies × 3 segments, {Dimensions}-d; {rounds} rounds; directory {dir}");

            using var replica = WerklyIndex.Open(dir, options, readOnly: true);
            for (var c = 0; c < Companies; c++) replica.Search(Company(c), Keyword(queries[0])); // every keyword side loaded
            var refresh = new List<double>();
            var reopen = new List<double>();
            var afterRefreshUnchanged = new List<double>();
            var afterRefreshChanged = new List<double>();
            var afterReopenUnchanged = new List<double>();
            var watch = new Stopwatch();
            for (var round = 0; round < rounds; round++)
            {
                var changed = round % Companies;
                var unchanged = (changed + 1) % Companies;
                var slice = docs.Skip(changed * perCompany).Take(10);
                writer.Apply(Company(changed), [.. slice.Select(d => new VectorRecord(d.Id, Vector(round)) { Title = d.Title, Text = d.Text + " round " + round })], []);
                writer.Commit();

                watch.Restart();
                if (!replica.Refresh()) throw new InvalidOperationException("The replica saw no new commit.");
                refresh.Add(watch.Elapsed.TotalMilliseconds);
                watch.Restart();
                replica.Search(Company(unchanged), Keyword(queries[round % queries.Length]));
                afterRefreshUnchanged.Add(watch.Elapsed.TotalMilliseconds);
                watch.Restart();
                replica.Search(Company(changed), Keyword(queries[round % queries.Length]));
                afterRefreshChanged.Add(watch.Elapsed.TotalMilliseconds);

                watch.Restart();
                using (var reopened = WerklyIndex.Open(dir, options, readOnly: true))
                {
                    reopen.Add(watch.Elapsed.TotalMilliseconds);
                    watch.Restart();
                    reopened.Search(Company(unchanged), Keyword(queries[round % queries.Length]));
                    afterReopenUnchanged.Add(watch.Elapsed.TotalMilliseconds);
                }
            }
            Console.WriteLine($"median refresh {Median(refresh):F2} ms, reopen {Median(reopen):F2} ms, ratio {Median(refresh) / Median(reopen):F2}");
            Console.WriteLine($"first keyword search, untouched company: after refresh {Median(afterRefreshUnchanged):F2} ms, after reopen {Median(afterReopenUnchanged):F1} ms");
            Console.WriteLine($"first keyword search, the committed company: after refresh {Median(afterRefreshChanged):F1} ms");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Company(int c) => $"company-{c:D2}";

    private static SearchQuery Keyword(string text) => new() { Mode = SearchMode.Keyword, Text = text };

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static ReadOnlyMemory<float> Vector(int seed)
    {
        var random = new Random(seed);
        var v = new float[Dimensions];
        for (var i = 0; i < v.Length; i++) v[i] = (float)(random.NextDouble() - 0.5);
        return v;
    }
}
