using FsCheck;
using FsCheck.Fluent;
using Werkly.VectorIndex.Distance;
using Werkly.VectorIndex.Storage;
using Werkly.VectorIndex.Tests.Storage;

namespace Werkly.VectorIndex.Tests.Properties;

/// <summary>
/// Issue 10, "all or nothing": random writes (upserts with and without title, text and metadata, deletes, batches,
/// document replacements and deletions, company deletions, retrains, commits and reopens), each write possibly cancelled
/// (before it starts, or while it waits for another write) or failing through an exception injected at one step
/// (<see cref="WerklyIndex.FaultHook"/>). After every operation, and after every reopen, each company's vector side,
/// keyword side and document table describe the same records (<see cref="WerklyIndex.CheckConsistency"/>), and the
/// index equals an independent model in which a failed or cancelled write changed nothing and a successful one changed
/// everything. Defect 6 of the issue (25 chunks of a never-acknowledged document version surviving) fails this.
/// </summary>
public class WriteAtomicityProperties
{
    private const int Dimensions = 6;
    private static readonly string[] CompanyIds = ["acme", "globex", "initech"];

    /// <summary>Steps a fault can be injected at (the names <see cref="WerklyIndex.FaultHook"/> is called with).</summary>
    private static readonly string[] Steps = ["start", "vectors", "keywords", "documents", "retrain"];

    /// <summary>Steps every applied write passes (the write must fail there). A PerWrite write is durable once its log
    /// append returns, and no step follows it that could fail the write.</summary>
    private static readonly HashSet<string> AlwaysReached = ["start", "vectors", "keywords", "documents"];

    /// <summary>
    /// Up to <c>max</c> ops, each two uniform non-negative ints: the operation and what goes wrong with it. FsCheck's own
    /// ints are small and would make nearly every op the same (see <see cref="PartitionProperties"/>).
    /// </summary>
    private static Gen<(int Op, int Fault)[]> OpsGen(int max) =>
        from n in Gen.Choose(1, max)
        from ops in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), n)
        from faults in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), n)
        select ops.Zip(faults).ToArray();

    private enum Mode { Memory, OnCommit, PerWrite }

    [FsCheck.Xunit.Property(MaxTest = 150)]
    public Property In_memory_writes_are_all_or_nothing() => Prop.ForAll(OpsGen(80).ToArbitrary(), ops => Run(ops, Mode.Memory));

    [FsCheck.Xunit.Property(MaxTest = 40)]
    public Property Persisted_writes_are_all_or_nothing_across_commits_and_reopens() => Prop.ForAll(OpsGen(50).ToArbitrary(), ops => Run(ops, Mode.OnCommit));

    [FsCheck.Xunit.Property(MaxTest = 40)]
    public Property Per_write_durable_writes_are_all_or_nothing_across_reopens() => Prop.ForAll(OpsGen(50).ToArbitrary(), ops => Run(ops, Mode.PerWrite));

    private static WerklyIndexOptions OptionsFor(Mode mode) => new()
    {
        Dimensions = Dimensions,
        FlatSearchThreshold = 12, // automatic retrains happen inside writes
        Lists = 2,
        TrainingIterations = 3,
        MaxDegreeOfParallelism = 1,
        Durability = mode == Mode.PerWrite ? Durability.PerWrite : Durability.OnCommit,
    };

    private static void Run((int Op, int Fault)[] ops, Mode mode)
    {
        using var temp = mode == Mode.Memory ? null : new TempDirectory("atomicity");
        var harness = new Harness(mode, temp?.Path);
        var history = new List<string>();
        try
        {
            for (var i = 0; i < ops.Length; i++)
            {
                history.Add($"({ops[i].Op},{ops[i].Fault}) {harness.Step(ops[i].Op, ops[i].Fault)}");
                harness.Verify($"after op {i}");
            }
            if (mode != Mode.Memory)
            {
                harness.Reopen();
                harness.Verify("after the final reopen");
            }
        }
        catch (Exception ex) when (ex is Xunit.Sdk.XunitException or InvalidOperationException or IOException)
        {
            throw new InvalidOperationException($"{ex.Message}{Environment.NewLine}The ops were:{Environment.NewLine}{string.Join(Environment.NewLine, history.Select((h, i) => $"  {i}: {h}"))}", ex);
        }
        finally
        {
            harness.Dispose();
        }
    }

    /// <summary>A fault injected by the hook.</summary>
    private sealed class InjectedFault(string step) : Exception($"Injected at step '{step}'.");

    /// <summary>A record as the model keeps it: the vector as stored (normalized), the fields, the document.</summary>
    private sealed record ModelRecord(float[] Vector, string? Title, string? Text, Dictionary<string, MetadataValue>? Metadata, string? Document, string? Hash);

    /// <summary>The independent model: company → key → record. Companies exist from their first applied upsert.</summary>
    private sealed class Model
    {
        public SortedDictionary<string, SortedDictionary<string, ModelRecord>> Companies { get; } = new(StringComparer.Ordinal);

        public Model Clone()
        {
            var copy = new Model();
            foreach (var (company, records) in Companies) copy.Companies[company] = new SortedDictionary<string, ModelRecord>(records, StringComparer.Ordinal);
            return copy;
        }

        public SortedDictionary<string, ModelRecord>? Get(string company) => Companies.GetValueOrDefault(company);

        /// <summary>The keys of a document's live records.</summary>
        public List<string> KeysOf(string company, string document) =>
            Get(company)?.Where(r => r.Value.Document == document).Select(r => r.Key).ToList() ?? [];

        public void Apply(string company, IReadOnlyList<string> deletes, IReadOnlyList<(string Key, ModelRecord Record)> upserts)
        {
            if (!Companies.TryGetValue(company, out var records))
            {
                if (upserts.Count == 0) return;
                Companies[company] = records = new SortedDictionary<string, ModelRecord>(StringComparer.Ordinal);
            }
            foreach (var key in deletes) records.Remove(key);
            foreach (var (key, record) in upserts) records[key] = record;
        }
    }

    /// <summary>One write as the model sees it, and the call that makes it on the index.</summary>
    private sealed record PlannedWrite(string Description, string Company, List<string> Deletes, List<(string Key, ModelRecord Record)> Upserts,
        Func<WerklyIndex, CancellationToken, object?> Call)
    {
        /// <summary>Refused by the partition: a record key holds a record of a document the write does not replace.</summary>
        public bool Refused { get; init; }

        /// <summary>Refused before anything is looked at: one key in two documents of the write.</summary>
        public bool RefusedAtTheDoor { get; init; }

        /// <summary>Whether the call takes a cancellation token.</summary>
        public bool Cancellable { get; init; } = true;

        /// <summary>Whether the call returns at once (false) for a company that does not exist.</summary>
        public bool ReturnsForMissingCompany { get; init; }
    }

    private sealed class Harness : IDisposable
    {
        private readonly Mode _mode;
        private readonly string? _directory;
        private readonly WerklyIndexOptions _options;
        private Model _model = new();
        private Model _committed = new();
        private WerklyIndex _index;
        private volatile string? _armed;
        private volatile int _armedThread = -1;
        private volatile int _blockerThread = -1;
        private ManualResetEventSlim? _blocked;
        private ManualResetEventSlim? _release;

        public Harness(Mode mode, string? directory)
        {
            _mode = mode;
            _directory = directory;
            _options = OptionsFor(mode);
            _index = Open();
        }

        private WerklyIndex Open() => _directory is null
            ? new WerklyIndex(_options) { FaultHook = Hook }
            : WerklyIndex.Open(FileStorageDevice.Instance, _directory, _options, faultHook: Hook);

        private void Hook(string step)
        {
            var thread = Environment.CurrentManagedThreadId;
            if (thread == _blockerThread && step == "documents")
            {
                _blocked!.Set();
                _release!.Wait();
            }
            if (thread == _armedThread && _armed == step)
            {
                _armed = null;
                throw new InjectedFault(step);
            }
        }

        public void Dispose() => _index.Dispose();

        public void Reopen()
        {
            _index.Dispose();
            _index = Open();
            // OnCommit: the last commit; PerWrite: every acknowledged write.
            if (_mode == Mode.OnCommit) _model = _committed.Clone();
        }

        private static float[] VectorFor(int seed)
        {
            var random = new Random(seed);
            var v = new float[Dimensions];
            for (var d = 0; d < Dimensions; d++) v[d] = (float)(random.NextDouble() * 2 - 1);
            v[0] += 0.01f;
            return v;
        }

        /// <summary>A record decoded from <paramref name="u"/>: title, text and metadata each present or not.</summary>
        private static (VectorRecord Record, ModelRecord Model) RecordFor(string key, uint u, string? document = null, string? hash = null)
        {
            var vector = VectorFor(unchecked((int)u));
            var title = (u & 1) != 0 ? $"title q{u % 5}x" : null;
            var text = (u & 2) != 0 ? $"body q{(u >> 3) % 5}x shared words" : null;
            Dictionary<string, MetadataValue>? metadata = (u & 4) != 0
                ? new() { ["n"] = (double)(u % 1000), ["s"] = $"v{u % 7}", ["b"] = (u & 8) != 0 }
                : null;
            var stored = new float[Dimensions];
            VectorDistance.Normalize(vector, stored);
            var record = new VectorRecord(key, vector, metadata is null ? null : new Dictionary<string, MetadataValue>(metadata)) { Title = title, Text = text };
            return (record, new ModelRecord(stored, title, text, metadata, document, hash));
        }

        /// <summary>Runs one operation; returns its description.</summary>
        public string Step(int op, int fault)
        {
            var u = (uint)op;
            var f = (uint)fault;
            var company = CompanyIds[(u / 16) % 3];
            var rest = u / 48;
            switch (u % 16)
            {
                case 7:
                    return DeleteCompany(company);
                case 8:
                    return _mode == Mode.Memory ? Retrain(company, f) : Commit();
                case 9:
                    if (_mode == Mode.Memory) return Retrain(company, f);
                    Reopen();
                    return "reopen";
                default:
                    return Write(Plan(u % 16, company, rest), f);
            }
        }

        private PlannedWrite Plan(uint kind, string company, uint rest)
        {
            switch (kind)
            {
                case 3:
                {
                    // A batch: 1-4 records, 0-2 deletes.
                    var count = 1 + (int)(rest % 4);
                    var upserts = new List<(VectorRecord, ModelRecord)>();
                    for (var i = 0; i < count; i++) upserts.Add(RecordFor(PlainKey(rest >> (2 + i * 4)), rest * 31 + (uint)i));
                    var deletes = Enumerable.Range(0, (int)((rest >> 20) % 3)).Select(i => PlainKey(rest >> (8 + i * 3))).ToList();
                    return Upserts($"apply {count} records, delete [{string.Join(",", deletes)}]", company, upserts, deletes);
                }
                case 4:
                {
                    var key = PlainKey(rest);
                    var exists = _model.Get(company)?.ContainsKey(key) == true;
                    return new PlannedWrite($"delete {key}", company, [key], [], (index, _) =>
                    {
                        Assert.Equal(exists, index.Delete(company, key));
                        return null;
                    }) { Cancellable = false, ReturnsForMissingCompany = true };
                }
                case 5:
                    return ReplaceDocuments(company, rest);
                case 6:
                {
                    var document = $"d{rest % 3}";
                    var keys = _model.KeysOf(company, document);
                    var exists = _model.Get(company) is not null;
                    return new PlannedWrite($"delete document {document}", company, keys, [], (index, token) =>
                    {
                        Assert.Equal(exists && keys.Count > 0, index.DeleteDocument(company, document, token));
                        return null;
                    }) { ReturnsForMissingCompany = true };
                }
                default:
                {
                    var (record, model) = RecordFor(PlainKey(rest), rest);
                    return Upserts($"upsert {record.Key} (title {record.Title is not null}, text {record.Text is not null}, metadata {record.Metadata is not null})",
                        company, [(record, model)], []);
                }
            }
        }

        /// <summary>Plain record keys k0..k9, and sometimes a key a document holds (which an upsert takes over).</summary>
        private static string PlainKey(uint r) => (r % 13) switch
        {
            10 => "c0",
            11 => "d0#0",
            12 => "d1#1",
            var n => $"k{n}",
        };

        private static PlannedWrite Upserts(string description, string company, List<(VectorRecord Record, ModelRecord Model)> upserts, List<string> deletes)
        {
            // A key repeated in a batch keeps its last occurrence.
            var last = new Dictionary<string, ModelRecord>(StringComparer.Ordinal);
            foreach (var (record, model) in upserts) last[record.Key] = model;
            var records = upserts.Select(u => u.Record).ToList();
            return new PlannedWrite(description, company, deletes, [.. last.Select(p => (p.Key, p.Value))], (index, token) =>
            {
                if (deletes.Count == 0 && records.Count == 1 && token == CancellationToken.None) index.Upsert(company, records[0], token);
                else index.Apply(company, records, deletes, token);
                return null;
            });
        }

        /// <summary>1-2 documents of 0-3 records; keys are the document's own (dN#i) or shared (c0, c1), so a write can
        /// be refused for taking another document's record.</summary>
        private PlannedWrite ReplaceDocuments(string company, uint rest)
        {
            var documentCount = 1 + (int)(rest % 2);
            var first = (int)((rest >> 1) % 3);
            var updates = new List<DocumentUpdate>();
            var modelUpserts = new List<(string Key, ModelRecord Record)>();
            var owners = new Dictionary<string, string>(StringComparer.Ordinal);
            var refusedInBatch = false;
            for (var d = 0; d < documentCount; d++)
            {
                var document = $"d{(first + d) % 3}";
                var hash = $"h{(rest >> 5) % 17}";
                var records = new List<VectorRecord>();
                var count = (int)((rest >> (8 + d * 2)) % 4);
                for (var i = 0; i < count; i++)
                {
                    var shared = ((rest >> (12 + d * 3 + i)) & 1) != 0 && i == 0;
                    var key = shared ? $"c{(rest >> 20 + d) % 2}" : $"{document}#{i}";
                    var (record, model) = RecordFor(key, rest * 7 + (uint)(d * 5 + i), document, hash);
                    records.Add(record);
                    if (owners.TryGetValue(key, out var owner) && owner != document) refusedInBatch = true;
                    owners[key] = document;
                    modelUpserts.RemoveAll(m => m.Key == key);
                    modelUpserts.Add((key, model));
                }
                updates.Add(new DocumentUpdate(document, hash, records));
            }
            var ids = updates.Select(u => u.DocumentId).ToHashSet(StringComparer.Ordinal);
            var deletes = ids.SelectMany(id => _model.KeysOf(company, id)).ToList();
            // Refused at the partition: a record key that holds a record of a document this write does not replace.
            var current = _model.Get(company);
            var refused = refusedInBatch || modelUpserts.Any(m => current?.GetValueOrDefault(m.Key)?.Document is { } owner && owner != m.Record.Document && !ids.Contains(owner));
            var description = $"replace documents [{string.Join("; ", updates.Select(u => $"{u.DocumentId}: {string.Join(",", u.Records.Select(r => r.Key))}"))}]{(refused ? " (refused)" : "")}";
            return new PlannedWrite(description, company, deletes, modelUpserts, (index, token) =>
            {
                index.ReplaceDocuments(company, updates, token);
                return null;
            }) { Refused = refused, RefusedAtTheDoor = refusedInBatch };
        }

        /// <summary>Runs a planned write with what goes wrong (<paramref name="fault"/>), and checks the outcome the model predicts.</summary>
        private string Write(PlannedWrite write, uint fault)
        {
            var what = fault % 12;
            if (!write.Cancellable && what is 6 or 7) what = 8;
            var companyExists = _model.Get(write.Company) is not null;
            var hasKeys = write.Upserts.Count > 0;
            string? step = what < Steps.Length ? Steps[what] : null;
            var cancelBefore = what == 6;
            var cancelWhileWaiting = what == 7;

            // The outcome the model predicts, in the order the index checks.
            Type? expected;
            if (write.RefusedAtTheDoor) expected = typeof(ArgumentException);
            else if (write.ReturnsForMissingCompany && !companyExists && !cancelWhileWaiting) expected = null;
            else if (cancelBefore) expected = typeof(OperationCanceledException);
            else if (!hasKeys && !companyExists && !cancelWhileWaiting) expected = null; // nothing to do, nothing created
            else if (cancelWhileWaiting) expected = typeof(OperationCanceledException);
            else if (write.Refused) expected = typeof(ArgumentException);
            else if (step is not null && AlwaysReached.Contains(step)) expected = typeof(InjectedFault);
            else expected = null;

            Exception? thrown = null;
            if (cancelWhileWaiting)
            {
                thrown = WriteWhileAnotherWaits(write);
            }
            else
            {
                using var cts = new CancellationTokenSource();
                if (cancelBefore) cts.Cancel();
                _armed = step;
                _armedThread = Environment.CurrentManagedThreadId;
                try
                {
                    write.Call(_index, cancelBefore ? cts.Token : CancellationToken.None);
                }
                catch (Exception ex) when (ex is InjectedFault or OperationCanceledException or ArgumentException)
                {
                    thrown = ex;
                }
                finally
                {
                    _armed = null;
                    _armedThread = -1;
                }
            }

            var label = $"{write.Description} on {write.Company} with {(step is not null ? "a fault at " + step : cancelBefore ? "a cancelled token" : cancelWhileWaiting ? "cancellation while waiting" : "no fault")}";
            // A write cancelled while it waits for the gate may still get it when the other write releases it at that
            // moment (SemaphoreSlim does not re-check the token then): it checks the token itself after its validation
            // against the partition, so a write refused there reports the refusal instead. Either way nothing changed.
            if (cancelWhileWaiting && write.Refused && thrown is ArgumentException) expected = typeof(ArgumentException);
            if (expected is null) Assert.True(thrown is null, $"{label}: threw {thrown}");
            else Assert.True(thrown is not null && expected.IsInstanceOfType(thrown), $"{label}: expected {expected.Name}, got {thrown?.ToString() ?? "success"}");
            if (thrown is null) _model.Apply(write.Company, write.Deletes, write.Upserts);
            return label;
        }

        /// <summary>
        /// Another write to the company blocks inside its install (holding the company's writer gate); this write starts,
        /// waits for the gate, and is cancelled while it waits. The other write completes; this one changes nothing.
        /// </summary>
        private Exception? WriteWhileAnotherWaits(PlannedWrite write)
        {
            var (blockerRecord, blockerModel) = RecordFor("blocker", 77);
            using var blocked = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            _blocked = blocked;
            _release = release;
            var blocker = Task.Factory.StartNew(() =>
            {
                _blockerThread = Environment.CurrentManagedThreadId;
                try
                {
                    _index.Upsert(write.Company, blockerRecord);
                }
                finally
                {
                    _blockerThread = -1;
                }
            }, TaskCreationOptions.LongRunning);
            Assert.True(blocked.Wait(TimeSpan.FromSeconds(60)), "the blocking write never reached its install");
            _model.Apply(write.Company, [], [("blocker", blockerModel)]);

            using var cts = new CancellationTokenSource();
            var waiting = Task.Factory.StartNew(() => write.Call(_index, cts.Token), TaskCreationOptions.LongRunning);
            Thread.Sleep(2); // usually long enough to reach the gate; either way the write must change nothing
            cts.Cancel();
            release.Set();
            blocker.GetAwaiter().GetResult();
            try
            {
                waiting.GetAwaiter().GetResult();
                return null;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ArgumentException)
            {
                return ex;
            }
        }

        private string DeleteCompany(string company)
        {
            Assert.Equal(_model.Companies.Remove(company), _index.DeleteCompany(company));
            return $"delete company {company}";
        }

        private string Retrain(string company, uint fault)
        {
            if (_model.Get(company) is null) return "retrain of a missing company (skipped)";
            var failing = fault % 2 == 0;
            _armed = failing ? "retrain" : null;
            _armedThread = Environment.CurrentManagedThreadId;
            try
            {
                if (failing) Assert.Throws<InjectedFault>(() => _index.Retrain(company));
                else _index.Retrain(company);
            }
            finally
            {
                _armed = null;
                _armedThread = -1;
            }
            return $"retrain {company}{(failing ? " failing" : "")}";
        }

        private string Commit()
        {
            _index.Commit();
            _committed = _model.Clone();
            return "commit";
        }

        /// <summary>The index equals the model, and every company's three sides agree.</summary>
        public void Verify(string when)
        {
            Assert.True(_model.Companies.Keys.SequenceEqual(_index.Companies.Order(StringComparer.Ordinal)),
                $"{when}: companies [{string.Join(",", _index.Companies.Order(StringComparer.Ordinal))}], model [{string.Join(",", _model.Companies.Keys)}]");
            foreach (var (company, records) in _model.Companies)
            {
                var problems = _index.CheckConsistency(company);
                Assert.True(problems.Count == 0, $"{when}: {company}: {string.Join("; ", problems)}");
                var keys = _index.GetKeys(company).Order(StringComparer.Ordinal).ToArray();
                Assert.True(records.Keys.SequenceEqual(keys), $"{when}: {company} has [{string.Join(",", keys)}], model [{string.Join(",", records.Keys)}]");
                Assert.Equal(records.Count, _index.Count(company));
                foreach (var (key, expected) in records)
                {
                    Assert.True(_index.TryGetRecord(company, key, out var actual), $"{when}: {company}/{key} is missing");
                    Assert.True(expected.Vector.AsSpan().SequenceEqual(actual.Vector.Span), $"{when}: {company}/{key} has another vector");
                    Assert.True(expected.Title == actual.Title && expected.Text == actual.Text, $"{when}: {company}/{key} has title/text '{actual.Title}'/'{actual.Text}', model '{expected.Title}'/'{expected.Text}'");
                    Assert.True(SameMetadata(expected.Metadata, actual.Metadata), $"{when}: {company}/{key} has other metadata");
                }
                // Documents, as the records say.
                var documents = records.Where(r => r.Value.Document is not null).GroupBy(r => r.Value.Document!, StringComparer.Ordinal)
                    .Select(g => new DocumentInfo(g.Key, g.First().Value.Hash!, g.Count())).OrderBy(d => d.DocumentId, StringComparer.Ordinal).ToArray();
                Assert.Equal(documents, _index.GetDocuments(company));
                // The vector side finds exactly the live records; the keyword side exactly those holding a word.
                var all = _index.Search(company, VectorFor(1), int.MaxValue, new SearchOptions { Probes = int.MaxValue }).Select(h => h.Key).Order(StringComparer.Ordinal);
                Assert.True(records.Keys.SequenceEqual(all), $"{when}: a vector search of {company} found [{string.Join(",", all)}]");
                foreach (var word in new[] { "q1x", "q3x", "shared" })
                {
                    var holding = records.Where(r => $"{r.Value.Title} {r.Value.Text}".Split(' ').Contains(word)).Select(r => r.Key).Order(StringComparer.Ordinal).ToArray();
                    var found = _index.Search(company, new SearchQuery { Mode = SearchMode.Keyword, Text = word, Top = 100 }).Select(r => r.Key).Order(StringComparer.Ordinal).ToArray();
                    Assert.True(holding.SequenceEqual(found), $"{when}: keyword '{word}' in {company} found [{string.Join(",", found)}], model [{string.Join(",", holding)}]");
                }
            }
        }

        private static bool SameMetadata(Dictionary<string, MetadataValue>? expected, IReadOnlyDictionary<string, MetadataValue>? actual)
        {
            if (expected is null || expected.Count == 0) return actual is null || actual.Count == 0;
            return actual is not null && actual.Count == expected.Count && expected.All(p => actual.TryGetValue(p.Key, out var v) && v == p.Value);
        }
    }
}
