using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Werkly.VectorIndex.LoadBench;

// The guide's load scenarios against a real 'werkly serve' on 127.0.0.1 (see README.md next to this file):
//   dotnet run -c Release --project bench/Werkly.VectorIndex.LoadBench -- [--work DIR] [--chunks 100000] [--pool 400]
//       [--scenarios normal,peak,stress] [--duration-s 50] [--timeout-s 10] [--uploaders 8] [--queue 256] [--report FILE]
//       [--max-searches N] [--search-queue N] [--mode hybrid|vector|keyword]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var options = ParseArguments(args);
var repository = FindRepository();
var work = Path.GetFullPath(options.GetValueOrDefault("work") ?? Path.Combine(Path.GetTempPath(), "werkly-loadbench"));
var chunks = int.Parse(options.GetValueOrDefault("chunks") ?? "100000", CultureInfo.InvariantCulture);
var poolSize = int.Parse(options.GetValueOrDefault("pool") ?? "400", CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(int.Parse(options.GetValueOrDefault("duration-s") ?? "50", CultureInfo.InvariantCulture));
var requestTimeout = TimeSpan.FromSeconds(int.Parse(options.GetValueOrDefault("timeout-s") ?? "10", CultureInfo.InvariantCulture));
var uploaders = int.Parse(options.GetValueOrDefault("uploaders") ?? "8", CultureInfo.InvariantCulture);
var queue = options.GetValueOrDefault("queue") ?? "256";
var mode = options.GetValueOrDefault("mode") ?? "hybrid"; // hybrid, vector or keyword: keyword leaves the model out of the search path
var wanted = (options.GetValueOrDefault("scenarios") ?? "normal,peak,stress").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
if (duration + requestTimeout > TimeSpan.FromSeconds(60))
    Console.Error.WriteLine($"note: --duration-s + --timeout-s is {(duration + requestTimeout).TotalSeconds} s; a scenario may then run longer than 60 s.");

var corpus = Path.Combine(repository, "tests", "data", "cranfield", "corpus.jsonl.gz");
var index = Path.Combine(work, $"index-{chunks}");
Directory.CreateDirectory(work);
await SyntheticIndex.EnsureAsync(index, corpus, chunks, poolSize, seed: 20261204, Console.Out);

var questions = File.ReadLines(Path.Combine(repository, "tests", "data", "cranfield", "queries.jsonl"))
    .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()!).ToList();
var uploadTexts = SyntheticIndex.ReadCorpus(corpus).Skip(poolSize).ToList(); // abstracts not in the pool
var runId = new string([.. Enumerable.Range(0, 4).Select(_ => LoadRunner.TokenLetters[Random.Shared.Next(LoadRunner.TokenLetters.Length)])]);
const string UploadCompany = "uploads";

// The scenarios of the guide (backend-performance-guide.md, "Load Test Scenarios"), compressed in time so each issues
// requests for --duration-s: normal 10 users × 5 requests/min for 10 min; peak 100 users × 10/min for 5 min; stress a
// ramp to 500 users (at the peak's pace) with a background ingest through uploads.
var scenarios = new Dictionary<string, Scenario>(StringComparer.OrdinalIgnoreCase)
{
    ["normal"] = new("normal", 10, 5, 600 / duration.TotalSeconds, duration, TimeSpan.Zero, 0),
    ["peak"] = new("peak", 100, 10, 300 / duration.TotalSeconds, duration, TimeSpan.Zero, 0),
    ["stress"] = new("stress", 500, 10, 300 / duration.TotalSeconds, duration, duration * 0.8, uploaders),
};

var serverArguments = new List<string> { "--queue", queue };
if (options.GetValueOrDefault("max-searches") is { } maxSearches) serverArguments.AddRange(["--max-searches", maxSearches]);
if (options.GetValueOrDefault("search-queue") is { } searchQueue) serverArguments.AddRange(["--search-queue", searchQueue]);
Console.WriteLine($"load average before start: {LoadRunner.LoadAverage()} ({Environment.ProcessorCount} cores)");
var results = new List<ScenarioResult>();
var server = await ServerProcess.StartAsync(index, serverArguments);
Console.WriteLine($"werkly serve (pid {server.Id}) at {server.Address}");
using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
using var client = new HttpClient(handler) { BaseAddress = server.Address, Timeout = Timeout.InfiniteTimeSpan };
var verification = new StringBuilder();
int exitCode;
try
{
    // Warm-up (not measured): loads the model, JITs the endpoints, maps the index.
    foreach (var question in questions.Take(20))
        (await client.GetAsync($"/companies/{SyntheticIndex.Company}/search?q={Uri.EscapeDataString(question)}&top=5")).EnsureSuccessStatusCode();
    var shape = await client.GetFromJsonAsync<JsonElement>($"/companies/{SyntheticIndex.Company}/search?q={Uri.EscapeDataString(questions[0])}&top=5&explain=true");
    Console.WriteLine($"warm-up done; a search answers {shape.GetProperty("hits").GetArrayLength()} hits, server-side {shape.GetProperty("took_ms").GetDouble()} ms");

    var runner = new LoadRunner(client, questions, uploadTexts, UploadCompany, runId, requestTimeout, mode);
    foreach (var name in wanted)
    {
        var scenario = scenarios[name];
        Console.WriteLine($"{name}: {scenario.Users} users, one search every {scenario.Interval.TotalMilliseconds:F0} ms each, {scenario.Duration.TotalSeconds} s" +
            (scenario.Uploaders > 0 ? $", ramp {scenario.Ramp.TotalSeconds} s, {scenario.Uploaders} uploaders" : ""));
        var result = await runner.RunAsync(scenario);
        results.Add(result);
        Console.WriteLine(Describe(result));
    }

    // Nothing lost: every upload answered 202 must finish, and every one that ended 'ingested' must be found by its unique
    // word, first while the server runs and again after SIGTERM (which drains the queue) and a restart.
    var accepted = results.SelectMany(r => r.Accepted).ToList();
    if (accepted.Count > 0)
    {
        var drain = System.Diagnostics.Stopwatch.StartNew();
        var final = new Dictionary<string, string>();
        foreach (var upload in accepted)
        {
            while (true)
            {
                var job = await client.GetFromJsonAsync<JsonElement>($"/jobs/{upload.Job}");
                var status = job.GetProperty("status").GetString()!;
                if (status is not ("queued" or "processing")) { final[upload.Job] = status; break; }
                if (drain.Elapsed > TimeSpan.FromMinutes(10)) { final[upload.Job] = "still " + status; break; }
                await Task.Delay(200);
            }
        }
        var byStatus = final.Values.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        verification.AppendLine($"accepted uploads: {accepted.Count}; final job states: {string.Join(", ", byStatus.Select(p => $"{p.Key} {p.Value}"))}; queue drained {drain.Elapsed.TotalSeconds:F0} s after the last scenario");
        var ingested = accepted.Where(u => final[u.Job] == "ingested").ToList();
        verification.AppendLine($"searchable while serving: {await CountSearchableAsync(client, ingested)} of {ingested.Count}");

        var stopCode = await server.StopAsync(TimeSpan.FromMinutes(5));
        verification.AppendLine($"SIGTERM: exit code {stopCode}");
        server.Dispose();
        server = await ServerProcess.StartAsync(index, serverArguments);
        using var again = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(1) };
        verification.AppendLine($"searchable after a restart: {await CountSearchableAsync(again, ingested)} of {ingested.Count}");
        Console.Write(verification);
    }
    exitCode = 0;
}
finally
{
    await server.StopAsync(TimeSpan.FromMinutes(5)).ContinueWith(_ => { });
    server.Dispose();
}

var report = Report(results, verification.ToString(), chunks, poolSize, string.Join(' ', args), mode);
Console.WriteLine();
Console.WriteLine(report);
if (options.GetValueOrDefault("report") is { } reportPath) await File.WriteAllTextAsync(reportPath, report);
return exitCode;

static async Task<int> CountSearchableAsync(HttpClient client, IReadOnlyList<AcceptedUpload> uploads)
{
    var found = 0;
    foreach (var upload in uploads)
    {
        var search = await client.GetFromJsonAsync<JsonElement>($"/companies/{UploadCompany}/search?q={upload.Token}&mode=keyword&top=3");
        var hits = search.GetProperty("hits");
        if (hits.GetArrayLength() > 0 && hits[0].GetProperty("document").GetString() == upload.Document) found++;
        else Console.Error.WriteLine($"NOT FOUND: {upload.Document} (token {upload.Token})");
    }
    return found;
}

static string Describe(ScenarioResult r)
{
    var s = r.Search;
    var text = $"  search: {s.Count} requests, {s.Ok} ok, p50 {LoadRunner.Format(s.P50)} ms, p95 {LoadRunner.Format(s.P95)} ms, p99 {LoadRunner.Format(s.P99)} ms, " +
        $"max {LoadRunner.Format(s.Max)} ms, {LoadRunner.Format(s.Throughput)} ok/s, 503 {s.Rejected503} (Retry-After {s.Rejected503WithRetryAfter}), " +
        $"other errors {s.Errors} (client timeouts {s.TimedOut}); statuses {string.Join(' ', s.ByStatus.Select(p => $"{p.Key}:{p.Value}"))}; " +
        $"{r.Elapsed.TotalSeconds:F1} s; load {r.LoadAverageBefore} → {r.LoadAverageAfter}";
    if (r.Upload is { } u)
        text += $"\n  upload: {u.Count} requests, {u.Ok} accepted (202), p50 {LoadRunner.Format(u.P50)} ms, p95 {LoadRunner.Format(u.P95)} ms, " +
            $"503 {u.Rejected503} (Retry-After {u.Rejected503WithRetryAfter}), other errors {u.Errors} (client timeouts {u.TimedOut})";
    return text;
}

static string Report(List<ScenarioResult> results, string verification, int chunks, int pool, string arguments, string mode)
{
    var b = new StringBuilder();
    b.AppendLine($"Command: `dotnet bench/Werkly.VectorIndex.LoadBench/bin/Release/net10.0/Werkly.VectorIndex.LoadBench.dll {arguments}`  ");
    b.AppendLine($"Index: one company of {chunks} chunks (synthetic: {pool} Cranfield abstracts embedded with all-MiniLM-L6-v2, each chunk a window of one abstract's words with its vector plus noise); {mode} search, top 5, Cranfield questions.  ");
    b.AppendLine($"Machine: {Environment.ProcessorCount} cores, shared; load averages (1/5/15 min) below are /proc/loadavg before and after each scenario. Driver and server run on the same cores.");
    b.AppendLine();
    b.AppendLine("| scenario | requests | ok | p50 ms | p95 ms | p99 ms | max ms | ok/s | 503 (with Retry-After) | other errors | client timeouts | load before → after |");
    b.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    foreach (var r in results)
    {
        Row(b, r.Scenario.Name + " search", r.Search, r);
        if (r.Upload is { } u) Row(b, r.Scenario.Name + " upload (202)", u, r);
    }
    b.AppendLine();
    foreach (var line in verification.Split('\n', StringSplitOptions.RemoveEmptyEntries)) b.AppendLine("- " + line.Trim());
    return b.ToString();

    static void Row(StringBuilder b, string name, RequestFigures f, ScenarioResult r) =>
        b.AppendLine($"| {name} | {f.Count} | {f.Ok} | {LoadRunner.Format(f.P50)} | {LoadRunner.Format(f.P95)} | {LoadRunner.Format(f.P99)} | {LoadRunner.Format(f.Max)} | " +
            $"{LoadRunner.Format(f.Throughput)} | {f.Rejected503} ({f.Rejected503WithRetryAfter}) | {f.Errors} | {f.TimedOut} | {r.LoadAverageBefore} → {r.LoadAverageAfter} |");
}

static Dictionary<string, string> ParseArguments(string[] args)
{
    var parsed = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            throw new ArgumentException($"Unknown argument '{args[i]}'; options are --name value pairs (see Program.cs).");
        parsed[args[i][2..]] = args[++i];
    }
    return parsed;
}

static string FindRepository()
{
    for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        if (File.Exists(Path.Combine(folder.FullName, "Werkly.VectorIndex.sln"))) return folder.FullName;
    throw new InvalidOperationException("Run the load bench from inside the repository (it reads tests/data/cranfield).");
}
