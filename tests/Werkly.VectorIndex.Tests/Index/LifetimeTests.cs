using System.Reflection;
using Werkly.VectorIndex.Tests.Storage;

namespace Werkly.VectorIndex.Tests.Index;

/// <summary>
/// Issue 10, defect 7: after <see cref="WerklyIndex.Dispose"/> every member throws <see cref="ObjectDisposedException"/>
/// (before the redesign <c>Upsert</c> created a fresh partition, <c>GetKeys</c> worked and <c>Count</c> returned 0).
/// The public surface is enumerated by reflection, so a member added without a case here fails the test.
/// </summary>
public class LifetimeTests
{
    private const int Dimensions = 4;
    private static readonly WerklyIndexOptions Options = new() { Dimensions = Dimensions };
    private static readonly float[] X = [1, 0, 0, 0];

    /// <summary>One call per public instance member, keyed by its signature as <see cref="Signature"/> writes it.</summary>
    private static readonly Dictionary<string, Func<WerklyIndex, object?>> Calls = new(StringComparer.Ordinal)
    {
        ["Options"] = i => i.Options,
        ["Dimensions"] = i => i.Dimensions,
        ["Metric"] = i => i.Metric,
        ["DirectoryPath"] = i => i.DirectoryPath,
        ["IsReadOnly"] = i => i.IsReadOnly,
        ["Generation"] = i => i.Generation,
        ["Companies"] = i => i.Companies,
        ["ContainsCompany(String)"] = i => i.ContainsCompany("acme"),
        ["ValidateCompanyId(String)"] = i =>
        {
            i.ValidateCompanyId("acme");
            return null;
        },
        ["Upsert(String, VectorRecord, CancellationToken)"] = i =>
        {
            i.Upsert("acme", new VectorRecord("k2", X));
            return null;
        },
        ["Upsert(String, String, ReadOnlySpan<Single>, IReadOnlyDictionary<String, MetadataValue>)"] = i =>
        {
            i.Upsert("acme", "k2", X);
            return null;
        },
        ["Upsert(String, IReadOnlyList<VectorRecord>, CancellationToken)"] = i =>
        {
            i.Upsert("acme", [new VectorRecord("k2", X)]);
            return null;
        },
        ["UpsertAsync(String, IReadOnlyList<VectorRecord>, CancellationToken)"] = i => i.UpsertAsync("acme", [new VectorRecord("k2", X)]).AsTask(),
        ["Apply(String, IReadOnlyList<VectorRecord>, IReadOnlyList<String>, CancellationToken)"] = i =>
        {
            i.Apply("acme", [new VectorRecord("k2", X)], ["k"]);
            return null;
        },
        ["ApplyAsync(String, IReadOnlyList<VectorRecord>, IReadOnlyList<String>, CancellationToken)"] = i => i.ApplyAsync("acme", [new VectorRecord("k2", X)], ["k"]).AsTask(),
        ["Delete(String, String)"] = i => i.Delete("acme", "k"),
        ["ReplaceDocuments(String, IReadOnlyList<DocumentUpdate>, CancellationToken)"] = i =>
        {
            i.ReplaceDocuments("acme", [new DocumentUpdate("d", "h", [new VectorRecord("d#0", X)])]);
            return null;
        },
        ["ReplaceDocumentsAsync(String, IReadOnlyList<DocumentUpdate>, CancellationToken)"] = i => i.ReplaceDocumentsAsync("acme", [new DocumentUpdate("d", "h", [])]).AsTask(),
        ["DeleteDocument(String, String, CancellationToken)"] = i => i.DeleteDocument("acme", "d"),
        ["DeleteCompany(String)"] = i => i.DeleteCompany("acme"),
        ["Retrain(String, IProgress<TrainingProgress>, CancellationToken)"] = i =>
        {
            i.Retrain("acme");
            return null;
        },
        ["Merge(String, CancellationToken)"] = i =>
        {
            i.Merge("acme");
            return null;
        },
        ["Commit(CancellationToken)"] = i => i.Commit(),
        ["CommitAsync(CancellationToken)"] = i => i.CommitAsync(),
        ["Refresh(CancellationToken)"] = i => i.Refresh(),
        ["Search(String, ReadOnlySpan<Single>, Int32, SearchOptions)"] = i => i.Search("acme", X, 5),
        ["Search(String, ReadOnlySpan<Single>, Span<SearchHit>, SearchOptions)"] = i => i.Search("acme", X, new SearchHit[5]),
        ["Search(String, SearchQuery, CancellationToken)"] = i => i.Search("acme", new SearchQuery { Text = "words", Vector = X }),
        ["SearchAsync(String, SearchQuery, CancellationToken)"] = i => i.SearchAsync("acme", new SearchQuery { Text = "words", Vector = X }).AsTask(),
        ["Explain(String, ReadOnlySpan<Single>, Int32, SearchOptions)"] = i => i.Explain("acme", X, 5),
        ["TryGetRecord(String, String, out VectorRecord)"] = i => i.TryGetRecord("acme", "k", out _),
        ["TryGetVector(String, String, Span<Single>)"] = i => i.TryGetVector("acme", "k", new float[Dimensions]),
        ["GetKeys(String)"] = i => i.GetKeys("acme"),
        ["Count(String)"] = i => i.Count("acme"),
        ["GetStatistics(String)"] = i => i.GetStatistics("acme"),
        ["TryGetDocument(String, String, out DocumentInfo)"] = i => i.TryGetDocument("acme", "d", out _),
        ["GetDocuments(String)"] = i => i.GetDocuments("acme"),
        ["GetDocumentKeys(String, String)"] = i => i.GetDocumentKeys("acme", "d"),
    };

    private static string TypeName(Type type)
    {
        if (type.IsByRef) return TypeName(type.GetElementType()!);
        if (!type.IsGenericType) return type.Name;
        return $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>";
    }

    private static string Signature(MemberInfo member) => member switch
    {
        MethodInfo m => $"{m.Name}({string.Join(", ", m.GetParameters().Select(p => (p.IsOut ? "out " : "") + TypeName(p.ParameterType)))})",
        _ => member.Name,
    };

    /// <summary>Every public instance member but Dispose (properties, and methods that are not accessors).</summary>
    private static string[] PublicSurface() =>
    [
        .. typeof(WerklyIndex).GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m is PropertyInfo || (m is MethodInfo method && !method.IsSpecialName) || m is EventInfo)
            .Where(m => m.Name != nameof(WerklyIndex.Dispose))
            .Select(Signature)
            .Order(StringComparer.Ordinal),
    ];

    [Fact]
    public void The_table_covers_the_whole_public_surface()
    {
        var surface = PublicSurface();
        var missing = surface.Except(Calls.Keys).ToArray();
        var stale = Calls.Keys.Except(surface).ToArray();
        Assert.True(missing.Length == 0, "Members without a use-after-Dispose case: " + string.Join("; ", missing));
        Assert.True(stale.Length == 0, "Cases for members that no longer exist: " + string.Join("; ", stale));
    }

    public static TheoryData<string> Kinds => ["memory", "writer", "per-write", "reader"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_member_throws_ObjectDisposedException_after_Dispose(string kind)
    {
        using var temp = new TempDirectory("disposed");
        var index = OpenIndex(kind, temp.Path);
        index.Dispose();
        index.Dispose(); // twice is fine
        var failures = new List<string>();
        foreach (var (signature, call) in Calls.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var outcome = Outcome(() => call(index));
            if (outcome is not ObjectDisposedException) failures.Add($"{signature}: {outcome?.GetType().Name ?? "returned normally"}{(outcome is null ? "" : ": " + outcome.Message)}");
        }
        Assert.True(failures.Count == 0, $"{kind}: after Dispose,{Environment.NewLine}" + string.Join(Environment.NewLine, failures));

        // Disposing released the directory: a writer opens at once, and the disposed index's writes never landed.
        if (kind != "memory")
        {
            using var reopened = WerklyIndex.Open(temp.Path, Options);
            Assert.Equal(["k"], reopened.GetKeys("acme"));
        }
    }

    private static WerklyIndex OpenIndex(string kind, string directory)
    {
        switch (kind)
        {
            case "memory":
            {
                var index = new WerklyIndex(Options);
                index.Upsert("acme", "k", X);
                return index;
            }
            case "reader":
            {
                using (var writer = WerklyIndex.Open(directory, Options))
                {
                    writer.Upsert("acme", "k", X);
                    writer.Commit();
                }
                return WerklyIndex.Open(directory, Options with { RefreshInterval = TimeSpan.FromMilliseconds(10) }, readOnly: true);
            }
            default:
            {
                var index = WerklyIndex.Open(directory, Options with { Durability = kind == "per-write" ? Durability.PerWrite : Durability.OnCommit });
                index.Upsert("acme", "k", X);
                index.Commit();
                return index;
            }
        }
    }

    /// <summary>What a call threw, synchronously or through the task it returned; null when it completed.</summary>
    private static Exception? Outcome(Func<object?> call)
    {
        try
        {
            switch (call())
            {
                case Task task:
                    task.GetAwaiter().GetResult();
                    break;
            }
            return null;
        }
#pragma warning disable CA1031 // the test reports whatever was thrown
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ex;
        }
    }

    [Fact]
    public async Task Dispose_waits_for_a_running_search_and_later_calls_throw()
    {
        using var index = new WerklyIndex(Options);
        index.Upsert("acme", "k", X);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var search = Task.Run(() => index.Search("acme", X, 1, new SearchOptions
        {
            Filter = (_, _) =>
            {
                entered.Set();
                release.Wait();
                return true;
            },
        }));
        Assert.True(entered.Wait(TimeSpan.FromSeconds(30)));
        var dispose = Task.Run(index.Dispose);
        // Dispose cannot finish while the search holds its lease; new calls are refused meanwhile.
        SpinWait.SpinUntil(() => Outcome(() => index.Count("acme")) is ObjectDisposedException, TimeSpan.FromSeconds(30));
        Assert.IsType<ObjectDisposedException>(Outcome(() => index.Count("acme")));
        Assert.False(dispose.IsCompleted);
        release.Set();
        Assert.Equal("k", Assert.Single(await search).Key);
        await dispose;
    }
}
