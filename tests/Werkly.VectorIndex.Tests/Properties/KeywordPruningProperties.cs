using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Werkly.VectorIndex.Text;

namespace Werkly.VectorIndex.Tests.Properties;

/// <summary>Block-max MaxScore returns exactly what scoring every posting returns: same keys, same order, same scores.</summary>
public class KeywordPruningProperties
{
    /// <summary>One write: an upsert (title, body) or a delete of a key from a small key space, so keys collide.</summary>
    public sealed record Operation(int Key, bool Delete, string Title, string Body);

    /// <summary>A scenario: writes, then queries with a top-k and per-query scoring.</summary>
    public sealed record Scenario(Operation[] Operations, string[] Queries, int Top, double K1, double B, double TitleWeight);

    // A skewed vocabulary (a few very common words, a long tail) so that upper bounds differ and pruning actually prunes;
    // word lists repeat words so term frequencies vary.
    private static readonly Gen<string> Word = Gen.Frequency(
        (8, Gen.Elements("alpha", "beta", "gamma")),
        (4, Gen.Elements("delta", "epsilon", "zeta", "eta", "theta")),
        (2, Gen.Choose(0, 60).Select(i => "w" + i)));

    private static Gen<string> Text(int maxWords) =>
        from n in Gen.Choose(0, maxWords)
        from words in Gen.ArrayOf(Word, n)
        select string.Join(' ', words);

    private static readonly Gen<Operation> OperationGen =
        from key in Gen.Choose(0, 300)
        from delete in Gen.Frequency((1, Gen.Constant(true)), (5, Gen.Constant(false)))
        from title in Text(4)
        from body in Text(40)
        select new Operation(key, delete, title, body);

    private static readonly Gen<Scenario> ScenarioGen =
        from count in Gen.Choose(1, 700)
        from operations in Gen.ArrayOf(OperationGen, count)
        from queries in Gen.ArrayOf(Text(8), 6)
        from top in Gen.Frequency((3, Gen.Choose(1, 10)), (1, Gen.Choose(11, 200)))
        from k1 in Gen.Elements(0.0, 0.5, 1.2, 2.0, 3.0)
        from b in Gen.Elements(0.0, 0.3, 0.75, 1.0)
        from titleWeight in Gen.Elements(0.0, 0.5, 1.0, 3.0)
        select new Scenario(operations, queries, top, k1, b, titleWeight);

    [Property(MaxTest = 150)]
    public Property Pruned_top_k_equals_exhaustive_scoring() =>
        Prop.ForAll(ScenarioGen.ToArbitrary(), scenario =>
        {
            using var index = new InvertedIndex();
            foreach (var op in scenario.Operations)
            {
                if (op.Delete) index.Delete("k" + op.Key);
                else index.Upsert("k" + op.Key, op.Title, op.Body);
            }
            var scoring = new Bm25Options { K1 = scenario.K1, B = scenario.B, TitleWeight = scenario.TitleWeight };
            foreach (var query in scenario.Queries)
            {
                var pruned = index.Search(query, scenario.Top, scoring);
                var exhaustive = index.SearchExhaustive(query, scenario.Top, scoring);
                if (!pruned.SequenceEqual(exhaustive)) return false;
            }
            return true;
        });

    [Property(MaxTest = 60)]
    public Property Compaction_does_not_change_results() =>
        Prop.ForAll(ScenarioGen.ToArbitrary(), scenario =>
        {
            using var index = new InvertedIndex();
            foreach (var op in scenario.Operations)
            {
                if (op.Delete) index.Delete("k" + op.Key);
                else index.Upsert("k" + op.Key, op.Title, op.Body);
            }
            var before = scenario.Queries.Select(q => index.Search(q, scenario.Top)).ToList();
            index.Compact();
            return scenario.Queries.Select(q => index.Search(q, scenario.Top)).Zip(before).All(p => p.First.SequenceEqual(p.Second));
        });

    [Property(MaxTest = 60)]
    public Property A_stored_segment_appended_then_written_to_equals_applying_every_write() =>
        Prop.ForAll(ScenarioGen.ToArbitrary(), scenario =>
        {
            // The first half of the writes is a committed segment: one row per upsert, in order; a row whose key the
            // segment's writes end by deleting is dead (null key), as the vector side's tombstones say.
            var half = scenario.Operations.Length / 2;
            var first = scenario.Operations[..half];
            var lastOp = new Dictionary<int, Operation>();
            foreach (var op in first) lastOp[op.Key] = op;
            var rows = first.Where(op => !op.Delete).ToArray();
            var payload = KeywordSegment.Encode(new KeywordOptions(), rows.Length, r => (rows[r].Title, rows[r].Body), CancellationToken.None);
            using var loaded = new InvertedIndex();
            loaded.AppendSegment(payload, [.. rows.Select(op => lastOp[op.Key].Delete ? null : "k" + op.Key)]);
            using var reference = new InvertedIndex();
            foreach (var (op, index) in scenario.Operations.Select((op, i) => (op, i)))
            {
                foreach (var target in index < half ? [reference] : new[] { reference, loaded })
                {
                    if (op.Delete) target.Delete("k" + op.Key);
                    else target.Upsert("k" + op.Key, op.Title, op.Body);
                }
            }
            var scoring = new Bm25Options { K1 = scenario.K1, B = scenario.B, TitleWeight = scenario.TitleWeight };
            return loaded.Count == reference.Count && scenario.Queries.All(query =>
            {
                var actual = loaded.Search(query, scenario.Top, scoring);
                return actual.SequenceEqual(reference.Search(query, scenario.Top, scoring))
                    && actual.SequenceEqual(loaded.SearchExhaustive(query, scenario.Top, scoring));
            });
        });
}
