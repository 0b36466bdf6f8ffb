using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Exceptions;
using Werkly.VectorIndex.Tests.Storage;

namespace Werkly.VectorIndex.Tests.Partitions;

/// <summary>
/// Validation at the door (issue 10, defects 2–5 and 9): a value the index accepts reads back exactly, after a commit
/// and a reopen; a value it cannot store is refused when written, with a typed exception, changes nothing, creates no
/// company, and never blocks another company's writes or commits.
/// </summary>
public class DoorValidationTests
{
    private const int Dimensions = 4;
    private static readonly WerklyIndexOptions Options = new() { Dimensions = Dimensions };
    private static readonly float[] X = [1, 0, 0, 0];
    private static readonly float[] Y = [0, 1, 0, 0];

    private static VectorRecord Plain(string key, float[]? vector = null) => new(key, vector ?? X);

    private static Dictionary<string, MetadataValue> Meta(string key, MetadataValue value) => new() { [key] = value };

    // ---- Company ids that differ only in case (defect 2) ----

    [Fact]
    public void A_company_id_differing_only_in_case_is_refused_on_every_write_path()
    {
        using var index = new WerklyIndex(Options);
        index.Upsert("Acme", "a", X);
        foreach (var variant in new[] { "acme", "ACME", "aCmE" })
        {
            Assert.Throws<InvalidIdentifierException>(() => index.Upsert(variant, "b", Y));
            Assert.Throws<InvalidIdentifierException>(() => index.Apply(variant, [Plain("b")], []));
            Assert.Throws<InvalidIdentifierException>(() => index.ReplaceDocuments(variant, [new DocumentUpdate("d", "h", [Plain("d#0")])]));
            Assert.Throws<InvalidIdentifierException>(() => index.UpsertAsync(variant, [Plain("b")]).AsTask().GetAwaiter().GetResult());
            var ex = Assert.Throws<InvalidIdentifierException>(() => index.ValidateCompanyId(variant));
            Assert.Contains("Acme", ex.Message);
            Assert.False(index.ContainsCompany(variant));
        }
        index.ValidateCompanyId("Acme");
        index.ValidateCompanyId("globex"); // a new id is fine
        Assert.Equal(["Acme"], index.Companies);
        Assert.Equal(1, index.Count("Acme"));
    }

    [Fact]
    public void A_refused_case_variant_never_blocks_a_commit_and_nothing_is_lost_on_reopen()
    {
        using var temp = new TempDirectory("case");
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            index.Upsert("Acme", "a", X);
            Assert.Throws<InvalidIdentifierException>(() => index.Upsert("acme", "b", Y));
            index.Upsert("globex", "g", Y);
            index.Commit();
            index.Upsert("globex", "g2", X);
            index.Commit(); // a commit touching only globex
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.Equal(["Acme", "globex"], index.Companies.Order(StringComparer.Ordinal));
            Assert.Equal(["a"], index.GetKeys("Acme"));
            Assert.Equal(["g", "g2"], index.GetKeys("globex").Order(StringComparer.Ordinal));
            // The reopened index knows the committed spelling.
            Assert.Throws<InvalidIdentifierException>(() => index.Upsert("ACME", "c", Y));
            Assert.Throws<InvalidIdentifierException>(() => index.ValidateCompanyId("acme"));
        }
    }

    [Fact]
    public void After_DeleteCompany_the_id_can_be_reused_in_another_case_and_committed()
    {
        using var temp = new TempDirectory("case");
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            index.Upsert("Acme", "old", X);
            index.Commit();
            Assert.True(index.DeleteCompany("Acme"));
            index.ValidateCompanyId("acme");
            index.Upsert("acme", "new", Y); // in the same commit as the deletion
            index.Commit();
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.Equal(["acme"], index.Companies);
            Assert.Equal(["new"], index.GetKeys("acme"));
            // And back again, across a reopen.
            Assert.True(index.DeleteCompany("acme"));
            index.Commit();
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.Empty(index.Companies);
            index.Upsert("ACME", "newest", X);
            index.Commit();
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.Equal(["ACME"], index.Companies);
            Assert.Equal(["newest"], index.GetKeys("ACME"));
        }
    }

    // ---- Lone surrogates (defects 4 and 5): rejected, never rewritten ----

    // By index: xUnit serializes theory data as UTF-8, which would turn a lone surrogate into U+FFFD before the test runs.
    private static readonly string[] LoneSurrogates = ["\ud800", "\udc00", "a\ud800b", "x\udc00", "\udc00\ud800", "ok\ud83d"];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Lone_surrogates_are_refused_wherever_a_string_enters(int which)
    {
        var bad = LoneSurrogates[which];
        Assert.True(Identifiers.IndexOfLoneSurrogate(bad) >= 0);
        using var index = new WerklyIndex(Options);
        index.Upsert("acme", "seed", X, Meta("lang", "en"));
        Assert.Throws<InvalidIdentifierException>(() => index.Upsert("acme", bad, Y));
        Assert.Throws<InvalidIdentifierException>(() => index.Apply("acme", [], [bad]));
        Assert.Throws<InvalidIdentifierException>(() => index.Delete("acme", bad));
        Assert.Throws<InvalidIdentifierException>(() => index.ReplaceDocuments("acme", [new DocumentUpdate(bad, "h", [Plain("d#0")])]));
        Assert.Throws<InvalidIdentifierException>(() => index.DeleteDocument("acme", bad));
        Assert.Throws<InvalidIdentifierException>(() => index.TryGetRecord("acme", bad, out _));
        Assert.ThrowsAny<ArgumentException>(() => index.ReplaceDocuments("acme", [new DocumentUpdate("d", bad, [Plain("d#0")])]));
        Assert.ThrowsAny<ArgumentException>(() => index.Upsert("acme", "k", Y, Meta(bad, 1)));
        Assert.ThrowsAny<ArgumentException>(() => index.Upsert("acme", "k", Y, Meta("lang", bad)));
        Assert.ThrowsAny<ArgumentException>(() => index.Upsert("acme", Plain("k", Y) with { Title = bad }));
        Assert.ThrowsAny<ArgumentException>(() => index.Upsert("acme", Plain("k", Y) with { Text = "fine words " + bad }));
        Assert.ThrowsAny<ArgumentException>(() => index.Search("acme", new SearchQuery { Mode = SearchMode.Keyword, Text = bad }));
        Assert.ThrowsAny<ArgumentException>(() => index.Upsert("initech", "k", Y, Meta("lang", bad)));

        // Nothing changed, nothing was created.
        Assert.Equal(["seed"], index.GetKeys("acme"));
        Assert.Equal(["acme"], index.Companies);
        Assert.Empty(index.GetDocuments("acme"));
        Assert.True(index.TryGetRecord("acme", "seed", out var seed));
        Assert.Equal("en", seed.Metadata!["lang"].AsString());
        Assert.Empty(index.CheckConsistency("acme"));
    }

    [Fact]
    public void Valid_surrogate_pairs_round_trip_exactly_through_a_commit_and_a_reopen()
    {
        const string emoji = "\ud83d\ude00"; // U+1F600, a valid pair
        using var temp = new TempDirectory("surrogates");
        var record = new VectorRecord("key" + emoji, X, Meta("tag" + emoji, "value" + emoji)) { Title = "title " + emoji, Text = "text " + emoji + " words" };
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            index.Upsert("acme", record);
            index.ReplaceDocuments("acme", [new DocumentUpdate("doc" + emoji, "hash" + emoji, [Plain("chunk" + emoji, Y)])]);
            index.Commit();
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.Equal(2, index.Count("acme"));
            Assert.True(index.TryGetRecord("acme", record.Key, out var read));
            Assert.Equal(record.Title, read.Title);
            Assert.Equal(record.Text, read.Text);
            Assert.Equal("value" + emoji, read.Metadata!["tag" + emoji].AsString());
            var document = Assert.Single(index.GetDocuments("acme"));
            Assert.Equal(new DocumentInfo("doc" + emoji, "hash" + emoji, 1), document);
            Assert.True(index.Delete("acme", record.Key)); // the original key still addresses it
            Assert.Equal(1, index.Count("acme"));
            Assert.Empty(index.CheckConsistency("acme"));
        }
    }

    // ---- Metadata values (defects 3 and 4) ----

    /// <summary>Defect 4: default(MetadataValue) was accepted and then read back as corruption after a reopen. It is
    /// refused, or stored and read back as the same value; reserved and malformed metadata keys are refused.</summary>
    [Fact]
    public void Default_metadata_values_round_trip_or_are_refused_and_reserved_keys_are_refused()
    {
        using (var temp = new TempDirectory("default-value"))
        {
            bool accepted;
            using (var writer = WerklyIndex.Open(temp.Path, Options))
            {
                try
                {
                    writer.Upsert("acme", "k", X, Meta("n", default));
                    accepted = true;
                }
                catch (ArgumentException)
                {
                    accepted = false;
                }
                writer.Upsert("acme", "other", Y);
                writer.Commit();
            }
            using var reopened = WerklyIndex.Open(temp.Path, Options);
            Assert.Equal(accepted ? 2 : 1, reopened.Count("acme"));
            if (accepted)
            {
                Assert.True(reopened.TryGetRecord("acme", "k", out var stored));
                Assert.Equal(default(MetadataValue), stored.Metadata!["n"]);
                Assert.Equal(default(MetadataValue).Kind, stored.Metadata!["n"].Kind);
                Assert.Equal("k", reopened.Search("acme", X, 1)[0].Key); // a search returning the row decodes it
            }
        }

        using var index = new WerklyIndex(Options);
        ArgumentException ex;
        foreach (var reserved in new[] { "werkly:title", "werkly:text", "werkly:document", "werkly:hash", "werkly:anything" })
        {
            ex = Assert.ThrowsAny<ArgumentException>(() => index.Upsert("acme", "k", X, Meta(reserved, "spoof")));
            Assert.Contains("reserved", ex.Message);
        }
        Assert.ThrowsAny<ArgumentException>(() => index.Upsert("acme", "k", X, Meta("", 1)));
        Assert.ThrowsAny<ArgumentException>(() => index.Upsert("acme", "k", X, Meta(new string('m', 257), 1)));
        Assert.False(index.ContainsCompany("acme"));

        // Look-alikes of the reserved prefix are ordinary keys and read back as written.
        index.Upsert("acme", "k", X, new Dictionary<string, MetadataValue> { ["Werkly:title"] = "mine", ["werkly"] = 1, [new string('m', 256)] = true });
        Assert.True(index.TryGetRecord("acme", "k", out var read));
        Assert.Equal("mine", read.Metadata!["Werkly:title"].AsString());
        Assert.Null(read.Title);
        Assert.Equal(3, read.Metadata.Count);
    }

    [Fact]
    public void Huge_titles_and_texts_are_refused_with_a_clear_message()
    {
        using var index = new WerklyIndex(Options);
        var huge = new string('w', (8 << 20) + 1);
        var ex = Assert.ThrowsAny<ArgumentException>(() => index.Upsert("acme", Plain("k") with { Text = huge }));
        Assert.Contains("8,388,608", ex.Message);
        Assert.Contains("'k'", ex.Message);
        Assert.ThrowsAny<ArgumentException>(() => index.Upsert("acme", Plain("k") with { Title = huge }));
        Assert.False(index.ContainsCompany("acme"));
        index.Upsert("acme", Plain("k") with { Text = huge[1..] }); // exactly the limit is fine
        Assert.True(index.TryGetRecord("acme", "k", out var read));
        Assert.Equal(8 << 20, read.Text!.Length);
    }

    /// <summary>
    /// Defect 3: dates stored as ticks in a double lost up to ~64 ticks, and DateTimeOffset.MaxValue was accepted and then
    /// failed every commit of every company. Every date must be accepted and read back to the tick.
    /// </summary>
    [Fact]
    public void Dates_over_the_full_range_round_trip_to_the_tick_and_never_block_a_commit()
    {
        var dates = new[]
        {
            DateTimeOffset.MinValue, DateTimeOffset.MaxValue, DateTimeOffset.UnixEpoch,
            new DateTimeOffset(2025, 3, 14, 15, 9, 26, TimeSpan.Zero).AddTicks(5_358_979),
            new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.FromHours(11)).AddTicks(-1),
            new DateTimeOffset(1, 1, 1, 12, 0, 0, TimeSpan.FromHours(11)).AddTicks(1),
        };
        using var temp = new TempDirectory("dates");
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            for (var i = 0; i < dates.Length; i++) index.Upsert("acme", $"d{i}", X, Meta("at", dates[i]));
            index.Upsert("globex", "g", Y);
            index.Commit();
            for (var i = 0; i < dates.Length; i++)
            {
                Assert.True(index.TryGetRecord("acme", $"d{i}", out var before));
                Assert.Equal(dates[i].UtcTicks, before.Metadata!["at"].AsDate().UtcTicks);
                Assert.Equal(dates[i].Offset, before.Metadata!["at"].AsDate().Offset);
            }
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.Equal(["g"], index.GetKeys("globex"));
            for (var i = 0; i < dates.Length; i++)
            {
                Assert.True(index.TryGetRecord("acme", $"d{i}", out var read));
                Assert.Equal(dates[i].UtcTicks, read.Metadata!["at"].AsDate().UtcTicks);
                Assert.Equal(dates[i].Offset, read.Metadata!["at"].AsDate().Offset);
            }
            Assert.Equal(dates.Length, index.Search("acme", X, dates.Length).Length);
        }
    }

    /// <summary>Defect 3 as it must never happen again, whatever MetadataValue can store: an extreme date is refused at
    /// the door, or accepted and then committed and read back exactly; either way every commit succeeds.</summary>
    [Fact]
    public void An_extreme_date_is_refused_or_round_trips_and_never_blocks_a_commit()
    {
        using var temp = new TempDirectory("dates");
        var dates = new[] { DateTimeOffset.MaxValue, DateTimeOffset.MinValue, DateTimeOffset.MaxValue.AddTicks(-1), DateTimeOffset.MinValue.AddTicks(1) };
        var accepted = new List<int>();
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            for (var i = 0; i < dates.Length; i++)
            {
                try
                {
                    index.Upsert("acme", $"d{i}", X, Meta("at", dates[i]));
                    accepted.Add(i);
                }
                catch (ArgumentException)
                {
                    Assert.False(index.TryGetRecord("acme", $"d{i}", out _));
                }
                index.Upsert("globex", $"g{i}", Y);
                index.Commit();
            }
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.Equal(dates.Length, index.Count("globex"));
            Assert.Equal(accepted.Count, index.Count("acme"));
            foreach (var i in accepted)
            {
                Assert.True(index.TryGetRecord("acme", $"d{i}", out var read));
                Assert.Equal(dates[i].UtcTicks, read.Metadata!["at"].AsDate().UtcTicks);
            }
        }
    }

    [Fact]
    public void A_refused_value_in_one_company_never_blocks_another_companys_writes_or_commits()
    {
        using var temp = new TempDirectory("isolation");
        var refusals = new Action<WerklyIndex>[]
        {
            i => i.Upsert("acme", "bad", Y, Meta("lang", "\ud800")),
            i => i.Upsert("acme", "bad", Y, Meta("\udc00", 1)),
            i => i.Upsert("acme", "bad", Y, Meta("werkly:title", "t")),
            i => i.Upsert("acme", "bad\ud800", Y),
            i => i.Upsert("acme", Plain("bad") with { Text = new string('x', (8 << 20) + 1) }),
            i => i.Upsert("acme", "bad", [float.NaN, 0, 0, 0]),
            i => i.Upsert("ACME", "bad", Y),
        };
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            index.Upsert("acme", "good", X);
            for (var r = 0; r < refusals.Length; r++)
            {
                Assert.ThrowsAny<ArgumentException>(() => refusals[r](index));
                index.Upsert("globex", $"g{r}", Y);
                index.Upsert("acme", $"a{r}", X);
                index.Commit();
            }
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            Assert.Equal(["acme", "globex"], index.Companies.Order(StringComparer.Ordinal));
            Assert.Equal(refusals.Length, index.Count("globex"));
            Assert.Equal(refusals.Length + 1, index.Count("acme"));
            Assert.False(index.TryGetRecord("acme", "bad", out _));
        }
    }

    // ---- A refused or failed write creates no company ----

    [Fact]
    public void A_refused_write_creates_no_company_in_memory_or_on_disk()
    {
        using var temp = new TempDirectory("no-company");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var attempts = new Action<WerklyIndex>[]
        {
            i => i.Upsert("initech", "k", [0, 0, 0, 0]),
            i => i.Upsert("initech", "k", [1, 2, 3]),
            i => i.Upsert("initech", "\ud800", X),
            i => i.Apply("initech", [Plain("k")], [], cancelled.Token),
            i => i.ReplaceDocuments("initech", [new DocumentUpdate("d", "", [Plain("k")])]),
            i => i.ReplaceDocuments("initech", [new DocumentUpdate("d", "h", [Plain("k")]), new DocumentUpdate("d", "h", [Plain("j")])]),
            i => i.ReplaceDocuments("initech", [new DocumentUpdate("d", "h", [Plain("k")]), new DocumentUpdate("e", "h", [Plain("k")])]),
        };
        using (var index = WerklyIndex.Open(temp.Path, Options))
        {
            foreach (var attempt in attempts)
            {
                Assert.ThrowsAny<Exception>(() => attempt(index));
                Assert.False(index.ContainsCompany("initech"));
            }
            // Writes that change nothing create nothing either.
            Assert.False(index.Delete("initech", "k"));
            Assert.False(index.DeleteDocument("initech", "d"));
            index.Apply("initech", [], ["k"]);
            index.ReplaceDocuments("initech", [new DocumentUpdate("d", "h", [])]);
            Assert.False(index.ContainsCompany("initech"));
            index.Upsert("acme", "k", X);
            index.Commit();
        }
        using (var index = WerklyIndex.Open(temp.Path, Options))
            Assert.Equal(["acme"], index.Companies);
    }

    [Theory]
    [InlineData("start")]
    [InlineData("vectors")]
    [InlineData("keywords")]
    [InlineData("documents")]
    public void A_write_that_fails_part_way_creates_no_company(string step)
    {
        var armed = true;
        using var index = new WerklyIndex(Options)
        {
            FaultHook = s =>
            {
                if (armed && s == step) throw new InvalidOperationException("injected at " + s);
            },
        };
        Assert.Throws<InvalidOperationException>(() => index.ReplaceDocuments("initech", [new DocumentUpdate("d", "h", [Plain("k") with { Text = "words" }])]));
        Assert.False(index.ContainsCompany("initech"));
        Assert.Empty(index.Companies);
        armed = false;
        index.Upsert("initech", "k", X);
        Assert.Equal(["initech"], index.Companies);
    }

    // ---- Numbers (defect 9) ----

    [Fact]
    public void K_of_int_MaxValue_is_clamped_to_the_records_there_are()
    {
        using var index = new WerklyIndex(Options);
        index.Upsert("acme", [Plain("a", X), Plain("b", Y), Plain("c", [1, 1, 0, 0])]);
        Assert.Equal(3, index.Search("acme", X, int.MaxValue).Length);
        Assert.Equal(3, index.Explain("acme", X, int.MaxValue).Hits.Count);
        Assert.Equal(3, index.Search("acme", X, int.MaxValue, new SearchOptions { Probes = int.MaxValue, Filter = (_, _) => true }).Length);
        Assert.Equal(3, index.Search("acme", new SearchQuery { Mode = SearchMode.Vector, Vector = X, Top = SearchQuery.MaxTop }).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search("acme", new SearchQuery { Mode = SearchMode.Vector, Vector = X, Top = int.MaxValue }));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search("acme", new SearchQuery { Mode = SearchMode.Vector, Vector = X, Skip = int.MaxValue }));
    }

    [Theory]
    [InlineData(DistanceMetric.SquaredL2)]
    [InlineData(DistanceMetric.InnerProduct)]
    public void Vectors_whose_scores_could_overflow_are_refused_and_every_accepted_score_is_finite(DistanceMetric metric)
    {
        const int dimensions = 384;
        using var index = new WerklyIndex(new WerklyIndexOptions { Dimensions = dimensions, Metric = metric, FlatSearchThreshold = 10, Lists = 2 });
        // Largest accepted norm: every component c with dimensions·c² just below float.MaxValue / 4.
        var c = (float)(Math.Sqrt(float.MaxValue / 4.0 / dimensions) * 0.999);
        var big = Enumerable.Repeat(c, dimensions).ToArray();
        var negated = big.Select(x => -x).ToArray();
        var spike = new float[dimensions];
        spike[7] = (float)(Math.Sqrt(float.MaxValue / 4.0) * 0.999);
        var records = new List<VectorRecord> { Plain("big", big), Plain("negated", negated), Plain("spike", spike), Plain("negspike", spike.Select(x => -x).ToArray()) };
        var random = new Random(3);
        for (var i = 0; i < 40; i++) records.Add(Plain($"r{i}", TestData.Gaussian(random, dimensions).Select(x => x * c * 0.5f).ToArray()));
        index.Upsert("acme", records);

        foreach (var tooBig in new[] { big.Select(x => x * 1.01f).ToArray(), spike.Select(x => x * 1.01f).ToArray(), Enumerable.Repeat(1e30f, dimensions).ToArray() })
        {
            Assert.Throws<InvalidVectorException>(() => index.Upsert("acme", "overflow", tooBig));
            Assert.Throws<InvalidVectorException>(() => index.Search("acme", tooBig, 5));
        }
        Assert.False(index.TryGetRecord("acme", "overflow", out _));

        foreach (var query in records.Select(r => r.Vector.ToArray()))
        {
            foreach (var probes in new[] { 1, int.MaxValue })
            {
                var hits = index.Search("acme", query, records.Count, new SearchOptions { Probes = probes });
                Assert.All(hits, h => Assert.True(float.IsFinite(h.Score), $"{metric} score of {h.Key} is {h.Score}"));
            }
            var results = index.Search("acme", new SearchQuery { Mode = SearchMode.Vector, Vector = query, Top = records.Count });
            Assert.All(results, r => Assert.True(double.IsFinite(r.Score), $"{metric} score of {r.Key} is {r.Score}"));
        }
        // The largest distances are still ordered: the antipode of "big" is the farthest record from it.
        if (metric == DistanceMetric.SquaredL2) Assert.Equal("negated", index.Search("acme", big, records.Count, new SearchOptions { Probes = int.MaxValue })[^1].Key);
    }

    [Fact]
    public void Tiny_and_huge_cosine_vectors_are_accepted_and_stored_normalized()
    {
        using var index = new WerklyIndex(Options);
        index.Upsert("acme", "tiny", [1e-23f, 0, 0, 0]);
        index.Upsert("acme", "denormal", [0, float.Epsilon, 0, 0]);
        index.Upsert("acme", "huge", [3e38f, 0, 0, 3e38f]);
        var stored = new float[Dimensions];
        Assert.True(index.TryGetVector("acme", "tiny", stored));
        Assert.Equal(X, stored);
        Assert.True(index.TryGetVector("acme", "denormal", stored));
        Assert.Equal(Y, stored);
        Assert.True(index.TryGetVector("acme", "huge", stored));
        Assert.Equal(1, stored[0] * stored[0] + stored[3] * stored[3], 5);
        var hit = index.Search("acme", [1e-23f, 0, 0, 0], 1)[0];
        Assert.Equal("tiny", hit.Key);
        Assert.Equal(1f, hit.Score, 5);
        Assert.Throws<InvalidVectorException>(() => index.Upsert("acme", "zero", [0, 0, 0, 0]));
    }
}
